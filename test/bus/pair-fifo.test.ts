import assert from "node:assert/strict";
import { test } from "node:test";
import { PairFifo } from "../../src/bus/pair-fifo.ts";

test("pairs come out first in, first out, together, across growth and wrap-around", () => {
  const q = new PairFifo<number, string>();
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
  let pushed = 0;
  let shifted = 0;
  // Push more than is shifted each round so the ring wraps and grows several times.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 300; i++, pushed++) q.push(pushed, `s${pushed}`);
    for (let i = 0; i < 250; i++, shifted++) {
      assert.equal(q.shift(), shifted);
      assert.equal(q.second, `s${shifted}`);
    }
    assert.equal(q.length, pushed - shifted);
  }
  for (; q.length > 0; shifted++) {
    assert.equal(q.shift(), shifted);
    assert.equal(q.second, `s${shifted}`);
  }
  assert.equal(shifted, pushed);
  assert.equal(q.shift(), undefined);
});
