import { test } from "node:test";
import assert from "node:assert/strict";
import { type Dec, dec, format } from "../../src/core/decimal.ts";
import { HeanError } from "../../src/core/errors.ts";
import { DEFAULT_RISK_CONFIG, parseHhMm, validateRiskConfig } from "../../src/risk/config.ts";

function configError(input: unknown): HeanError {
  try {
    validateRiskConfig(input);
  } catch (e) {
    assert.ok(e instanceof HeanError, `expected a HeanError, got ${String(e)}`);
    assert.equal(e.code, "CONFIG_INVALID");
    // The context must survive JSON (bigints would not).
    JSON.stringify(e.toJSON());
    return e;
  }
  assert.fail(`expected CONFIG_INVALID for ${JSON.stringify(input, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`);
}

test("defaults are what the issue asks for", () => {
  const c = DEFAULT_RISK_CONFIG;
  assert.equal(format(c.maxOrderNotional), "1000");
  assert.equal(format(c.maxPositionNotional), "2000");
  assert.equal(format(c.maxGrossExposure), "4000");
  assert.equal(c.maxLeverage, 1);
  assert.deepEqual(c.orderRate, { maxOrders: 20, perMs: 1000 });
  assert.deepEqual(c.drawdownReference, { kind: "initial" });
  assert.deepEqual([c.softBrakeDrawdownPct, c.quarantineDrawdownPct, c.hardStopDrawdownPct], [5, 8, 12]);
  assert.deepEqual([c.dailyLossSoftPct, c.dailyLossQuarantinePct, c.dailyLossHardStopPct], [3, 5, 8]);
  assert.equal(c.staleDataMs, 10_000);
  assert.equal(c.maxHoldMs, 900_000);
  assert.deepEqual(c.kelly, { enabled: false, cap: 0.25 });
  assert.equal(c.stopLossPct, undefined);
});

test("undefined and {} give the defaults; null is refused, naming risk (`--set risk=null` is not 'all defaults')", () => {
  assert.equal(validateRiskConfig(undefined), DEFAULT_RISK_CONFIG);
  assert.deepEqual(validateRiskConfig({}), DEFAULT_RISK_CONFIG);
  const e = configError(null);
  assert.equal(e.context.path, "risk");
  assert.match(e.message, /risk must be an object \(got null\)/);
});

test("the defaults validate to themselves (bigint Decs are accepted as Decs)", () => {
  assert.deepEqual(validateRiskConfig({ ...DEFAULT_RISK_CONFIG }), DEFAULT_RISK_CONFIG);
});

test("partial input merges over the defaults, nested objects too", () => {
  const c = validateRiskConfig({
    maxOrderNotional: "250.5",
    maxPositionNotional: 300,
    orderRate: { maxOrders: 5 },
    kelly: { enabled: true },
    drawdownReference: { kind: "high-water-mark", protectedProfitPct: 50 },
    horizonUtc: { impulse: "21:30" },
    stopLossPct: 2,
  });
  assert.equal(c.maxOrderNotional, dec("250.5"));
  assert.equal(c.maxPositionNotional, dec("300"));
  assert.deepEqual(c.orderRate, { maxOrders: 5, perMs: 1000 });
  assert.deepEqual(c.kelly, { enabled: true, cap: 0.25 });
  assert.deepEqual(c.drawdownReference, { kind: "high-water-mark", protectedProfitPct: 50 });
  assert.deepEqual(c.horizonUtc, { impulse: "21:30" });
  assert.equal(c.stopLossPct, 2);
  assert.equal(c.takeProfitPct, undefined);
});

test("numbers may come as plain decimal strings (from --set)", () => {
  const c = validateRiskConfig({ hardStopDrawdownPct: "20", maxLeverage: "2", kelly: { enabled: "true" } });
  assert.equal(c.hardStopDrawdownPct, 20);
  assert.equal(c.maxLeverage, 2);
  assert.equal(c.kelly.enabled, true);
});

test("--set risk.hardStopDrawdownPct=1 alone is valid: untouched lower levels move down to it", () => {
  const c = validateRiskConfig({ hardStopDrawdownPct: "1" });
  assert.deepEqual([c.softBrakeDrawdownPct, c.quarantineDrawdownPct, c.hardStopDrawdownPct], [1, 1, 1]);
  // The daily ladder is a separate ladder and keeps its defaults.
  assert.deepEqual([c.dailyLossSoftPct, c.dailyLossQuarantinePct, c.dailyLossHardStopPct], [3, 5, 8]);
});

test("a config that writes every level must order them itself: nothing written is moved", () => {
  const plain = JSON.parse(JSON.stringify(DEFAULT_RISK_CONFIG, (_k, v) => (typeof v === "bigint" ? format(v as Dec) : v))) as Record<string, unknown>;
  const e = configError({ ...plain, hardStopDrawdownPct: 1 });
  assert.equal(e.context.path, "risk.softBrakeDrawdownPct");
  assert.equal(e.context.conflictsWith, "risk.hardStopDrawdownPct");
});

test("a lower level raised to or above a higher level's default is refused, naming both keys", () => {
  const e = configError({ softBrakeDrawdownPct: 10 });
  assert.equal(e.context.path, "risk.softBrakeDrawdownPct");
  assert.equal(e.context.conflictsWith, "risk.quarantineDrawdownPct");
  assert.match(e.message, /risk\.softBrakeDrawdownPct \(10\) must be below the default of risk\.quarantineDrawdownPct \(8\)/);
  assert.equal(configError({ dailyLossQuarantinePct: 8 }).context.conflictsWith, "risk.dailyLossHardStopPct");
  // Raised together with the levels above it, it is fine.
  const c = validateRiskConfig({ softBrakeDrawdownPct: 10, quarantineDrawdownPct: 15, hardStopDrawdownPct: 20 });
  assert.deepEqual([c.softBrakeDrawdownPct, c.quarantineDrawdownPct, c.hardStopDrawdownPct], [10, 15, 20]);
});

test("inverted or equal levels that were both given are an error naming both keys", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ softBrakeDrawdownPct: 10, hardStopDrawdownPct: 6 }, "risk.softBrakeDrawdownPct", "risk.hardStopDrawdownPct"],
    [{ softBrakeDrawdownPct: 4, quarantineDrawdownPct: 4 }, "risk.softBrakeDrawdownPct", "risk.quarantineDrawdownPct"],
    [{ quarantineDrawdownPct: 13, hardStopDrawdownPct: 12.5 }, "risk.quarantineDrawdownPct", "risk.hardStopDrawdownPct"],
    [{ dailyLossQuarantinePct: 4, dailyLossSoftPct: 4.5 }, "risk.dailyLossSoftPct", "risk.dailyLossQuarantinePct"],
    [{ dailyLossSoftPct: 2, dailyLossHardStopPct: 2 }, "risk.dailyLossSoftPct", "risk.dailyLossHardStopPct"],
  ];
  for (const [input, path, other] of cases) {
    const e = configError(input);
    assert.equal(e.context.path, path, JSON.stringify(input));
    assert.equal(e.context.conflictsWith, other, JSON.stringify(input));
    assert.ok(e.message.includes(path) && e.message.includes(other), e.message);
  }
});

test("every duration is above 0 (dwell time may be 0) and no longer than a timer can wait", () => {
  for (const key of ["staleDataMs", "maxHoldMs", "privateStreamDownMs", "circuitOpenMs"]) {
    assert.equal(configError({ [key]: 0 }).context.path, `risk.${key}`);
    assert.equal(configError({ [key]: -1 }).context.path, `risk.${key}`);
    assert.equal(configError({ [key]: 2 ** 31 }).context.path, `risk.${key}`);
  }
  assert.equal(validateRiskConfig({ minDwellMs: 0 }).minDwellMs, 0);
  assert.equal(configError({ minDwellMs: 2 ** 31 }).context.path, "risk.minDwellMs");
  assert.equal(configError({ orderRate: { perMs: -1 } }).context.path, "risk.orderRate.perMs");
  assert.equal(configError({ rejectionStorm: { windowMs: 0 } }).context.path, "risk.rejectionStorm.windowMs");
});

test("a kill-switch slippage that would let a closing sell go for nothing is refused", () => {
  assert.equal(configError({ killSwitchSlippageBps: 10_000 }).context.path, "risk.killSwitchSlippageBps");
  assert.equal(validateRiskConfig({ killSwitchSlippageBps: 5_000 }).killSwitchSlippageBps, 5_000);
});

test("wrong types, NaN, infinities and negatives are CONFIG_INVALID with path and value", () => {
  const cases: [unknown, string, string][] = [
    [{ maxOrderNotional: "abc" }, "risk.maxOrderNotional", '"abc"'],
    [{ maxOrderNotional: -5 }, "risk.maxOrderNotional", "-5"],
    [{ maxOrderNotional: 0 }, "risk.maxOrderNotional", "0"],
    [{ maxGrossExposure: Number.NaN }, "risk.maxGrossExposure", "NaN"],
    [{ maxLeverage: Number.NaN }, "risk.maxLeverage", "NaN"],
    [{ maxLeverage: Number.POSITIVE_INFINITY }, "risk.maxLeverage", "Infinity"],
    [{ maxLeverage: -1 }, "risk.maxLeverage", "-1"],
    [{ maxLeverage: true }, "risk.maxLeverage", "true"],
    [{ maxOpenOrders: 2.5 }, "risk.maxOpenOrders", "2.5"],
    [{ minDwellMs: -1 }, "risk.minDwellMs", "-1"],
    [{ hysteresisPct: "1%" }, "risk.hysteresisPct", '"1%"'],
    [{ softBrakeSizeFactor: 1.5 }, "risk.softBrakeSizeFactor", "1.5"],
    [{ hardStopDrawdownPct: 0 }, "risk.hardStopDrawdownPct", "0"],
    [{ orderRate: { perMs: 0 } }, "risk.orderRate.perMs", "0"],
    [{ orderRate: 5 }, "risk.orderRate", "5"],
    [{ orderRate: { maxOrder: 5 } }, "risk.orderRate.maxOrder", "5"],
    [{ kelly: { cap: 0 } }, "risk.kelly.cap", "0"],
    [{ kelly: { enabled: 1 } }, "risk.kelly.enabled", "1"],
    [{ rejectionStorm: { count: 0 } }, "risk.rejectionStorm.count", "0"],
    [{ drawdownReference: { kind: "peak" } }, "risk.drawdownReference.kind", '"peak"'],
    [{ drawdownReference: { kind: "high-water-mark" } }, "risk.drawdownReference.protectedProfitPct", "undefined"],
    [{ drawdownReference: { kind: "high-water-mark", protectedProfitPct: 150 } }, "risk.drawdownReference.protectedProfitPct", "150"],
    [{ horizonUtc: { impulse: "25:00" } }, "risk.horizonUtc.impulse", '"25:00"'],
    [{ horizonUtc: { impulse: 2130 } }, "risk.horizonUtc.impulse", "2130"],
    [{ stopLossPct: "x" }, "risk.stopLossPct", '"x"'],
    [{ hardStopDrawdownPc: 1 }, "risk.hardStopDrawdownPc", "1"],
    [[], "risk", "array"],
    ["strict", "risk", '"strict"'],
  ];
  for (const [input, path, value] of cases) {
    const e = configError(input);
    assert.equal(e.context.path, path, `path for ${JSON.stringify(input)}`);
    assert.equal(e.context.value, value, `value for ${JSON.stringify(input)}`);
    assert.match(e.message, new RegExp(path.replace(/\./g, "\\.")));
  }
});

test("a bigint Dec that is not positive is refused with a readable value", () => {
  const e = configError({ maxOrderNotional: dec("-1") });
  assert.equal(e.context.path, "risk.maxOrderNotional");
  assert.equal(e.context.value, '"-1"');
});

test("null clears an optional setting", () => {
  const c = validateRiskConfig({ stopLossPct: null, takeProfitPct: 3 });
  assert.equal("stopLossPct" in c, false);
  assert.equal(c.takeProfitPct, 3);
});

test("the result is frozen", () => {
  const c = validateRiskConfig({ maxLeverage: 2 });
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.orderRate));
});

test("parseHhMm", () => {
  assert.equal(parseHhMm("00:00"), 0);
  assert.equal(parseHhMm("21:30"), 21 * 60 + 30);
  assert.equal(parseHhMm("23:59"), 23 * 60 + 59);
  assert.equal(parseHhMm("24:00"), undefined);
  assert.equal(parseHhMm("9:30"), undefined);
  assert.equal(parseHhMm("12:60"), undefined);
});
