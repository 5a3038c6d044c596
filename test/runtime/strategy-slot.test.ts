/** The fence around one strategy: what a throw disables it with, reported once. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StrategySlot } from "../../src/runtime/strategy-slot.ts";

function slot(): { slot: StrategySlot; reports: string[] } {
  const reports: string[] = [];
  const s = new StrategySlot({ strategy: { id: "s", onBook: () => undefined }, symbols: ["BTCUSDT"], capitalShare: 1 }, ["BTCUSDT"], () => 1_000, (_, handler, problem) => reports.push(`${handler} ${problem}`));
  return { slot: s, reports };
}

test("a throw disables the slot once, with the error, where it was thrown, and no more data", () => {
  const { slot: s, reports } = slot();
  assert.equal(s.trades("BTCUSDT"), true);
  s.call("onBook", () => {
    throw new TypeError("x is undefined");
  });
  assert.equal(reports.length, 1);
  assert.match(reports[0]!, /^onBook threw TypeError: x is undefined \(at \S+strategy-slot\.test\.ts:\d+:\d+\)$/);
  assert.equal(s.trades("BTCUSDT"), false);
  s.fail("onTrade", new Error("again"));
  assert.equal(reports.length, 1, "reported once");
});

test("a strategy's own text is bounded: a huge message is cut, a thrown non-error named as it is", () => {
  const big = slot();
  big.slot.fail("onBook", new Error("y".repeat(100_000)));
  assert.ok(big.reports[0]!.length < 500, `${big.reports[0]!.length} characters`);
  assert.match(big.reports[0]!, /^onBook threw Error: y{300}… \(at /);
  const odd = slot();
  odd.slot.fail("onTimer", "just a string");
  assert.deepEqual(odd.reports, ["onTimer threw UNKNOWN: just a string"]);
});
