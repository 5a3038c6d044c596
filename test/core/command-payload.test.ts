import assert from "node:assert/strict";
import { test } from "node:test";
import { commandPayload } from "../../src/core/command-payload.ts";

test("a command's payload: key order does not matter; type, argument names and values do", () => {
  const base = commandPayload("set-stoploss", { symbol: "BTCUSDT", pct: 2, reason: "x" });
  assert.equal(commandPayload("set-stoploss", { reason: "x", pct: 2, symbol: "BTCUSDT" }), base);
  assert.notEqual(commandPayload("set-stoploss", { symbol: "BTCUSDT", pct: 2.5, reason: "x" }), base);
  assert.notEqual(commandPayload("set-stoploss", { symbol: "BTCUSDT", pct: 2 }), base);
  assert.notEqual(commandPayload("set-stoploss", { symbol: "ETHUSDT", pct: 2, reason: "x" }), base);
  assert.notEqual(commandPayload("stop", {}), commandPayload("cancel-all", {}));
  // An argument name and a value cannot be shuffled into the same string.
  assert.notEqual(commandPayload("stop", { reason: "a" }), commandPayload("stop", { a: "reason" }));
});
