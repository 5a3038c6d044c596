import { test } from "node:test";
import assert from "node:assert/strict";
import { type Dec, ZERO, dec } from "../../src/core/decimal.ts";
import { validateRiskConfig, type RiskConfig } from "../../src/risk/config.ts";
import { type MonitoredPosition, checkPosition, checkPositions, lastDeadline } from "../../src/risk/position-monitor.ts";
import type { BidAsk } from "../../src/core/bid-ask.ts";

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const DEFAULT = validateRiskConfig({});
const NO_STOPS: ReadonlyMap<string, number> = new Map();

function pos(over: Partial<MonitoredPosition> = {}): MonitoredPosition {
  // 1 long at an average of 100
  return { symbol: "TESTUSDT", qty: dec("1"), entryValue: dec("100"), openedAt: NOW - MIN, ...over };
}

const at = (bid: string, ask: string): ((s: string) => BidAsk | undefined) => () => ({ bid: dec(bid), ask: dec(ask) });
const noMarks = (): BidAsk | undefined => undefined;

function check(p: MonitoredPosition, marks = at("100", "100.1"), now = NOW, config: RiskConfig = DEFAULT, stops = NO_STOPS) {
  return checkPositions([p], marks, now, config, stops);
}

test("a position opened 20 minutes ago with a 15-minute max hold is closed for MAX_HOLD", () => {
  const d = check(pos({ openedAt: NOW - 20 * MIN }));
  assert.equal(d.length, 1);
  assert.equal(d[0]!.reason, "MAX_HOLD");
  assert.equal(d[0]!.symbol, "TESTUSDT");
  assert.equal(d[0]!.values.heldMs, String(20 * MIN));
  assert.match(d[0]!.detail, /max hold 900000 ms/);
});

test("max hold is inclusive at the limit and silent before it", () => {
  assert.deepEqual(check(pos({ openedAt: NOW - 15 * MIN + 1 })), []);
  assert.equal(check(pos({ openedAt: NOW - 15 * MIN }))[0]?.reason, "MAX_HOLD");
});

test("max hold counts from the journaled open time, so a restart does not reset it", () => {
  // The engine restarted 1 minute ago; the position was opened 16 minutes ago (replayed openedAt).
  const restartedAt = NOW - MIN;
  const d = check(pos({ openedAt: restartedAt - 15 * MIN }));
  assert.equal(d[0]?.reason, "MAX_HOLD");
});

test("a position whose open time is unknown is treated as past the max hold", () => {
  assert.equal(check(pos({ openedAt: null }))[0]?.reason, "MAX_HOLD");
});

test("flat positions are ignored", () => {
  assert.deepEqual(check(pos({ qty: ZERO, entryValue: ZERO, openedAt: null })), []);
});

test("stop-loss for a long is judged at the bid, for a short at the ask", () => {
  const config = validateRiskConfig({ stopLossPct: 2, maxHoldMs: 10 * 24 * 60 * MIN });
  // long 1 @ 100: bid 98 is −2 % → stop; bid 98.01 is not (even with the ask much lower, it is the bid that counts)
  assert.equal(check(pos(), at("98", "98.5"), NOW, config)[0]?.reason, "STOP_LOSS");
  assert.deepEqual(check(pos(), at("98.01", "98.02"), NOW, config), []);
  // short 1 @ 100: ask 102 is −2 % → stop; ask 101.99 is not
  const short = pos({ qty: dec("-1") });
  assert.equal(check(short, at("101", "102"), NOW, config)[0]?.reason, "STOP_LOSS");
  assert.deepEqual(check(short, at("101", "101.99"), NOW, config), []);
});

test("the operator's per-symbol stop (a percentage, as in risk.stoploss-set) wins over the config default", () => {
  const config = validateRiskConfig({ stopLossPct: 10 });
  const stops = new Map([["TESTUSDT", 1]]);
  const d = check(pos(), at("99", "99.1"), NOW, config, stops);
  assert.equal(d[0]?.reason, "STOP_LOSS");
  assert.equal(d[0]?.values.limitPct, "1");
  assert.equal(d[0]?.values.pnlPct, "-1");
  assert.equal(d[0]?.values.avgEntry, "100");
  // An unusable operator value falls back to the config's 10 %.
  assert.deepEqual(check(pos(), at("99", "99.1"), NOW, config, new Map([["TESTUSDT", Number.NaN]])), []);
  // 1 means 1 %, not 100 %: a 0.99 % loss does not trip it.
  assert.deepEqual(check(pos(), at("99.01", "99.1"), NOW, config, stops), []);
  // Without any stop configured, no stop-loss at all.
  assert.deepEqual(check(pos(), at("50", "50.1")), []);
});

test("take-profit at the conservative mark", () => {
  const config = validateRiskConfig({ takeProfitPct: 3 });
  assert.equal(check(pos(), at("103", "103.1"), NOW, config)[0]?.reason, "TAKE_PROFIT");
  // The ask is past 103 but a long can only sell at the bid.
  assert.deepEqual(check(pos(), at("102.9", "103.5"), NOW, config), []);
  const short = pos({ qty: dec("-2"), entryValue: dec("200") });
  assert.equal(check(short, at("96.9", "97"), NOW, config)[0]?.reason, "TAKE_PROFIT");
});

test("stop-loss takes precedence over an also-expired max hold; without a mark only time decides", () => {
  const config = validateRiskConfig({ stopLossPct: 1 });
  const old = pos({ openedAt: NOW - 60 * MIN });
  assert.equal(check(old, at("90", "90.1"), NOW, config)[0]?.reason, "STOP_LOSS");
  assert.equal(check(old, noMarks, NOW, config)[0]?.reason, "MAX_HOLD");
});

test("on a book (price rules only) a position past its max hold and horizon is judged by its stop alone", () => {
  const config = validateRiskConfig({ stopLossPct: 1, maxHoldMs: 15 * MIN, horizonUtc: { s1: "11:00" } });
  const old = pos({ openedAt: NOW - 60 * MIN, strategyId: "s1" });
  assert.equal(checkPosition(old, { bid: dec("100"), ask: dec("100.1") }, NOW, config, NO_STOPS, false), undefined);
  assert.equal(checkPosition(old, { bid: dec("90"), ask: dec("90.1") }, NOW, config, NO_STOPS, false)?.reason, "STOP_LOSS");
  // The watchdog's check (time included) still closes it.
  assert.equal(checkPosition(old, { bid: dec("100"), ask: dec("100.1") }, NOW, config, NO_STOPS)?.reason, "MAX_HOLD");
});

test("horizon: a position opened before today's HH:MM UTC deadline is closed once it has passed", () => {
  const config = validateRiskConfig({ horizonUtc: { impulse: "21:30" }, maxHoldMs: 10 * 24 * 60 * MIN });
  const opened = Date.UTC(2026, 0, 15, 20, 0);
  const p = pos({ strategyId: "impulse", openedAt: opened });
  assert.deepEqual(check(p, at("100", "100.1"), Date.UTC(2026, 0, 15, 21, 29, 59), config), [], "before the deadline");
  const d = check(p, at("100", "100.1"), Date.UTC(2026, 0, 15, 21, 30), config);
  assert.equal(d[0]?.reason, "HORIZON");
  assert.equal(d[0]?.values.deadline, String(Date.UTC(2026, 0, 15, 21, 30)));
  // Another strategy has no horizon.
  assert.deepEqual(check(pos({ strategyId: "churn", openedAt: opened }), at("100", "100.1"), Date.UTC(2026, 0, 15, 22), config), []);
  // No strategy: no horizon.
  assert.deepEqual(check(pos({ openedAt: opened }), at("100", "100.1"), Date.UTC(2026, 0, 15, 22), config), []);
});

test("horizon across midnight", () => {
  const config = validateRiskConfig({ horizonUtc: { impulse: "21:30" }, maxHoldMs: 10 * 24 * 60 * MIN });
  const after = Date.UTC(2026, 0, 16, 0, 30);
  // Opened yesterday after yesterday's deadline: today's 21:30 has not come yet → keep.
  const late = pos({ strategyId: "impulse", openedAt: Date.UTC(2026, 0, 15, 23, 0) });
  assert.deepEqual(check(late, at("100", "100.1"), after, config), []);
  assert.equal(check(late, at("100", "100.1"), Date.UTC(2026, 0, 16, 21, 30), config)[0]?.reason, "HORIZON");
  // Opened yesterday before yesterday's deadline, deadline missed (engine down): closed after midnight.
  const missed = pos({ strategyId: "impulse", openedAt: Date.UTC(2026, 0, 15, 20, 0) });
  const d = check(missed, at("100", "100.1"), after, config);
  assert.equal(d[0]?.reason, "HORIZON");
  assert.equal(d[0]?.values.deadline, String(Date.UTC(2026, 0, 15, 21, 30)));
});

test("horizon at 00:00 UTC", () => {
  const config = validateRiskConfig({ horizonUtc: { s: "00:00" }, maxHoldMs: 10 * 24 * 60 * MIN });
  const p = pos({ strategyId: "s", openedAt: Date.UTC(2026, 0, 15, 23, 59) });
  assert.deepEqual(check(p, at("100", "100.1"), Date.UTC(2026, 0, 15, 23, 59, 59), config), []);
  assert.equal(check(p, at("100", "100.1"), Date.UTC(2026, 0, 16, 0, 0), config)[0]?.reason, "HORIZON");
});

test("lastDeadline", () => {
  assert.equal(lastDeadline(Date.UTC(2026, 0, 16, 0, 30), 21 * 60 + 30), Date.UTC(2026, 0, 15, 21, 30));
  assert.equal(lastDeadline(Date.UTC(2026, 0, 16, 21, 30), 21 * 60 + 30), Date.UTC(2026, 0, 16, 21, 30));
});

test("several positions, one decision each, in input order", () => {
  const config = validateRiskConfig({ stopLossPct: 5 });
  const marks = (s: string): BidAsk | undefined =>
    s === "A" ? { bid: dec("90"), ask: dec("90.1") } : s === "B" ? { bid: dec("100"), ask: dec("100.1") } : undefined;
  const d = checkPositions(
    [
      pos({ symbol: "A" }),
      pos({ symbol: "B" }),
      pos({ symbol: "C", openedAt: NOW - 16 * MIN }),
      pos({ symbol: "D", qty: dec("-0.5"), entryValue: dec("50") as Dec }),
    ],
    marks,
    NOW,
    config,
    NO_STOPS,
  );
  assert.deepEqual(
    d.map((x) => [x.symbol, x.reason]),
    [
      ["A", "STOP_LOSS"],
      ["C", "MAX_HOLD"],
    ],
  );
});
