/** The fence around one strategy: what a throw disables it with, reported once. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StrategySlot } from "../../src/runtime/strategy-slot.ts";
import { FileStrategy } from "../../src/strategies/load.ts";

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

test("a module's handler returning what cannot be a signal is a bad signal, said once, without a place in hean's code", () => {
  // It read "onTimer threw STRATEGY_INVALID: STRATEGY_INVALID: strategy t: onTimer must return a
  // list of signals, got object (at …/src/strategies/load.ts:221:36)": a throw, the code twice,
  // and a line of hean's adapter instead of what the strategy did.
  const view = { now: () => 1_000, positionQty: () => 0, hasWorkingOrders: () => false };
  const module = new FileStrategy("t", { onBook: () => "hello" as never, onTimer: () => ({ action: "close" }) as never }, ["BTCUSDT"]);
  const timer = slot();
  timer.slot.call("onTimer", () => module.onTimer(view));
  assert.deepEqual(timer.reports, ["onTimer returned a bad signal: onTimer must return a list of signals, got object"]);
  const book = slot();
  book.slot.call("onBook", () => module.onBook({ type: "book", symbol: "BTCUSDT", ts: 1, bid: 100n, bidQty: 1n, ask: 101n, askQty: 1n, afterGap: false } as never, view));
  assert.deepEqual(book.reports, ['onBook returned a bad signal: a signal must be an object, got "hello"']);
  const noSymbol = slot();
  const two = new FileStrategy("t", { onBook: () => undefined, onTimer: () => [{ action: "close" }] as never }, ["BTCUSDT", "ETHUSDT"]);
  noSymbol.slot.call("onTimer", () => two.onTimer(view));
  assert.match(noSymbol.reports[0]!, /^onTimer returned a bad signal: signal\.symbol is required unless the strategy trades one symbol \(it trades BTCUSDT, ETHUSDT\)$/);
});
