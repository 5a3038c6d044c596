import assert from "node:assert/strict";
import { test } from "node:test";
import { Fifo } from "../../src/core/fifo.ts";

test("first in, first out, across compactions", () => {
  const q = new Fifo<number>();
  assert.equal(q.length, 0);
  assert.equal(q.peek(), undefined);
  assert.equal(q.shift(), undefined);
  let pushed = 0;
  let shifted = 0;
  // Interleave so the dead prefix passes the compaction threshold many times.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 300; i++) q.push(pushed++);
    for (let i = 0; i < 250; i++) {
      assert.equal(q.peek(), shifted);
      assert.equal(q.shift(), shifted++);
    }
    assert.equal(q.length, pushed - shifted);
  }
  assert.deepEqual([...q], Array.from({ length: pushed - shifted }, (_, i) => shifted + i));
  while (q.length > 0) assert.equal(q.shift(), shifted++);
  assert.equal(shifted, pushed);
  assert.equal(q.shift(), undefined);
});
