/**
 * The order tracker: each fact reaches the engine once and only when its state machine accepts
 * it, even while earlier events are still on their way through the inbox; fills once per execId
 * across sources; external fills; a terminal event the engine refused is sent again later.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { dec } from "../../../src/core/decimal.ts";
import type { HeanEvent } from "../../../src/core/events.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { engineAccountView } from "../../../src/venues/live/account-view.ts";
import { OrderTracker } from "../../../src/venues/live/order-tracker.ts";
import type { FillReport } from "../../../src/venues/venue.ts";

function setup(): { state: EngineState; tracker: OrderTracker; clock: SimClock; place: (id: string, submitted?: boolean) => void } {
  const clock = new SimClock(1_000_000);
  const state = new EngineState(dec("10000"));
  const tracker = new OrderTracker(engineAccountView(state, "rig-journal"), clock);
  const place = (id: string, submitted = true): void => {
    state.apply({ type: "order.intent", ts: 1, clientOrderId: id, strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.02"), price: dec("100"), timeInForce: "GTC", reduceOnly: false, purpose: "entry" });
    if (submitted) state.apply({ type: "order.submitted", ts: 1, clientOrderId: id, attempt: 1 });
  };
  return { state, tracker, clock, place };
}

const exec = (fillId: string, clientOrderId: string, qty = "0.01", symbol = "BTCUSDT"): FillReport => ({
  fillId,
  venueOrderId: "v1",
  clientOrderId,
  symbol,
  side: "buy",
  price: dec("100"),
  qty: dec(qty),
  fee: dec("0.0011"),
  liquidity: "maker",
  venueTs: 5,
});

const apply = (state: EngineState, e: HeanEvent | undefined): void => {
  assert.ok(e !== undefined);
  state.apply(e);
};

test("accepted once; nothing after a terminal event; the venue id is kept", () => {
  const { state, tracker, place } = setup();
  place("a");
  const t = tracker.get("a")!;
  const accepted = tracker.accepted(t, "v1");
  assert.equal(accepted?.type, "order.accepted");
  assert.equal(tracker.accepted(t, "v1"), undefined, "once, even before the engine applied it");
  assert.equal(tracker.rejected(t, "X", "late"), undefined, "no rejection after an acceptance");
  apply(state, accepted);
  const cancelled = tracker.ended(t, "cancelled", "user");
  assert.equal(cancelled?.type, "order.cancelled");
  assert.equal(tracker.ended(t, "expired", "again"), undefined);
  apply(state, cancelled);
  assert.equal(state.orders.get("a")!.status, "CANCELLED");
  assert.equal(state.orders.get("a")!.venueOrderId, "v1");
});

test("fills once per execId across stream and REST, also when the engine already has it; the order's fills stop a late terminal", () => {
  const { state, tracker, place } = setup();
  place("a");
  const t = tracker.get("a")!;
  const f1 = tracker.fill(exec("e1", "a"), "stream");
  assert.equal(f1?.fillId, "e1");
  assert.equal(f1?.clientOrderId, "a");
  assert.equal(tracker.fill(exec("e1", "a"), "reconciliation"), undefined);
  const f2 = tracker.fill(exec("e2", "a"), "reconciliation");
  assert.equal(tracker.projectedFilled("a"), dec("0.02"), "counted before the engine applies them");
  assert.equal(tracker.pendingQty("BTCUSDT"), dec("0.02"));
  assert.equal(tracker.ended(t, "cancelled", "race"), undefined, "fully filled: no cancel on top");
  assert.equal(tracker.accepted(t, "v1"), undefined, "fully filled: accepted would follow FILLED");
  apply(state, f1);
  apply(state, f2);
  assert.equal(state.orders.get("a")!.status, "FILLED");
  assert.equal(tracker.pendingQty("BTCUSDT"), dec("0"), "applied fills are no longer pending");
  const fresh = new OrderTracker(engineAccountView(state, "rig-journal"), new SimClock(0));
  assert.equal(fresh.fill(exec("e1", "a"), "reconciliation"), undefined, "the engine's own fill ids count too (after a restart)");
});

test("fills without a known orderLinkId, or that do not match the order, are adopted as external", () => {
  const { tracker, place } = setup();
  place("a");
  assert.equal(tracker.fill(exec("x1", ""), "stream")?.clientOrderId, undefined);
  assert.equal(tracker.fill(exec("x2", "not-ours"), "stream")?.clientOrderId, undefined);
  assert.equal(tracker.fill(exec("x3", "a", "0.01", "ETHUSDT"), "stream")?.clientOrderId, undefined);
});

test("an intent the journal left PENDING_SUBMIT: unknown first, then what the venue says is legal", () => {
  const { state, tracker, place } = setup();
  place("p", false);
  const t = tracker.get("p")!;
  assert.equal(t.phase, "in-doubt");
  assert.equal(tracker.accepted(t, "v9"), undefined, "PENDING_SUBMIT cannot be accepted directly");
  const unknown = tracker.unknown(t, "restart");
  assert.equal(unknown?.type, "order.unknown");
  const accepted = tracker.accepted(t, "v9");
  assert.equal(accepted?.type, "order.accepted", "legal once the unknown is applied, even if it is not yet");
  apply(state, unknown);
  apply(state, accepted);
  assert.equal(state.orders.get("p")!.status, "ACCEPTED");
});

test("a rejection that raced a cancel request still ends the order: PENDING_CANCEL accepts it", () => {
  const { state, tracker, place } = setup();
  place("a");
  const t = tracker.get("a")!;
  // The rejection is on its way through the inbox when the cancel request is recorded directly.
  const rejected = tracker.rejected(t, "NEVER_REACHED_VENUE", "gone");
  assert.equal(rejected?.type, "order.rejected");
  state.apply({ type: "order.cancel-requested", ts: 2, clientOrderId: "a", reason: "ttl" });
  apply(state, rejected);
  assert.equal(state.orders.get("a")!.status, "REJECTED");
  assert.equal(state.workingOrders().length, 0);
});

test("a late execution for an order that left the engine state is still that order's fill, once", () => {
  const clock = new SimClock(1_000_000);
  const state = new EngineState(dec("10000"), { recentTerminalOrders: 1 });
  const tracker = new OrderTracker(engineAccountView(state, "rig-journal"), clock);
  for (const id of ["a", "b", "c"]) {
    state.apply({ type: "order.intent", ts: 1, clientOrderId: id, strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.02"), price: dec("100"), timeInForce: "GTC", reduceOnly: false, purpose: "entry" });
    state.apply({ type: "order.submitted", ts: 1, clientOrderId: id, attempt: 1 });
    state.apply({ type: "order.cancelled", ts: 2, clientOrderId: id, reason: "user", postOnlyWouldTake: false });
  }
  assert.equal(state.orders.has("a"), false, "a left the state");
  const late = tracker.fill(exec("late", "a"), "reconciliation");
  assert.equal(late?.clientOrderId, "a", "not adopted as an external fill");
  apply(state, late);
  assert.equal(state.retiredOrder("a")?.filledQty, dec("0.01"));
  assert.equal(state.externalFillCount, 0);
  assert.equal(new OrderTracker(engineAccountView(state, "rig-journal"), clock).fill(exec("late", "a"), "stream"), undefined, "seen once, also after a restart");
  assert.equal(state.portfolio.position("BTCUSDT").qty, dec("0.01"));
});
