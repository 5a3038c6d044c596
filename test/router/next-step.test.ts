import assert from "node:assert/strict";
import { test } from "node:test";
import type { Urgency } from "../../src/core/events.ts";
import type { OrderStatus } from "../../src/engine/order-state.ts";
import { type ChildView, type StepContext, nextStep } from "../../src/execution/router/next-step.ts";
import { ParentBook, type ParentRecord } from "../../src/engine/parent-book.ts";
import { PARENT, fill, leg, parent } from "./fixtures.ts";

const CTX: StepContext = { maxReprices: 2, accepting: true, halted: false };
const child = (status: OrderStatus, postOnlyWouldTake = false): ChildView => ({ status, postOnlyWouldTake, reason: undefined });

function book(urgency: Urgency, legs: number, opts: { ttlExpired?: boolean; filled?: string } = {}): ParentRecord {
  const b = new ParentBook();
  b.apply(parent({ urgency }));
  for (let n = 1; n <= legs; n++) b.apply(leg(n));
  if (opts.ttlExpired === true) b.apply({ type: "router.ttl-expired", ts: 2_000, parentId: PARENT, clientOrderId: `${PARENT}-m${legs}`, action: "cancel", reason: "ttl", ttlMs: 0 });
  if (opts.filled !== undefined) b.onChildFill(PARENT, fill(`${PARENT}-m${legs}`, opts.filled));
  return b.get(PARENT)!;
}

test("the first leg: maker unless immediate, which never rests", () => {
  assert.deepEqual(nextStep(book("normal", 0), undefined, CTX), { kind: "leg", leg: "maker", cause: "initial" });
  assert.deepEqual(nextStep(book("passive", 0), undefined, CTX), { kind: "leg", leg: "maker", cause: "initial" });
  assert.deepEqual(nextStep(book("immediate", 0), undefined, CTX), { kind: "leg", leg: "taker", cause: "immediate" });
});

test("a working leg is waited for; a filled parent ends filled", () => {
  for (const s of ["PENDING_SUBMIT", "SUBMITTED", "UNKNOWN", "ACCEPTED", "PARTIALLY_FILLED", "PENDING_CANCEL"] as const) {
    assert.equal(nextStep(book("normal", 1), child(s), CTX).kind, "wait", s);
  }
  assert.equal((nextStep(book("normal", 1, { filled: "1" }), child("FILLED"), CTX) as { reason: string }).reason, "filled");
});

test("TTL expiry: reprice while allowed, then normal falls back and passive ends", () => {
  assert.deepEqual(nextStep(book("normal", 1, { ttlExpired: true }), child("CANCELLED"), CTX), { kind: "leg", leg: "maker", cause: "reprice" });
  // Legs 2 and 3 were reprices: none left.
  assert.deepEqual(nextStep(book("normal", 3, { ttlExpired: true }), child("CANCELLED"), CTX), { kind: "leg", leg: "taker", cause: "reprice-exhausted" });
  assert.equal((nextStep(book("passive", 3, { ttlExpired: true }), child("CANCELLED"), CTX) as { reason: string }).reason, "maker-expired");
  assert.deepEqual(nextStep(book("normal", 1, { ttlExpired: true }), child("CANCELLED"), { ...CTX, maxReprices: 0 }), {
    kind: "leg",
    leg: "taker",
    cause: "reprice-exhausted",
  });
});

test("post-only would take, cancelled (Bybit) or rejected (Binance): normal falls back at once, passive reprices", () => {
  for (const status of ["CANCELLED", "REJECTED", "EXPIRED"] as const) {
    assert.deepEqual(nextStep(book("normal", 1), child(status, true), CTX), { kind: "leg", leg: "taker", cause: "post-only-would-take" }, status);
    assert.deepEqual(nextStep(book("passive", 1), child(status, true), CTX), { kind: "leg", leg: "maker", cause: "reprice" }, status);
  }
  assert.equal((nextStep(book("passive", 3), child("CANCELLED", true), CTX) as { reason: string }).reason, "maker-expired");
});

test("a leg ended by someone else ends the parent: never fought, never chased", () => {
  assert.equal((nextStep(book("normal", 1), child("CANCELLED"), CTX) as { reason: string }).reason, "cancelled");
  assert.equal((nextStep(book("normal", 1), child("REJECTED"), CTX) as { reason: string }).reason, "rejected");
  assert.equal((nextStep(book("normal", 1), undefined, CTX) as { reason: string }).reason, "rejected");
});

test("the taker leg is the last one, whatever it filled", () => {
  const b = new ParentBook();
  b.apply(parent());
  b.apply(leg(1));
  b.apply(leg(1, { kind: "taker", cause: "post-only-would-take", ttlMs: 0 }));
  b.onChildFill(PARENT, fill(`${PARENT}-t1`, "0.4", { liquidity: "taker" }));
  assert.equal((nextStep(b.get(PARENT)!, child("EXPIRED"), CTX) as { reason: string }).reason, "taker-done");
});

test("no new leg while stopping or halted", () => {
  assert.equal((nextStep(book("normal", 0), undefined, { ...CTX, accepting: false }) as { reason: string }).reason, "stopped");
  assert.equal((nextStep(book("normal", 1, { ttlExpired: true }), child("CANCELLED"), { ...CTX, halted: true }) as { reason: string }).reason, "halted");
  assert.equal((nextStep(book("normal", 1), child("CANCELLED", true), { ...CTX, halted: true }) as { reason: string }).reason, "halted");
});
