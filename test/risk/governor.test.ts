import { test } from "node:test";
import assert from "node:assert/strict";
import type { RiskState } from "../../src/core/events.ts";
import { validateRiskConfig, type RiskConfig } from "../../src/risk/config.ts";
import {
  type GovernorInput,
  drawdownReferenceEquity,
  evaluateGovernor,
  governorMetrics,
  resetHardStop,
  sizeFactor,
} from "../../src/risk/governor.ts";
import { updateDayAnchor, utcDayStart } from "../../src/risk/utc-day.ts";

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;
const DEFAULT = validateRiskConfig({});
const HWM50 = validateRiskConfig({ drawdownReference: { kind: "high-water-mark", protectedProfitPct: 50 } });

/**
 * Equity 1000 at start; override what a test is about. Unless given, the day started at the
 * current equity (no daily loss), so drawdown tests see drawdown alone.
 */
function input(over: Partial<GovernorInput>): GovernorInput {
  const equity = over.equity ?? 1000;
  return { state: "NORMAL", since: T0 - 10 * MIN, now: T0, equity, initialCapital: 1000, highWaterMark: 1000, dayStartEquity: equity, ...over };
}

function next(over: Partial<GovernorInput>, config: RiskConfig = DEFAULT): RiskState | undefined {
  return evaluateGovernor(input(over), config)?.next;
}

test("the audit's profit case: start 300, grow to 1000, dip to 900 stays NORMAL (default reference)", () => {
  const i = { initialCapital: 300, highWaterMark: 1000, equity: 900, dayStartEquity: 900 };
  assert.equal(next(i), undefined);
  assert.equal(governorMetrics(input(i), DEFAULT)!.drawdownPct, 0);
});

test("the audit's profit case under high-water-mark with 50 % protected: 900 is above 650", () => {
  const i = { initialCapital: 300, highWaterMark: 1000, equity: 900, dayStartEquity: 900 };
  assert.equal(drawdownReferenceEquity(300, 1000, HWM50), 650);
  assert.equal(next(i, HWM50), undefined);
  assert.equal(governorMetrics(input(i), HWM50)!.drawdownPct, 0);
  // Giving back more than the unprotected half counts: 650 × 0.95 = 617.5 is the soft brake line.
  assert.equal(next({ ...i, equity: 617, dayStartEquity: 617 }, HWM50), "SOFT_BRAKE");
  assert.equal(next({ ...i, equity: 618, dayStartEquity: 618 }, HWM50), undefined);
});

test("high-water-mark with 100 % protected is the classic drawdown from the peak", () => {
  const c = validateRiskConfig({ drawdownReference: { kind: "high-water-mark", protectedProfitPct: 100 } });
  assert.equal(next({ initialCapital: 300, highWaterMark: 1000, equity: 900, dayStartEquity: 900 }, c), "QUARANTINE");
});

test("high-water-mark never sits below the initial capital", () => {
  assert.equal(drawdownReferenceEquity(1000, 800, HWM50), 1000);
});

test("NORMAL → SOFT_BRAKE at the drawdown threshold (inclusive), with reasons and values", () => {
  assert.equal(next({ equity: 950.01 }), undefined);
  const d = evaluateGovernor(input({ equity: 950 }), DEFAULT)!;
  assert.equal(d.next, "SOFT_BRAKE");
  assert.deepEqual(d.reasons, ["drawdown 5% ≥ soft-brake threshold 5%"]);
  assert.equal(d.values.drawdownPct, "5");
  assert.equal(d.values.drawdownThresholdPct, "5");
  assert.equal(d.values.equity, "950");
  assert.equal(d.values.reference, "1000");
});

test("escalation is immediate and jumps straight to the worst level breached", () => {
  assert.equal(next({ equity: 920 }), "QUARANTINE");
  assert.equal(next({ equity: 880 }), "HARD_STOP");
  assert.equal(next({ state: "SOFT_BRAKE", since: T0, equity: 880 }), "HARD_STOP");
  assert.equal(next({ state: "QUARANTINE", since: T0 - 1, equity: 870 }), "HARD_STOP");
});

test("escalation ignores the dwell time", () => {
  assert.equal(next({ state: "SOFT_BRAKE", since: T0, now: T0, equity: 910 }), "QUARANTINE");
});

test("daily loss escalates on its own thresholds", () => {
  // Up overall (no drawdown), but down 3 / 5 / 8 % since 00:00 UTC.
  const base = { initialCapital: 500, highWaterMark: 1000, dayStartEquity: 1000 };
  assert.equal(next({ ...base, equity: 971 }), undefined);
  const soft = evaluateGovernor(input({ ...base, equity: 970 }), DEFAULT)!;
  assert.equal(soft.next, "SOFT_BRAKE");
  assert.deepEqual(soft.reasons, ["daily loss 3% ≥ soft-brake threshold 3%"]);
  assert.equal(next({ ...base, equity: 950 }), "QUARANTINE");
  assert.equal(next({ ...base, equity: 920 }), "HARD_STOP");
});

test("when both metrics breach, the reasons name both and the worst level wins", () => {
  const d = evaluateGovernor(input({ equity: 900, dayStartEquity: 1000 }), DEFAULT)!;
  assert.equal(d.next, "HARD_STOP"); // daily loss 10 % ≥ 8 %, drawdown 10 % is only quarantine
  assert.deepEqual(d.reasons, ["drawdown 10% ≥ quarantine threshold 8%", "daily loss 10% ≥ hard-stop threshold 8%"]);
});

test("de-escalation waits for the minimum dwell time", () => {
  const s = { state: "SOFT_BRAKE" as const, equity: 1000 };
  assert.equal(next({ ...s, since: T0 - MIN + 1 }), undefined);
  assert.equal(next({ ...s, since: T0 - MIN }), "NORMAL");
});

test("de-escalation needs the metric below the entering threshold minus the hysteresis band", () => {
  const s = { state: "SOFT_BRAKE" as const, since: T0 - 10 * MIN };
  // drawdown 4.5 %: below 5 % but inside the 1-point band → stay
  assert.equal(next({ ...s, equity: 955 }), undefined);
  // drawdown exactly 4 %: not below 4 % → stay
  assert.equal(next({ ...s, equity: 960 }), undefined);
  const d = evaluateGovernor(input({ ...s, equity: 961 }), DEFAULT)!;
  assert.equal(d.next, "NORMAL");
  assert.equal(d.values.dwellMs, String(10 * MIN));
  assert.ok(d.reasons.some((r) => r.includes("hysteresis")));
});

test("de-escalation goes one level at a time, from HARD_STOP never", () => {
  assert.equal(next({ state: "QUARANTINE", equity: 1000 }), "SOFT_BRAKE");
  assert.equal(next({ state: "SOFT_BRAKE", equity: 1000 }), "NORMAL");
  assert.equal(next({ state: "HARD_STOP", equity: 1000, since: T0 - 1000 * MIN }), undefined);
  assert.equal(next({ state: "HARD_STOP", equity: 1, since: T0 - 1000 * MIN }), undefined);
});

test("QUARANTINE is left only below its own threshold minus hysteresis (8 − 1 = 7 %)", () => {
  const s = { state: "QUARANTINE" as const };
  assert.equal(next({ ...s, equity: 925 }), undefined); // 7.5 %
  assert.equal(next({ ...s, equity: 931 }), "SOFT_BRAKE"); // 6.9 %, still in the soft band: one step
});

test("de-escalation needs every metric clear, daily loss included", () => {
  // drawdown 0, but still down 2.5 % today: soft-brake needs < 3 − 1 = 2 %
  const s = { state: "SOFT_BRAKE" as const, initialCapital: 500, highWaterMark: 1000, dayStartEquity: 1000 };
  assert.equal(next({ ...s, equity: 975 }), undefined);
  assert.equal(next({ ...s, equity: 981 }), "NORMAL");
});

test("a hysteresis band as wide as the threshold still lets a full recovery step down", () => {
  const c = validateRiskConfig({ quarantineDrawdownPct: 1, hardStopDrawdownPct: 12, hysteresisPct: 1 }) // soft moves down to 1;
  assert.equal(next({ state: "QUARANTINE", equity: 999.5 }, c), undefined);
  assert.equal(next({ state: "QUARANTINE", equity: 1000 }, c), "SOFT_BRAKE");
});

test("daily loss across a UTC midnight: the new day starts at the last equity of the old one", () => {
  const beforeMidnight = Date.UTC(2026, 0, 15, 23, 59, 0);
  const afterMidnight = Date.UTC(2026, 0, 16, 0, 1, 0);
  // Day starts at 1000 (the account is up overall: initial 500, so drawdown plays no part).
  let anchor = updateDayAnchor(undefined, Date.UTC(2026, 0, 15, 0, 0, 5), 1000);
  anchor = updateDayAnchor(anchor, beforeMidnight, 960);
  const late = input({ now: beforeMidnight, initialCapital: 500, equity: 960, dayStartEquity: anchor.dayStartEquity });
  const d = evaluateGovernor(late, DEFAULT)!;
  assert.equal(d.next, "SOFT_BRAKE"); // 4 % down today
  // First event after midnight: the day restarts at 960, so the same 960 is 0 % down today.
  anchor = updateDayAnchor(anchor, afterMidnight, 960);
  assert.equal(anchor.dayStart, Date.UTC(2026, 0, 16));
  assert.equal(anchor.dayStartEquity, 960);
  const early = input({
    state: "SOFT_BRAKE",
    since: beforeMidnight,
    now: afterMidnight,
    initialCapital: 500,
    equity: 960,
    dayStartEquity: anchor.dayStartEquity,
  });
  // 2 minutes in SOFT_BRAKE ≥ 1 minute dwell, and today's loss is 0 %: step down.
  assert.equal(evaluateGovernor(early, DEFAULT)?.next, "NORMAL");
  // Without the day roll the same equity would still be 4 % down on the day: stay.
  assert.equal(evaluateGovernor({ ...early, dayStartEquity: 1000 }, DEFAULT), undefined);
});

test("a fresh day's loss is measured from the new day's start, not yesterday's", () => {
  let anchor = updateDayAnchor(undefined, Date.UTC(2026, 0, 15, 8), 1000);
  anchor = updateDayAnchor(anchor, Date.UTC(2026, 0, 15, 20), 1100); // up 10 % yesterday
  anchor = updateDayAnchor(anchor, Date.UTC(2026, 0, 16, 9), 1050); // next day: down from 1100
  assert.equal(anchor.dayStartEquity, 1100);
  const m = governorMetrics(input({ equity: 1050, initialCapital: 1000, highWaterMark: 1100, dayStartEquity: anchor.dayStartEquity }), DEFAULT)!;
  assert.ok(Math.abs(m.dailyLossPct - (50 / 1100) * 100) < 1e-9);
});

test("utcDayStart", () => {
  assert.equal(utcDayStart(Date.UTC(2026, 0, 15, 23, 59, 59, 999)), Date.UTC(2026, 0, 15));
  assert.equal(utcDayStart(Date.UTC(2026, 0, 16)), Date.UTC(2026, 0, 16));
});

test("HARD_STOP latches: only resetHardStop leaves it, with reason operator reset", () => {
  const stuck = input({ state: "HARD_STOP", since: T0 - 1000 * MIN, equity: 1000 });
  assert.equal(evaluateGovernor(stuck, DEFAULT), undefined);
  const r = resetHardStop(stuck, DEFAULT)!;
  assert.equal(r.next, "NORMAL");
  assert.deepEqual(r.reasons, ["operator reset"]);
  assert.equal(resetHardStop(input({ state: "QUARANTINE" }), DEFAULT), undefined);
});

test("a reset while still past a threshold says the next evaluation escalates again", () => {
  const r = resetHardStop(input({ state: "HARD_STOP", equity: 850 }), DEFAULT)!;
  assert.equal(r.next, "NORMAL");
  assert.equal(r.reasons[0], "operator reset");
  assert.match(r.reasons[1]!, /drawdown 15% still ≥ hard-stop threshold 12%/);
  assert.equal(next({ state: "NORMAL", equity: 850 }), "HARD_STOP");
});

test("unusable inputs neither trip nor relax anything", () => {
  assert.equal(next({ equity: Number.NaN }), undefined);
  assert.equal(next({ state: "SOFT_BRAKE", equity: Number.NaN }), undefined);
  assert.equal(next({ initialCapital: 0, equity: 1 }), undefined);
  assert.equal(next({ dayStartEquity: Number.POSITIVE_INFINITY }), undefined);
});

test("equity at or below zero is a full drawdown", () => {
  assert.equal(next({ equity: 0 }), "HARD_STOP");
  assert.equal(next({ equity: -50 }), "HARD_STOP");
});

test("the CLI's --set risk.hardStopDrawdownPct=1 goes straight to HARD_STOP on a 1 % drawdown", () => {
  const c = validateRiskConfig({ hardStopDrawdownPct: "1" });
  assert.equal(next({ equity: 990.1, dayStartEquity: 990.1 }, c), undefined);
  assert.equal(next({ equity: 990, dayStartEquity: 990 }, c), "HARD_STOP");
});

test("sizeFactor per state", () => {
  assert.equal(sizeFactor("NORMAL", DEFAULT), 1);
  assert.equal(sizeFactor("SOFT_BRAKE", DEFAULT), 0.5);
  assert.equal(sizeFactor("SOFT_BRAKE", validateRiskConfig({ softBrakeSizeFactor: 0.3 })), 0.3);
  assert.equal(sizeFactor("QUARANTINE", DEFAULT), 0);
  assert.equal(sizeFactor("HARD_STOP", DEFAULT), 0);
});
