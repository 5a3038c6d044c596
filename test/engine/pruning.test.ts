/**
 * Defect 10: terminal orders left the engine state never, so snapshots and reports grew with the
 * length of a run. The state keeps the working orders and a recent window of terminal ones (and
 * of ended router parents); what leaves is remembered compactly, so a late or repeated venue
 * report about it is neither lost nor counted twice.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EngineState, type EngineSnapshot, type EngineStateOptions } from "../../src/engine/engine-state.ts";
import { decodeValue, encodeValue } from "../../src/journal/codec.ts";
import { doneEvent } from "../../src/execution/router/summary.ts";
import { accepted, cancelled, fill, intent, submitted } from "./fixtures.ts";
import { fill as legFill, leg, parent } from "../router/fixtures.ts";

/** One standalone order, placed and ended: filled in full, or cancelled after a partial fill. */
function order(n: number): HeanEvent[] {
  const id = `o${n}`;
  const ts = 1_000 + n * 10;
  const end: HeanEvent[] =
    n % 2 === 0
      ? [fill(`f${n}`, id, "1", "100", { ts: ts + 3 })]
      : [fill(`f${n}`, id, "0.5", "100", { ts: ts + 3 }), cancelled(id)];
  return [intent(id, { ts, side: "buy" }), submitted(id), accepted(id), ...end];
}

function run(events: Iterable<HeanEvent>, options: EngineStateOptions): EngineState {
  const st = new EngineState(dec("1000000"), options);
  for (const e of events) st.apply(e);
  return st;
}

function* orders(from: number, to: number): Generator<HeanEvent> {
  for (let n = from; n < to; n++) yield* order(n);
}

const roundTrip = (st: EngineState): EngineSnapshot => decodeValue(encodeValue(st.snapshot())) as EngineSnapshot;

describe("terminal orders leave the state", () => {
  test("a long run keeps the state and its snapshot bounded; totals still count every order", () => {
    const options = { recentTerminalOrders: 20, rememberedOrders: 100, rememberedFillIds: 200, performance: { recentTrades: 20, curvePoints: 8, originWindow: 100 } };
    const st = new EngineState(dec("1000000"), options);
    const sizes: number[] = [];
    for (let n = 0; n < 4_000; n++) {
      for (const e of order(n)) st.apply(e);
      if (n === 999 || n === 3_999) sizes.push(encodeValue(st.snapshot()).length);
    }
    assert.equal(st.orders.size, 20, "only the 20 most recent terminal orders (none is working)");
    assert.deepEqual([...st.orders.keys()], Array.from({ length: 20 }, (_, i) => `o${3_980 + i}`));
    assert.equal(st.snapshot().retiredOrders.length, 100);
    assert.equal(st.snapshot().fillIds.length, 200);
    assert.equal(st.intentCount, 4_000);
    assert.equal(st.fillCount, 4_000);
    // Same shape, ids one digit longer at most: the size no longer depends on the run's length.
    assert.ok(sizes[1]! < sizes[0]! * 1.05, `snapshot grew from ${sizes[0]} to ${sizes[1]} bytes`);
  });

  test("working orders stay whatever their age; the window counts terminal ones only", () => {
    const st = run([intent("old"), submitted("old"), accepted("old"), ...orders(0, 50)], { recentTerminalOrders: 5 });
    assert.equal(st.orders.get("old")?.status, "ACCEPTED");
    assert.deepEqual(
      st.workingOrders().map((o) => o.clientOrderId),
      ["old"],
    );
    assert.equal(st.orders.size, 6);
  });

  test("a snapshot plus the tail rebuilds exactly the state a full replay does", () => {
    const events = [...orders(0, 300)];
    const options = { recentTerminalOrders: 7 };
    const live = run(events, options);
    const half = run(events.slice(0, 601), options);
    const resumed = EngineState.fromSnapshot(roundTrip(half), options);
    for (const e of events.slice(601)) resumed.apply(e);
    assert.deepEqual(roundTrip(resumed), roundTrip(live));
    assert.deepEqual(roundTrip(run(events, options)), roundTrip(live));
  });

  test("a late fill for a pruned order lands on it once: not lost, not counted twice", () => {
    // o1 is cancelled with 0.5 of 1 filled, then 10 more orders push it out of the window.
    const st = run(orders(1, 12), { recentTerminalOrders: 3 });
    assert.equal(st.orders.has("o1"), false, "o1 left the state");
    const fills = st.fillCount;
    const qty = st.portfolio.position("BTCUSDT").qty;

    const late = fill("late-1", "o1", "0.5", "100", { ts: 9_000 });
    assert.equal(st.apply(late), "applied", "the fill that raced the cancel counts");
    assert.equal(st.fillCount, fills + 1);
    assert.equal(st.portfolio.position("BTCUSDT").qty, qty + dec("0.5"));
    assert.equal(st.retiredOrder("o1")?.filledQty, dec("1"));
    assert.equal(st.retiredOrder("o1")?.status, "CANCELLED");
    assert.equal(st.externalFillCount, 0, "it is o1's fill, not an external one");

    assert.equal(st.apply(late), "duplicate-fill", "the same execution again changes nothing");
    assert.equal(st.fillCount, fills + 1);
    assert.equal(st.portfolio.position("BTCUSDT").qty, qty + dec("0.5"));

    assert.throws(() => st.apply(fill("late-2", "o1", "0.1", "100")), { code: "FILL_OVERFILL" });
    assert.throws(() => st.apply(fill("late-3", "o2", "0.1", "100")), { code: "FILL_OVERFILL" }, "o2 was filled in full");
    assert.throws(() => st.apply(intent("o1")), { code: "ORDER_DUPLICATE" }, "a pruned id is never reused");
    assert.equal(st.fillCount, fills + 1);
  });

  test("what is remembered of pruned orders survives a snapshot", () => {
    const options = { recentTerminalOrders: 3 };
    const restored = EngineState.fromSnapshot(roundTrip(run(orders(1, 12), options)), options);
    assert.equal(restored.apply(fill("late-1", "o1", "0.5", "100")), "applied");
    assert.equal(restored.apply(fill("f1", "o1", "0.5", "100")), "duplicate-fill");
    assert.throws(() => restored.apply(intent("o3")), { code: "ORDER_DUPLICATE" });
  });

  test("a smaller window on restart applies at once", () => {
    const snap = roundTrip(run(orders(0, 40), { recentTerminalOrders: 30 }));
    assert.equal(snap.orders.length, 30);
    const st = EngineState.fromSnapshot(snap, { recentTerminalOrders: 4 });
    assert.deepEqual([...st.orders.keys()], ["o36", "o37", "o38", "o39"]);
  });
});

describe("router parents leave the state with their legs", () => {
  const P = (i: number): string => `hnab12cd34-p${i}`;

  /** Parent i: one maker leg that fills in full, then done. */
  function parentRun(st: EngineState, i: number): void {
    const id = `${P(i)}-m1`;
    const ts = 1_000 + i * 100;
    st.apply(intent(id, { parentId: P(i), timeInForce: "POST_ONLY", price: dec("99.9"), ts }));
    st.apply(parent({ parentId: P(i), ts }));
    st.apply(leg(1, { parentId: P(i), clientOrderId: id, ts }));
    st.apply(submitted(id));
    st.apply(accepted(id));
    st.apply(legFill(id, "1", { ts: ts + 50, fillId: `f-${i}` }));
    st.apply(doneEvent(st.parents.get(P(i))!, "filled", "", ts + 50));
  }

  test("ended parents beyond the window go, their legs with them; ids keep counting", () => {
    const st = new EngineState(dec("1000000"), { recentTerminalOrders: 2 });
    for (let i = 1; i <= 6; i++) parentRun(st, i);
    assert.deepEqual([...st.parents.all()].map((p) => p.parentId), [P(5), P(6)]);
    assert.deepEqual([...st.orders.keys()], [`${P(5)}-m1`, `${P(6)}-m1`]);
    assert.equal(st.parents.count, 6, "the next parent id counts on from every parent ever made");
    assert.equal(st.retiredOrder(`${P(1)}-m1`)?.parentId, P(1));
  });

  test("the legs of a working parent stay, however many orders end meanwhile", () => {
    const st = new EngineState(dec("1000000"), { recentTerminalOrders: 2 });
    const m1 = `${P(1)}-m1`;
    st.apply(intent(m1, { parentId: P(1), timeInForce: "POST_ONLY", price: dec("99.9") }));
    st.apply(parent({ parentId: P(1) }));
    st.apply(leg(1, { parentId: P(1), clientOrderId: m1 }));
    st.apply(submitted(m1));
    st.apply(accepted(m1));
    st.apply(legFill(m1, "0.4"));
    st.apply(cancelled(m1));
    for (const e of orders(0, 20)) st.apply(e);
    assert.equal(st.orders.get(m1)?.status, "CANCELLED", "the router still reads its ended leg");
    assert.equal(st.parents.get(P(1))?.filledQty, dec("0.4"));
    st.apply(doneEvent(st.parents.get(P(1))!, "cancelled", "", 5_000));
    for (let i = 2; i <= 3; i++) parentRun(st, i);
    assert.equal(st.orders.has(m1), false, "gone with its parent");
    assert.equal(st.parents.get(P(1)), undefined);
  });
});
