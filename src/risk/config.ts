/**
 * The risk configuration: every limit the risk layer enforces, its default, and a validator that
 * turns untrusted input (a config file, `--set risk.x=y`) into a `RiskConfig` or a clear
 * CONFIG_INVALID error naming the path and the value.
 *
 * Money limits that decide orders are `Dec`; percentages, ratios and durations are plain numbers
 * (they only ever scale or compare, never become an order's quantity by themselves).
 * Every `…Pct` is a percentage: 5 means 5 %.
 */
import { suggest } from "../core/suggest.ts";
import { type Dec, dec, format, tryDec } from "../core/decimal.ts";
import { MAX_TIMER_MS } from "../core/clock.ts";
import type { LossStepDownConfig } from "./loss-step-down.ts";
import type { RealisedVolConfig } from "./realised-vol.ts";
import { describeValue as describe, HeanError } from "../core/errors.ts";

/**
 * What drawdown is measured from.
 * - `initial`: the initial capital. Profit never counts as drawdown.
 * - `high-water-mark`: the initial capital plus `protectedProfitPct` % of the profit made so far
 *   (reference = initial + p/100 × max(0, hwm − initial)). The rest of the profit may be given
 *   back without any drawdown; 100 is the classic high-water-mark drawdown, 0 equals `initial`.
 */
export type DrawdownReference =
  | { readonly kind: "initial" }
  | { readonly kind: "high-water-mark"; readonly protectedProfitPct: number };

export interface OrderRateConfig {
  readonly maxOrders: number;
  readonly perMs: number;
}

export interface KellyConfig {
  readonly enabled: boolean;
  /** Largest Kelly fraction used; confidence at or above (1 + cap) / 2 gets the full risk budget. */
  readonly cap: number;
}

export interface RejectionStormConfig {
  readonly count: number;
  readonly windowMs: number;
}

export interface RiskConfig {
  readonly maxOrderNotional: Dec;
  /** Per symbol, after the order and every working order on the same side have filled. */
  readonly maxPositionNotional: Dec;
  readonly maxGrossExposure: Dec;
  readonly maxOpenOrders: number;
  /** Gross exposure after an order ≤ equity × maxLeverage. Only ever a limit, never a size multiplier. */
  readonly maxLeverage: number;
  /** Reduce-only exits are never throttled. */
  readonly orderRate: OrderRateConfig;
  /** A limit price further than this from the mid is denied (fat-finger guard). */
  readonly priceBandPct: number;
  readonly softBrakeDrawdownPct: number;
  readonly quarantineDrawdownPct: number;
  readonly hardStopDrawdownPct: number;
  readonly dailyLossSoftPct: number;
  readonly dailyLossQuarantinePct: number;
  readonly dailyLossHardStopPct: number;
  readonly drawdownReference: DrawdownReference;
  readonly softBrakeSizeFactor: number;
  /** A state is left only when its metric is this many points below the threshold that entered it. */
  readonly hysteresisPct: number;
  /** Minimum time in a state before stepping down (escalation never waits). */
  readonly minDwellMs: number;
  readonly staleDataMs: number;
  readonly maxHoldMs: number;
  /** strategyId → "HH:MM": a daily UTC deadline by which that strategy's positions are closed. */
  readonly horizonUtc: Readonly<Record<string, string>>;
  /** strategyId → its own maximum hold (ms), from `strategies[].maxHoldMs`; others take `maxHoldMs`. Not a setting of its own. */
  readonly maxHoldMsByStrategy?: Readonly<Record<string, number>>;
  /** Default stop-loss per position, % of average entry (an operator's per-symbol stop wins). */
  readonly stopLossPct?: number;
  /** Default take-profit per position, % of average entry. */
  readonly takeProfitPct?: number;
  readonly riskPerTradePct: number;
  readonly kelly: KellyConfig;
  /** Size is scaled by target / realised volatility, clamped to [0.25, 1]. */
  readonly volatilityTargetPct: number;
  /** How realised volatility is measured for `volatilityTargetPct` (see realised-vol.ts): mids sampled every `sampleMs`, the last `samples` returns, scaled to `horizonMs`. */
  readonly realisedVolatility: RealisedVolConfig;
  /** Size steps down after consecutive losing trades of a strategy (see loss-step-down.ts); absent: never. */
  readonly lossStepDown?: LossStepDownConfig;
  /** Worst price a kill-switch close accepts, in basis points beyond the touch. */
  readonly killSwitchSlippageBps: number;
  readonly rejectionStorm: RejectionStormConfig;
  readonly privateStreamDownMs: number;
  readonly circuitOpenMs: number;
  /**
   * Largest difference between the venue's wallet balance and the engine's cash (quote currency)
   * that is still fees and fills in flight; at or beyond it the governor quarantines the account.
   */
  readonly maxAccountDivergence: Dec;
}

export const DEFAULT_RISK_CONFIG: RiskConfig = Object.freeze({
  maxOrderNotional: dec("1000"),
  maxPositionNotional: dec("2000"),
  maxGrossExposure: dec("4000"),
  maxOpenOrders: 20,
  maxLeverage: 1,
  orderRate: Object.freeze({ maxOrders: 20, perMs: 1000 }),
  priceBandPct: 5,
  softBrakeDrawdownPct: 5,
  quarantineDrawdownPct: 8,
  hardStopDrawdownPct: 12,
  dailyLossSoftPct: 3,
  dailyLossQuarantinePct: 5,
  dailyLossHardStopPct: 8,
  drawdownReference: Object.freeze({ kind: "initial" as const }),
  softBrakeSizeFactor: 0.5,
  hysteresisPct: 1,
  minDwellMs: 60_000,
  staleDataMs: 10_000,
  maxHoldMs: 900_000,
  horizonUtc: Object.freeze({}),
  riskPerTradePct: 0.5,
  kelly: Object.freeze({ enabled: false, cap: 0.25 }),
  volatilityTargetPct: 0.5,
  // Hourly volatility from a minute of one-second samples: the target above is per hour.
  realisedVolatility: Object.freeze({ sampleMs: 1_000, samples: 60, horizonMs: 3_600_000 }),
  killSwitchSlippageBps: 50,
  rejectionStorm: Object.freeze({ count: 10, windowMs: 10_000 }),
  privateStreamDownMs: 30_000,
  circuitOpenMs: 30_000,
  // A few taker fees on the default largest order (1000 × 0.055 % ≈ 0.55 each), plus rounding.
  maxAccountDivergence: dec("5"),
});

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after 00:00 UTC for an "HH:MM" string, or undefined when it is not one. */
export function parseHhMm(text: string): number | undefined {
  const m = HHMM.exec(text);
  return m === null ? undefined : Number(m[1]) * 60 + Number(m[2]);
}

// ------------------------------------------------------------------ validation

const TOP_KEYS: ReadonlySet<string> = new Set([...Object.keys(DEFAULT_RISK_CONFIG), "stopLossPct", "takeProfitPct", "lossStepDown"]);

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** "is not a known setting", naming the nearest known ones (src/core/suggest.ts). */
function unknownSetting(key: string, known: readonly string[]): string {
  const near = suggest(key, known);
  return `is not a known setting${near.length > 0 ? ` (did you mean ${near.join(" or ")}?)` : ""}`;
}

function fail(path: string, value: unknown, why: string): never {
  const full = path === "" ? "risk" : `risk.${path}`;
  throw new HeanError("CONFIG_INVALID", `${full} ${why} (got ${describe(value)})`, { path: full, value: describe(value) });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Numbers may arrive as numbers or as plain decimal strings (from `--set`); nothing else. */
function num(path: string, v: unknown): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && PLAIN_NUMBER.test(v.trim())) n = Number(v.trim());
  else return fail(path, v, "must be a number");
  if (!Number.isFinite(n)) return fail(path, v, "must be a finite number");
  return n;
}

function positive(path: string, v: unknown): number {
  const n = num(path, v);
  if (n <= 0) fail(path, v, "must be greater than 0");
  return n;
}

function inRange(path: string, v: unknown, lo: number, hi: number, loOpen = false): number {
  const n = num(path, v);
  if (n > hi || n < lo || (loOpen && n === lo)) fail(path, v, `must be in ${loOpen ? "(" : "["}${lo}, ${hi}]`);
  return n;
}

/** A duration in ms: > 0 (or ≥ 0 where zero means "none"), and no longer than a timer can wait. */
function durationMs(path: string, v: unknown, zeroAllowed = false): number {
  return inRange(path, v, 0, MAX_TIMER_MS, !zeroAllowed);
}

function integer(path: string, v: unknown, min: number): number {
  const n = num(path, v);
  if (!Number.isInteger(n) || n < min) fail(path, v, `must be an integer ≥ ${min}`);
  return n;
}

/** Decimal limits: a decimal string, a finite number, or an already-parsed `Dec` (bigint). Must be > 0. */
function positiveDec(path: string, v: unknown): Dec {
  const d = typeof v === "bigint" ? (v as Dec) : tryDec(typeof v === "string" ? v.trim() : v);
  if (d === undefined) return fail(path, v, "must be a decimal number");
  if (d <= 0n) fail(path, typeof v === "bigint" ? format(d) : v, "must be greater than 0");
  return d;
}

function bool(path: string, v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return fail(path, v, "must be true or false");
}

function nested(path: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isRecord(v)) return fail(path, v, "must be an object");
  for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${path}.${k}`, v[k], unknownSetting(k, keys));
  return v;
}

/**
 * The three thresholds of one ladder (soft < quarantine < hard stop) must be strictly ordered:
 * a soft brake at or above the quarantine level is a contradiction, and so is raising a lower
 * level above a higher level's default. Both keys are named. One relaxation keeps
 * `--set risk.hardStopDrawdownPct=1` meaningful on its own (tightening never needs three
 * settings): a lower level that was not given, whose default lies at or above a given higher
 * level, moves down to it, so that state is skipped.
 */
function ladder(
  given: Record<string, unknown>,
  keys: readonly [string, string, string],
  read: (path: string, v: unknown) => number,
): [number, number, number] {
  const written = keys.map((k) => {
    const v = own(given, k);
    return v === undefined ? undefined : read(k, v);
  });
  const value = (i: number): number => written[i] ?? (DEFAULT_RISK_CONFIG[keys[i] as keyof RiskConfig] as number);
  const pairs: readonly (readonly [number, number])[] = [[0, 1], [0, 2], [1, 2]];
  // Two written levels that contradict each other are the conflict to report, before a default.
  const ordered = [...pairs].sort(([, a], [, b]) => Number(written[b] !== undefined) - Number(written[a] !== undefined));
  for (const [i, j] of ordered) {
    const lower = value(i);
    const higher = value(j);
    if (written[i] === undefined || lower < higher) continue;
    const path = `risk.${keys[i]}`;
    const other = `risk.${keys[j]}`;
    const shown = written[j] === undefined ? `the default of ${other} (${higher})` : `${other} (${higher})`;
    throw new HeanError("CONFIG_INVALID", `${path} (${lower}) must be below ${shown}: the levels rise soft < quarantine < hard stop`, {
      path,
      value: describe(own(given, keys[i]!)),
      conflictsWith: other,
    });
  }
  const out = keys.map((_k, i) => {
    let v = value(i);
    if (written[i] === undefined) for (let j = i + 1; j < 3; j++) if (written[j] !== undefined) v = Math.min(v, written[j]!);
    return v;
  });
  return [out[0]!, out[1]!, out[2]!];
}

function drawdownReference(v: unknown): DrawdownReference {
  if (v === undefined) return DEFAULT_RISK_CONFIG.drawdownReference;
  if (!isRecord(v)) return fail("drawdownReference", v, "must be an object with a kind");
  const kind = own(v, "kind");
  if (kind === "initial") {
    for (const k of Object.keys(v)) if (k !== "kind") fail(`drawdownReference.${k}`, v[k], "is not a setting of kind initial");
    return { kind: "initial" };
  }
  if (kind === "high-water-mark") {
    for (const k of Object.keys(v)) {
      if (k !== "kind" && k !== "protectedProfitPct") fail(`drawdownReference.${k}`, v[k], "is not a setting of kind high-water-mark");
    }
    const p = own(v, "protectedProfitPct");
    if (p === undefined) fail("drawdownReference.protectedProfitPct", p, "is required for kind high-water-mark");
    return { kind: "high-water-mark", protectedProfitPct: inRange("drawdownReference.protectedProfitPct", p, 0, 100) };
  }
  return fail("drawdownReference.kind", kind, 'must be "initial" or "high-water-mark"');
}

function horizons(v: unknown): Readonly<Record<string, string>> {
  if (v === undefined) return DEFAULT_RISK_CONFIG.horizonUtc;
  if (!isRecord(v)) return fail("horizonUtc", v, "must be an object of strategyId → \"HH:MM\"");
  const out: Record<string, string> = {};
  for (const [strategyId, at] of Object.entries(v)) {
    if (typeof at !== "string" || parseHhMm(at) === undefined) fail(`horizonUtc.${strategyId}`, at, 'must be "HH:MM" (00:00–23:59 UTC)');
    out[strategyId] = at;
  }
  return Object.freeze(out);
}

/**
 * Build a `RiskConfig` from untrusted input: a partial object merged over the defaults (nested
 * objects merge too). Unknown keys are errors (a typo must not silently leave a limit at its
 * default). Throws HeanError CONFIG_INVALID with `{ path, value }`; never returns a half-valid config.
 */
export function validateRiskConfig(input: unknown): RiskConfig {
  if (input === undefined) return DEFAULT_RISK_CONFIG;
  // Null is refused as any other non-object: `--set risk=null` must not quietly mean every default.
  if (!isRecord(input)) fail("", input, "must be an object");
  const g = input;
  for (const k of Object.keys(g)) if (!TOP_KEYS.has(k)) fail(k, g[k], unknownSetting(k, [...TOP_KEYS]));
  const D = DEFAULT_RISK_CONFIG;
  const pick = <T>(key: string, read: (path: string, v: unknown) => T, fallback: T): T => {
    const v = own(g, key);
    return v === undefined ? fallback : read(key, v);
  };

  const orderRateIn = nested("orderRate", own(g, "orderRate"), ["maxOrders", "perMs"]);
  const kellyIn = nested("kelly", own(g, "kelly"), ["enabled", "cap"]);
  const stormIn = nested("rejectionStorm", own(g, "rejectionStorm"), ["count", "windowMs"]);
  const volIn = nested("realisedVolatility", own(g, "realisedVolatility"), ["sampleMs", "samples", "horizonMs"]);
  const stepIn = own(g, "lossStepDown");
  const stepDown = stepIn === undefined || stepIn === null ? undefined : nested("lossStepDown", stepIn, ["after", "factor", "floor"]);
  if (stepDown !== undefined) for (const k of ["after", "factor", "floor"]) if (own(stepDown, k) === undefined) fail(`lossStepDown.${k}`, undefined, "is required (lossStepDown needs after, factor and floor)");
  const sub = <T>(obj: Record<string, unknown>, path: string, key: string, read: (p: string, v: unknown) => T, fallback: T): T => {
    const v = own(obj, key);
    return v === undefined ? fallback : read(`${path}.${key}`, v);
  };

  const [softBrakeDrawdownPct, quarantineDrawdownPct, hardStopDrawdownPct] = ladder(
    g,
    ["softBrakeDrawdownPct", "quarantineDrawdownPct", "hardStopDrawdownPct"],
    (p, v) => inRange(p, v, 0, 100, true),
  );
  const [dailyLossSoftPct, dailyLossQuarantinePct, dailyLossHardStopPct] = ladder(
    g,
    ["dailyLossSoftPct", "dailyLossQuarantinePct", "dailyLossHardStopPct"],
    (p, v) => inRange(p, v, 0, 100, true),
  );

  const maxOrderNotional = pick("maxOrderNotional", positiveDec, D.maxOrderNotional);
  const maxPositionNotional = pick("maxPositionNotional", positiveDec, D.maxPositionNotional);
  const maxGrossExposure = pick("maxGrossExposure", positiveDec, D.maxGrossExposure);

  const stopLossPct = nullable(g, "stopLossPct", (p, v) => inRange(p, v, 0, 100, true));
  const takeProfitPct = nullable(g, "takeProfitPct", positive);

  const config: RiskConfig = {
    maxOrderNotional,
    maxPositionNotional,
    maxGrossExposure,
    maxOpenOrders: pick("maxOpenOrders", (p, v) => integer(p, v, 1), D.maxOpenOrders),
    maxLeverage: pick("maxLeverage", positive, D.maxLeverage),
    orderRate: Object.freeze({
      maxOrders: sub(orderRateIn, "orderRate", "maxOrders", (p, v) => integer(p, v, 1), D.orderRate.maxOrders),
      perMs: sub(orderRateIn, "orderRate", "perMs", durationMs, D.orderRate.perMs),
    }),
    priceBandPct: pick("priceBandPct", positive, D.priceBandPct),
    softBrakeDrawdownPct,
    quarantineDrawdownPct,
    hardStopDrawdownPct,
    dailyLossSoftPct,
    dailyLossQuarantinePct,
    dailyLossHardStopPct,
    drawdownReference: Object.freeze(drawdownReference(own(g, "drawdownReference"))),
    softBrakeSizeFactor: pick("softBrakeSizeFactor", (p, v) => inRange(p, v, 0, 1), D.softBrakeSizeFactor),
    hysteresisPct: pick("hysteresisPct", (p, v) => inRange(p, v, 0, 100), D.hysteresisPct),
    minDwellMs: pick("minDwellMs", (p, v) => durationMs(p, v, true), D.minDwellMs),
    staleDataMs: pick("staleDataMs", durationMs, D.staleDataMs),
    maxHoldMs: pick("maxHoldMs", durationMs, D.maxHoldMs),
    horizonUtc: horizons(own(g, "horizonUtc")),
    ...(stopLossPct === undefined ? {} : { stopLossPct }),
    ...(takeProfitPct === undefined ? {} : { takeProfitPct }),
    riskPerTradePct: pick("riskPerTradePct", (p, v) => inRange(p, v, 0, 100, true), D.riskPerTradePct),
    kelly: Object.freeze({
      enabled: sub(kellyIn, "kelly", "enabled", bool, D.kelly.enabled),
      cap: sub(kellyIn, "kelly", "cap", (p, v) => inRange(p, v, 0, 1, true), D.kelly.cap),
    }),
    volatilityTargetPct: pick("volatilityTargetPct", positive, D.volatilityTargetPct),
    realisedVolatility: Object.freeze({
      sampleMs: sub(volIn, "realisedVolatility", "sampleMs", durationMs, D.realisedVolatility.sampleMs),
      samples: sub(volIn, "realisedVolatility", "samples", (p, v) => {
        const n = integer(p, v, 2);
        if (n > 100_000) fail(p, v, "must be at most 100000");
        return n;
      }, D.realisedVolatility.samples),
      horizonMs: sub(volIn, "realisedVolatility", "horizonMs", durationMs, D.realisedVolatility.horizonMs),
    }),
    ...(stepDown === undefined
      ? {}
      : {
          lossStepDown: Object.freeze({
            after: sub(stepDown, "lossStepDown", "after", (p, v) => integer(p, v, 1), 0),
            factor: sub(stepDown, "lossStepDown", "factor", (p, v) => inRange(p, v, 0, 1, true), 0),
            floor: sub(stepDown, "lossStepDown", "floor", (p, v) => inRange(p, v, 0, 1, true), 0),
          }),
        }),
    // At 10 000 bps a closing sell's worst price would be 0: half the touch is already a give-away.
    killSwitchSlippageBps: pick("killSwitchSlippageBps", (p, v) => inRange(p, v, 0, 5_000), D.killSwitchSlippageBps),
    rejectionStorm: Object.freeze({
      count: sub(stormIn, "rejectionStorm", "count", (p, v) => integer(p, v, 1), D.rejectionStorm.count),
      windowMs: sub(stormIn, "rejectionStorm", "windowMs", durationMs, D.rejectionStorm.windowMs),
    }),
    privateStreamDownMs: pick("privateStreamDownMs", durationMs, D.privateStreamDownMs),
    circuitOpenMs: pick("circuitOpenMs", durationMs, D.circuitOpenMs),
    maxAccountDivergence: pick("maxAccountDivergence", positiveDec, D.maxAccountDivergence),
  };
  return Object.freeze(config);
}

/** Optional settings: absent or null means "not set". */
function nullable(g: Record<string, unknown>, key: string, read: (p: string, v: unknown) => number): number | undefined {
  const v = own(g, key);
  return v === undefined || v === null ? undefined : read(key, v);
}
