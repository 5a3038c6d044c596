import assert from "node:assert/strict";
import { test } from "node:test";
import { didYouMean, editDistance, suggest } from "../../src/core/suggest.ts";

test("edit distance counts a swap of neighbours as one edit, ignoring case", () => {
  assert.equal(editDistance("rnu", "run"), 1);
  assert.equal(editDistance("RUN", "run"), 0);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
});

test("suggest ranks close words first and offers nothing for unrelated ones", () => {
  assert.deepEqual(suggest("impuls", ["impulse", "churn", "none"]), ["impulse"]);
  assert.deepEqual(suggest("order.fill", ["order.filled", "order.intent", "mark"]), ["order.filled"]);
  assert.deepEqual(suggest("--durtion", ["--duration", "--journal"]), ["--duration"]);
  assert.deepEqual(suggest("ord", ["order.intent", "mark", "order.filled"]), ["order.filled", "order.intent"]);
  assert.deepEqual(suggest("zzzzzz", ["impulse", "churn", "none"]), []);
  assert.deepEqual(suggest("", ["a"]), []);
  // Only the case is wrong: that word, not its near neighbours too.
  assert.deepEqual(suggest("aggtrades", ["aggTrades", "trades", "klines"]), ["aggTrades"]);
});

test("didYouMean names the nearest and lists every valid word", () => {
  assert.equal(didYouMean("trnd", ["calm", "trend"]), 'did you mean "trend"? (valid: calm, trend)');
  assert.equal(didYouMean("qqq", ["calm", "trend"]), "(valid: calm, trend)");
  assert.match(didYouMean("a", ["b", "c", "d"], 2), /\(valid: b, c, … 1 more\)/);
});
