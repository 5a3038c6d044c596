/**
 * hean never sends a client order id twice, even after its state and the venue have forgotten
 * the order that used it: ids are derived from journaled counters (`core/ids.ts`), not checked
 * against a memory. The executor's id is `clientOrderId(journal id, intentCount + 1)`
 * (`execution/executor.ts`), and `intentCount` counts every intent ever applied, restored by
 * snapshot and replay; router parents count on from `ParentBook.count` (pruned ones included)
 * and their legs from the parent's own legs (`execution/router/router.ts`).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { clientOrderId } from "../../src/core/ids.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { decodeValue, encodeValue } from "../../src/journal/codec.ts";
import { accepted, cancelled, fill, intent, submitted } from "./fixtures.ts";

const options = { recentTerminalOrders: 10, rememberedOrders: 1_000, rememberedFillIds: 1_000 };

/** One order the way the executor names it, to its end. */
function placeAndCancel(st: EngineState, journalId: string): string {
  const id = clientOrderId(journalId, st.intentCount + 1);
  for (const e of [intent(id), submitted(id), accepted(id), cancelled(id)]) st.apply(e);
  return id;
}

test("executor ids never repeat once the engine forgot the orders, across a restart from a snapshot", () => {
  const journalId = "abcd1234";
  let st = new EngineState(dec("1000000"), options);
  const ids = new Set<string>();
  for (let n = 0; n < 3_000; n++) {
    ids.add(placeAndCancel(st, journalId));
    if (n === 1_500) st = EngineState.fromSnapshot(decodeValue(encodeValue(st.snapshot())) as ReturnType<EngineState["snapshot"]>, options);
  }
  assert.equal(ids.size, 3_000);
  // The first order is forgotten (its duplicate check is gone): the derivation alone keeps ids unique.
  assert.equal(st.retiredOrder(clientOrderId(journalId, 1)), undefined);
  assert.equal(st.snapshot().retiredOrders.length, 1_000);
});

test("a snapshot holding more than today's config remembers is cut down to it on restore", () => {
  const big = new EngineState(dec("1000000"), { ...options, rememberedOrders: 2_000, rememberedFillIds: 2_000 });
  for (let n = 0; n < 2_500; n++) {
    placeAndCancel(big, "abcd1234");
    big.apply(fill(`f${n}`, undefined, "1", "100"));
  }
  assert.equal(big.snapshot().retiredOrders.length, 2_000);
  assert.equal(big.snapshot().fillIds.length, 2_000);
  const small = EngineState.fromSnapshot(big.snapshot(), options);
  assert.equal(small.snapshot().retiredOrders.length, 1_000);
  assert.equal(small.snapshot().fillIds.length, 1_000);
  // The newest are the ones kept.
  assert.ok(small.hasFill("f2499") && !small.hasFill("f1499"));
});
