import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertSameShape } from "../shared/shape.ts";

describe("assertSameShape (the fixture comparator)", () => {
  const sample = { a: "1", b: { c: 2, d: [{ e: true }] }, m: { MNT: "0.1" } };
  it("accepts the same keys and types, whatever the values", () => {
    assertSameShape({ a: "x", b: { c: 9, d: [{ e: false }, { e: true }] }, m: { MNT: "3" } }, sample);
  });
  it("refuses a missing key, an extra key, a changed type, a wrong array item", () => {
    assert.throws(() => assertSameShape({ a: "x", b: { c: 9, d: [] } }, sample), /keys of \(root\)/);
    assert.throws(() => assertSameShape({ ...sample, z: 1 }, sample), /keys of \(root\)/);
    assert.throws(() => assertSameShape({ ...sample, a: 1 }, sample), /type of a/);
    assert.throws(() => assertSameShape({ ...sample, b: { c: 2, d: [{ e: "true" }] } }, sample), /type of b\.d\[\]\.e/);
  });
  it("compares only value types inside record-like objects", () => {
    assertSameShape({ ...sample, m: { USDT: "1", BTC: "2" } }, sample, { records: ["m"] });
    assert.throws(() => assertSameShape({ ...sample, m: { USDT: 1 } }, sample, { records: ["m"] }), /type of m\.USDT/);
  });
});
