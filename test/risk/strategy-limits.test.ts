import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { validateRiskConfig } from "../../src/risk/config.ts";
import { type MonitoredPosition, checkPositions, withStrategyLimits } from "../../src/risk/position-monitor.ts";

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const base = validateRiskConfig({ horizonUtc: { other: "08:00" } });
const config = withStrategyLimits(base, [
  { id: "fast", maxHoldMs: 2 * MIN },
  { id: "slow", maxHoldMs: 60 * MIN, horizonUtc: "11:30" },
  { id: "plain" },
]);
const pos = (strategyId: string | undefined, heldMin: number, symbol = "BTCUSDT"): MonitoredPosition => ({ symbol, qty: dec("1"), entryValue: dec("100"), openedAt: NOW - heldMin * MIN, strategyId });
const check = (p: MonitoredPosition) => checkPositions([p], () => ({ bid: dec("100"), ask: dec("100.1") }), NOW, config, new Map());

test("each strategy's positions exit at its own max hold; others at risk.maxHoldMs", () => {
  assert.equal(check(pos("fast", 3))[0]?.reason, "MAX_HOLD");
  assert.match(check(pos("fast", 3))[0]!.detail, /max hold 120000 ms of strategy fast/);
  assert.equal(check(pos("fast", 3))[0]!.values.strategyId, "fast");
  assert.deepEqual(check(pos("fast", 1)), []);
  assert.deepEqual(check(pos("slow", 20)), [], "longer than the account-wide 15 min is its own choice");
  assert.equal(check(pos("slow", 61))[0]?.reason, "MAX_HOLD");
  assert.equal(check(pos("plain", 16))[0]?.reason, "MAX_HOLD", "no max hold of its own: risk.maxHoldMs (15 min)");
  assert.equal(check(pos(undefined, 16))[0]?.reason, "MAX_HOLD");
});

test("a strategy's horizon joins the configured ones", () => {
  assert.deepEqual(config.horizonUtc, { other: "08:00", slow: "11:30" });
  // Opened 40 minutes ago (11:20), the 11:30 deadline passed at 11:30: closed for HORIZON.
  assert.equal(check(pos("slow", 40))[0]?.reason, "HORIZON");
  assert.deepEqual(check(pos("slow", 20)), [], "opened after the deadline");
  assert.equal(base.maxHoldMsByStrategy, undefined, "the account-wide config is left as it was");
});
