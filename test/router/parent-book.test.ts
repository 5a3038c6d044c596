import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { decodeValue, encodeValue } from "../../src/journal/codec.ts";
import { doneEvent } from "../../src/execution/router/summary.ts";
import { PARENT, done, fill, leg, parent } from "./fixtures.ts";
import { intent } from "../engine/fixtures.ts";

const m1 = `${PARENT}-m1`;
const t1 = `${PARENT}-t1`;

/** A parent worked in two legs: a partial maker fill, a TTL expiry, then a taker leg. */
function history(): HeanEvent[] {
  return [
    intent(m1, { parentId: PARENT, timeInForce: "POST_ONLY", price: dec("99.9") }),
    parent(),
    leg(1),
    { type: "order.submitted", ts: 1_001, clientOrderId: m1, attempt: 1 },
    { type: "order.accepted", ts: 1_003, clientOrderId: m1, venueOrderId: "v1" },
    fill(m1, "0.4", { ts: 1_400, fee: dec("-0.004") }),
    { type: "router.ttl-expired", ts: 2_000, parentId: PARENT, clientOrderId: m1, action: "cancel", reason: "ttl", ttlMs: 0 },
    { type: "order.cancel-requested", ts: 2_000, clientOrderId: m1, reason: "ttl" },
    { type: "order.cancelled", ts: 2_003, clientOrderId: m1, reason: "user", postOnlyWouldTake: false },
    intent(t1, { parentId: PARENT, timeInForce: "IOC", price: dec("100.2"), qty: dec("0.6") }),
    leg(1, { kind: "taker", cause: "reprice-exhausted", price: dec("100.2"), qty: dec("0.6"), ttlMs: 0, ts: 2_003 }),
    { type: "order.submitted", ts: 2_004, clientOrderId: t1, attempt: 1 },
    fill(t1, "0.6", { ts: 2_010, price: dec("100.1"), fee: dec("0.033"), liquidity: "taker", fillId: "ft1" }),
  ];
}

function replay(events: readonly HeanEvent[]): EngineState {
  const s = new EngineState(dec("10000"));
  for (const e of events) s.apply(e);
  return s;
}

test("apply builds the parent: legs, fills by liquidity, fees and rebates, expiry and fallback cause", () => {
  const p = replay(history()).parents.get(PARENT)!;
  assert.deepEqual(p.legs.map((l) => l.clientOrderId), [m1, t1]);
  assert.equal(p.filledQty, dec("1"));
  assert.equal(p.makerQty, dec("0.4"));
  assert.equal(p.feesPaid, dec("0.033"));
  assert.equal(p.rebates, dec("0.004"));
  assert.equal(p.ttlExpiries, 1);
  assert.equal(p.fallbackCause, "reprice-exhausted");
  assert.equal(p.lastFillAt, 2_010);
  const summary = doneEvent(p, "filled", "", 2_010);
  assert.equal(summary.avgPrice, dec("100.02"));
  assert.ok(Math.abs(summary.slippageBps! - 2) < 1e-9, "bought 2 bps above the arrival mid");
  assert.equal(summary.timeToFillMs, 1_010);
  assert.equal(summary.remainingQty, 0n);
});

test("replay and snapshot rebuild the same parents; done parents stop being working", () => {
  const events = [...history()];
  const live = replay(events);
  live.apply(doneEvent(live.parents.get(PARENT)!, "filled", "filled in full", 2_010));
  events.push(doneEvent(live.parents.get(PARENT)!, "filled", "filled in full", 2_010));
  const again = new EngineState(dec("10000"));
  for (const e of events.slice(0, -1)) again.apply(e);
  again.apply(events.at(-1)!);
  assert.deepEqual(again.parents.snapshot(), live.parents.snapshot());
  const restored = EngineState.fromSnapshot(decodeValue(encodeValue(live.snapshot())) as ReturnType<EngineState["snapshot"]>);
  assert.deepEqual(restored.parents.snapshot().map((p) => ({ ...p })), live.parents.snapshot().map((p) => ({ ...p })));
  assert.equal(restored.parents.count, 1);
  assert.equal(restored.parents.hasWorking("BTCUSDT"), false);
  assert.equal(live.parents.working().length, 0);
});

test("a snapshot from before the router restores with no parents", () => {
  const s = new EngineState(dec("10000"));
  const { parents: _omit, ...old } = s.snapshot();
  const restored = EngineState.fromSnapshot(old);
  assert.equal(restored.parents.count, 0);
});

test("illegal router events are refused and change nothing", () => {
  const s = replay(history().slice(0, 3));
  const before = JSON.stringify(encodeValue(s.parents.snapshot()));
  const refused: HeanEvent[] = [
    parent(),
    parent({ parentId: "other", qty: dec("0") }),
    leg(1),
    leg(2, { parentId: "nope" }),
    leg(2, { n: 0 }),
    leg(2, { qty: dec("-1") }),
    { type: "router.ttl-expired", ts: 2_000, parentId: PARENT, clientOrderId: "not-a-leg", action: "cancel", reason: "ttl", ttlMs: 0 },
    done({ parentId: "nope" }),
  ];
  for (const e of refused) assert.throws(() => s.apply(e), /ORDER_DUPLICATE|ORDER_INVALID|ORDER_UNKNOWN|EVENT_INVALID/, e.type);
  assert.equal(JSON.stringify(encodeValue(s.parents.snapshot())), before);
  s.apply(done());
  assert.throws(() => s.apply(leg(2)), /EVENT_INVALID/, "nothing happens to a parent after it ended");
  assert.throws(() => s.apply(done()), /EVENT_INVALID/);
});

test("an extension keeps the leg and moves its deadline, and counts against the reprices", () => {
  const s = replay(history().slice(0, 3));
  s.apply({ type: "router.ttl-expired", ts: 2_000, parentId: PARENT, clientOrderId: m1, action: "extend", reason: "ttl", ttlMs: 700 });
  const p = s.parents.get(PARENT)!;
  assert.equal(p.legs[0]!.deadline, 2_700);
  assert.equal(p.legs[0]!.ttlExpired, false);
  assert.equal(p.reprices, 1);
  assert.equal(p.ttlExpiries, 1);
});
