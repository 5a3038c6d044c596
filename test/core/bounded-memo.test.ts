import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundedMemo } from "../../src/core/bounded-memo.ts";

test("a bounded memo answers as its function, computes a repeated key once, and is cleared whole when full", () => {
  const computed: number[] = [];
  const memo = new BoundedMemo<number, string>(3, (n) => {
    computed.push(n);
    return `v${n}`;
  });
  assert.deepEqual([1, 2, 1, 3, 2].map((n) => memo.get(n)), ["v1", "v2", "v1", "v3", "v2"]);
  assert.deepEqual(computed, [1, 2, 3]);
  // Full at 3: the fourth key clears it, so 1 is computed again afterwards.
  assert.equal(memo.get(4), "v4");
  assert.equal(memo.get(1), "v1");
  assert.deepEqual(computed, [1, 2, 3, 4, 1]);
});
