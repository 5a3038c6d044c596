/**
 * `order.cancelled` may carry the venue's cumulative fill (issue 10, defect 7): the engine keeps
 * it on the order, a late fill after it is still legal, a cancel without it (a journal written
 * before the field existed) replays as before, and an impossible figure is refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EngineState, type EngineSnapshot } from "../../src/engine/engine-state.ts";
import { decodeEvent, decodeValue, encodeEvent, encodeValue } from "../../src/journal/codec.ts";
import { accepted, cancelled, fill, intent, submitted } from "./fixtures.ts";

function stateWith(...events: HeanEvent[]): EngineState {
  const st = new EngineState(dec("10000"));
  for (const e of events) st.apply(e);
  return st;
}

test("the cumulative fill a cancel reports is kept; the late fill it announced still lands, once", () => {
  const st = stateWith(intent("a", { qty: dec("1") }), submitted("a"), accepted("a"), fill("f1", "a", "0.2", "100"));
  // Through the journal codec, as a replay would read it.
  const cancel = decodeEvent(encodeEvent({ ...cancelled("a"), filledQty: dec("0.5") }));
  st.apply(cancel);
  const o = st.orders.get("a")!;
  assert.equal(o.status, "CANCELLED");
  assert.equal(o.venueFilledQty, dec("0.5"));
  assert.equal(o.filledQty, dec("0.2"));
  st.apply(fill("f2", "a", "0.3", "100"));
  assert.equal(st.apply(fill("f2", "a", "0.3", "100", { source: "reconciliation" })), "duplicate-fill");
  assert.equal(o.filledQty, dec("0.5"));
  assert.equal(o.status, "CANCELLED");
  assert.equal(st.portfolio.position("BTCUSDT").qty, dec("0.5"));
  assert.deepEqual(EngineState.fromSnapshot(st.snapshot()).snapshot(), st.snapshot());
  const restored = EngineState.fromSnapshot(decodeValue(encodeValue(st.snapshot())) as EngineSnapshot);
  assert.equal(restored.orders.get("a")!.venueFilledQty, dec("0.5"), "kept through a written snapshot");
});

test("a cancel without the figure (older journals, venues that do not say) replays as before", () => {
  const old = JSON.parse(encodeEvent(cancelled("a"))) as Record<string, unknown>;
  assert.equal("filledQty" in old, false);
  const st = stateWith(intent("a"), submitted("a"), accepted("a"), decodeEvent(JSON.stringify(old)));
  const o = st.orders.get("a")!;
  assert.equal(o.status, "CANCELLED");
  assert.equal("venueFilledQty" in o, false);
  const restored = EngineState.fromSnapshot(decodeValue(encodeValue(st.snapshot())) as EngineSnapshot);
  assert.equal("venueFilledQty" in restored.orders.get("a")!, false);
});

test("a cumulative fill beyond the order or below zero is refused and changes nothing", () => {
  for (const bad of ["1.5", "-0.1"]) {
    const st = stateWith(intent("a", { qty: dec("1") }), submitted("a"), accepted("a"));
    const before = st.snapshot();
    assert.throws(
      () => st.apply({ ...cancelled("a"), filledQty: dec(bad) }),
      (e: unknown) => isHeanError(e, "EVENT_INVALID") && /cumulative fill/.test((e as Error).message),
    );
    assert.deepEqual(st.snapshot(), before);
  }
});
