import assert from "node:assert/strict";
import { test } from "node:test";
import { CLIENT_ORDER_ID_MAX, clientOrderId } from "../../src/core/ids.ts";
import { legOrderId, parentOrderId } from "../../src/execution/router/ids.ts";

test("parent and leg ids: derived, within 36 venue-safe characters, never an executor id", () => {
  const parent = parentOrderId("ab12cd34", 1);
  assert.equal(parent, "hnab12cd34-p1");
  assert.equal(legOrderId(parent, "maker", 2), "hnab12cd34-p1-m2");
  assert.equal(legOrderId(parent, "taker", 1), "hnab12cd34-p1-t1");
  const big = legOrderId(parentOrderId("a-long-journal-id-that-is-hashed", Number.MAX_SAFE_INTEGER), "maker", 999);
  assert.ok(big.length <= CLIENT_ORDER_ID_MAX && /^[A-Za-z0-9_-]+$/.test(big), big);
  // Executor ids are hn<tag><base36 seq>: no dash, so they never equal a parent or leg id.
  for (let seq = 1; seq < 2_000; seq += 37) assert.ok(!clientOrderId("ab12cd34", seq).includes("-"));
  assert.throws(() => parentOrderId("ab12cd34", 0), /ORDER_INVALID/);
  assert.throws(() => parentOrderId("ab12cd34", 1.5), /ORDER_INVALID/);
});
