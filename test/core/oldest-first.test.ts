import assert from "node:assert/strict";
import { test } from "node:test";
import { OldestFirst } from "../../src/core/oldest-first.ts";

test("OldestFirst gives what keys().next() gives, under adds, re-adds, middle deletes and emptying", () => {
  // A fixed pseudo-random sequence (no Math.random: the same run every time).
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const map = new Map<number, number>();
  const set = new Set<number>();
  const oldestMap = new OldestFirst(map);
  const oldestSet = new OldestFirst(set);
  for (let step = 0; step < 20_000; step++) {
    const op = rnd(10);
    const key = rnd(300);
    if (op < 5) {
      map.set(key, step);
      set.add(key);
    } else if (op < 7) {
      map.delete(key);
      set.delete(key);
    } else {
      const expected = map.keys().next().value;
      const gotMap = oldestMap.take();
      const gotSet = oldestSet.take();
      assert.equal(gotMap, expected);
      assert.equal(gotSet, set.keys().next().value);
      if (gotMap !== undefined) map.delete(gotMap);
      if (gotSet !== undefined) set.delete(gotSet);
    }
  }
});
