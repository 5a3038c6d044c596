/**
 * The governor: which risk state the account should be in, given its equity now. Pure; the
 * engine calls it on every equity change and journals the decision it returns.
 *
 * Two metrics, both in percent and never negative:
 * - drawdown = (reference − equity) / reference, where reference is the initial capital
 *   (default) or, under `high-water-mark` with protected share p, initial + p % × (hwm − initial).
 *   Profit above the protected share can be given back without counting as drawdown; with the
 *   default, profit never counts at all (the audited governor tripped on 1000 → 900 after
 *   starting at 300; here that is 0 % drawdown).
 * - daily loss = (equity at 00:00 UTC − equity) / equity at 00:00 UTC.
 *
 * And one input that is not P&L: the account divergence, |venue wallet − engine cash| at the last
 * reconciled wallet snapshot (quote currency). At `maxAccountDivergence` or more the two books
 * disagree by more than fees in flight, so every figure above may be wrong: the account goes to
 * QUARANTINE (exits only, no new risk) until a reconciled snapshot agrees again. Not HARD_STOP:
 * nothing says money was lost, only that we cannot tell; not SOFT_BRAKE: halving the size of
 * trades sized from a wrong equity is still trading blind.
 *
 * Escalation is immediate, straight to the worst level either metric breaches (metric ≥
 * threshold). De-escalation goes one level at a time, only after `minDwellMs` in the current
 * state, and only when every metric is below the threshold that entered the current level minus
 * `hysteresisPct` (or is 0: a full recovery always counts). HARD_STOP is never left here: only
 * an operator, through `resetHardStop`.
 */
import { type Dec, toNumber } from "../core/decimal.ts";
import type { RiskState } from "../core/events.ts";
import type { RiskConfig } from "./config.ts";

export { utcDayStart } from "./utc-day.ts";

export const RISK_LEVELS: readonly RiskState[] = ["NORMAL", "SOFT_BRAKE", "QUARANTINE", "HARD_STOP"];

export interface GovernorInput {
  readonly state: RiskState;
  /** When the current state began (ms). */
  readonly since: number;
  readonly now: number;
  readonly equity: number;
  readonly initialCapital: number;
  readonly highWaterMark: number;
  /** Equity at 00:00 UTC of the current day (see `updateDayAnchor`). */
  readonly dayStartEquity: number;
  /** |venue wallet − engine cash| at the last reconciled wallet snapshot; absent or 0 when none. */
  readonly accountDivergence?: number;
}

export interface GovernorDecision {
  readonly next: RiskState;
  readonly reasons: string[];
  readonly values: Record<string, string>;
}

export interface GovernorMetrics {
  readonly reference: number;
  readonly drawdownPct: number;
  readonly dailyLossPct: number;
  readonly accountDivergence: number;
}

const LEVEL_NAMES = ["normal", "soft-brake", "quarantine", "hard-stop"] as const;

/** The equity drawdown is measured from (see the module comment). */
export function drawdownReferenceEquity(initialCapital: number, highWaterMark: number, config: RiskConfig): number {
  const ref = config.drawdownReference;
  if (ref.kind === "initial") return initialCapital;
  return initialCapital + (ref.protectedProfitPct / 100) * Math.max(0, highWaterMark - initialCapital);
}

/** Both metrics, or undefined when the inputs cannot give them (non-finite, non-positive capital). */
export function governorMetrics(input: GovernorInput, config: RiskConfig): GovernorMetrics | undefined {
  const { equity, initialCapital, highWaterMark, dayStartEquity } = input;
  if (!(Number.isFinite(equity) && Number.isFinite(initialCapital) && Number.isFinite(highWaterMark) && Number.isFinite(dayStartEquity))) return undefined;
  if (initialCapital <= 0) return undefined;
  const reference = drawdownReferenceEquity(initialCapital, highWaterMark, config);
  const drawdownPct = Math.max(0, ((reference - equity) / reference) * 100);
  // A day that starts at or below zero equity has no meaningful daily loss; drawdown still sees it.
  const dailyLossPct = dayStartEquity > 0 ? Math.max(0, ((dayStartEquity - equity) / dayStartEquity) * 100) : 0;
  const divergence = input.accountDivergence ?? 0;
  // Unreadable means "cannot tell": as diverged as can be, yet finite (no level is entered at ∞).
  const accountDivergence = Number.isFinite(divergence) ? Math.abs(divergence) : Number.MAX_VALUE;
  return { reference, drawdownPct, dailyLossPct, accountDivergence };
}

/** New-exposure size multiplier for a state: 1, the soft-brake factor, or 0. */
export function sizeFactor(state: RiskState, config: RiskConfig): number {
  switch (state) {
    case "NORMAL":
      return 1;
    case "SOFT_BRAKE":
      return config.softBrakeSizeFactor;
    case "QUARANTINE":
    case "HARD_STOP":
      return 0;
  }
}

interface Metric {
  readonly name: string;
  readonly value: number;
  /** Threshold to enter level i (index 0 unused). */
  readonly thresholds: readonly [number, number, number, number];
  readonly unit: string;
  /** Whether leaving a level needs the metric `hysteresisPct` below its threshold (percent metrics). */
  readonly hysteresis: boolean;
}

function metricsOf(m: GovernorMetrics, config: RiskConfig): readonly Metric[] {
  return [
    {
      name: "drawdown",
      value: m.drawdownPct,
      thresholds: [0, config.softBrakeDrawdownPct, config.quarantineDrawdownPct, config.hardStopDrawdownPct],
      unit: "%",
      hysteresis: true,
    },
    {
      name: "daily loss",
      value: m.dailyLossPct,
      thresholds: [0, config.dailyLossSoftPct, config.dailyLossQuarantinePct, config.dailyLossHardStopPct],
      unit: "%",
      hysteresis: true,
    },
    {
      name: "account divergence |venue wallet − engine cash|",
      value: m.accountDivergence,
      thresholds: [0, Infinity, toNumber(config.maxAccountDivergence), Infinity],
      unit: " (quote)",
      hysteresis: false,
    },
  ];
}

function breachedLevel(m: Metric): number {
  for (let i = 3; i >= 1; i--) if (m.value >= m.thresholds[i]!) return i;
  return 0;
}

/** `breachedLevel` of a metric with thresholds [0, t1, t2, t3]. */
function levelOf(value: number, t1: number, t2: number, t3: number): number {
  return value >= t3 ? 3 : value >= t2 ? 2 : value >= t1 ? 1 : 0;
}

const pct = (n: number): string => String(Math.round(n * 10_000) / 10_000);

function valuesOf(input: GovernorInput, m: GovernorMetrics): Record<string, string> {
  return {
    equity: String(input.equity),
    reference: pct(m.reference),
    drawdownPct: pct(m.drawdownPct),
    dailyLossPct: pct(m.dailyLossPct),
    accountDivergence: pct(m.accountDivergence),
    dayStartEquity: String(input.dayStartEquity),
    highWaterMark: String(input.highWaterMark),
    initialCapital: String(input.initialCapital),
  };
}

/** The configured divergence limit as a number: the same value on every book, converted once. */
function divergenceLimit(limit: Dec): number {
  if (limit !== lastLimit.of) lastLimit = { of: limit, value: toNumber(limit) };
  return lastLimit.value;
}
let lastLimit: { readonly of: Dec | undefined; readonly value: number } = { of: undefined, value: 0 };

/** The state the account should move to now, or undefined to stay. */
export function evaluateGovernor(input: GovernorInput, config: RiskConfig): GovernorDecision | undefined {
  const current = RISK_LEVELS.indexOf(input.state);
  if (current < 0 || input.state === "HARD_STOP") return undefined;
  const m = governorMetrics(input, config);
  // Unusable inputs neither trip nor relax anything: the next valid equity decides.
  if (m === undefined) return undefined;
  // The common case, evaluated on every book: no level to move to. Decided from the figures
  // alone (as `breachedLevel` on each of `metricsOf`), so that it allocates nothing.
  const divergenceQuarantine = divergenceLimit(config.maxAccountDivergence);
  const target = Math.max(
    levelOf(m.drawdownPct, config.softBrakeDrawdownPct, config.quarantineDrawdownPct, config.hardStopDrawdownPct),
    levelOf(m.dailyLossPct, config.dailyLossSoftPct, config.dailyLossQuarantinePct, config.dailyLossHardStopPct),
    levelOf(m.accountDivergence, Infinity, divergenceQuarantine, Infinity),
  );
  if (target === current) return undefined;
  const metrics = metricsOf(m, config);

  if (target > current) {
    const reasons = metrics
      .filter((x) => breachedLevel(x) > current)
      .map((x) => {
        const lvl = breachedLevel(x);
        return `${x.name} ${pct(x.value)}${x.unit} ≥ ${LEVEL_NAMES[lvl]} threshold ${pct(x.thresholds[lvl]!)}${x.unit}`;
      });
    return {
      next: RISK_LEVELS[target]!,
      reasons,
      values: {
        ...valuesOf(input, m),
        drawdownThresholdPct: pct(metrics[0]!.thresholds[target]!),
        dailyLossThresholdPct: pct(metrics[1]!.thresholds[target]!),
      },
    };
  }

  if (target < current) {
    const dwelt = input.now - input.since;
    if (!(dwelt >= config.minDwellMs)) return undefined;
    const h = config.hysteresisPct;
    const clear = metrics.every((x) => x.value <= 0 || x.value < x.thresholds[current]! - (x.hysteresis ? h : 0));
    if (!clear) return undefined;
    const next = current - 1;
    return {
      next: RISK_LEVELS[next]!,
      reasons: [
        ...metrics.map(
          (x) =>
            x.hysteresis
              ? `${x.name} ${pct(x.value)}% < ${LEVEL_NAMES[current]} threshold ${pct(x.thresholds[current]!)}% − hysteresis ${pct(h)}%`
              : `${x.name} ${pct(x.value)}${x.unit} < ${LEVEL_NAMES[current]} threshold ${pct(x.thresholds[current]!)}${x.unit}`,
        ),
        `${dwelt} ms in ${input.state} ≥ dwell ${config.minDwellMs} ms`,
      ],
      values: { ...valuesOf(input, m), dwellMs: String(dwelt), hysteresisPct: pct(h) },
    };
  }
  return undefined;
}

/**
 * An operator's reset of HARD_STOP (the only way out). Undefined when not in HARD_STOP. If a
 * metric still breaches a threshold, the next `evaluateGovernor` escalates again; the reasons
 * say so, and the caller may rebase `initialCapital`/`highWaterMark` to the current equity if the
 * operator means "start over from here".
 */
export function resetHardStop(input: GovernorInput, config: RiskConfig): GovernorDecision | undefined {
  if (input.state !== "HARD_STOP") return undefined;
  const reasons = ["operator reset"];
  const m = governorMetrics(input, config);
  if (m === undefined) return { next: "NORMAL", reasons, values: { equity: String(input.equity) } };
  for (const x of metricsOf(m, config)) {
    const lvl = breachedLevel(x);
    if (lvl > 0) reasons.push(`${x.name} ${pct(x.value)}${x.unit} still ≥ ${LEVEL_NAMES[lvl]} threshold ${pct(x.thresholds[lvl]!)}${x.unit}: the next evaluation escalates again`);
  }
  return { next: "NORMAL", reasons, values: valuesOf(input, m) };
}
