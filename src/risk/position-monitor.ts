/**
 * The position monitor: which open positions must be force-closed now, and why. Pure; the engine
 * calls it on every mark move and on a clock tick, and closes what it returns with reduce-only
 * orders.
 *
 * One decision per position, the first that applies in this order: STOP_LOSS, TAKE_PROFIT (the
 * price says so now), MAX_HOLD, HORIZON (time says so).
 * - MAX_HOLD: held for maxHoldMs (the strategy's own when it has one) or more since `openedAt`, the journaled open time, so a restart
 *   does not reset the clock. A position whose open time is unknown (null) is treated as past
 *   its maximum hold: an open position nobody can date is exactly the one held forever.
 * - HORIZON: the strategy has a daily "HH:MM" UTC deadline, and the position was opened before
 *   the most recent such deadline that has passed (today's once it is past, else yesterday's),
 *   so a deadline missed while the engine was down still closes it after midnight.
 * - STOP_LOSS / TAKE_PROFIT: P&L at the conservative mark (longs at the bid, shorts at the ask)
 *   against the cost basis. The stop is the operator's per-symbol stop (`stopLosses`, the `pct`
 *   of `risk.stoploss-set`, a percentage: 2 = 2 %) or else `config.stopLossPct`; take-profit is
 *   `config.takeProfitPct`. All three are percentages of the average entry.
 */
import { type Dec, abs, div, format, fromNumber, mul } from "../core/decimal.ts";
import type { ForceCloseReason } from "../core/events.ts";
import { type RiskConfig, parseHhMm } from "./config.ts";
import type { BidAsk } from "../core/bid-ask.ts";
import { DAY_MS, utcDayStart } from "./utc-day.ts";
import { unrealizedPnl } from "../portfolio/position.ts";

export interface MonitoredPosition {
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly qty: Dec;
  /** Cost basis of the open quantity. */
  readonly entryValue: Dec;
  readonly openedAt: number | null;
  /** The strategy that opened it (for its horizon); none means no horizon applies. */
  readonly strategyId?: string | undefined;
}

export interface ForceCloseDecision {
  readonly symbol: string;
  readonly reason: ForceCloseReason;
  readonly detail: string;
  readonly values: Record<string, string>;
}

const MINUTE_MS = 60_000;

/** The most recent daily deadline at `minutes` after 00:00 UTC that is ≤ now. */
export function lastDeadline(now: number, minutes: number): number {
  const today = utcDayStart(now) + minutes * MINUTE_MS;
  return now >= today ? today : today - DAY_MS;
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * What explains a price decision. Built only when one is made (the average entry is divided out
 * then), not on every book: the check itself runs on every mark move.
 */
function decisionValues(p: MonitoredPosition, px: Dec, size: Dec, pnl: Dec, limitFraction: number): Record<string, string> {
  return {
    qty: format(p.qty),
    avgEntry: format(div(p.entryValue, size)),
    mark: format(px),
    pnl: format(pnl),
    // pnl / entry in units of 0.0001 %
    pnlPct: String(Number((pnl * 1_000_000n) / p.entryValue) / 10_000),
    limitPct: String(Math.round(limitFraction * 100 * 1e6) / 1e6),
  };
}

/** `fromNumber` of the stop and take-profit fractions, which are the same on every book. */
const FRACTIONS = new Map<number, Dec>();
function fractionDec(fraction: number): Dec {
  let d = FRACTIONS.get(fraction);
  if (d === undefined) {
    d = fromNumber(fraction);
    // Operators set a few stops; a bound all the same (a cleared map only recomputes).
    if (FRACTIONS.size >= 64) FRACTIONS.clear();
    FRACTIONS.set(fraction, d);
  }
  return d;
}

/**
 * `mul(entryValue, fractionDec(fraction))`, the P&L a stop or take-profit compares with: the
 * basis moves only with fills and the fraction only with the operator, while the check runs on
 * every book. The last few answers, keyed by both.
 */
const LIMIT_SLOTS = 8;
const limitBasis: (Dec | undefined)[] = new Array<Dec | undefined>(LIMIT_SLOTS).fill(undefined);
const limitFraction = new Float64Array(LIMIT_SLOTS).fill(Number.NaN);
const limitValue: Dec[] = new Array<Dec>(LIMIT_SLOTS).fill(0n as Dec);
let limitNext = 0;
function pnlLimit(entryValue: Dec, fraction: number): Dec {
  for (let i = 0; i < LIMIT_SLOTS; i++) if (limitBasis[i] === entryValue && limitFraction[i] === fraction) return limitValue[i]!;
  const value = mul(entryValue, fractionDec(fraction));
  const slot = limitNext;
  limitNext = (slot + 1) % LIMIT_SLOTS;
  limitBasis[slot] = entryValue;
  limitFraction[slot] = fraction;
  limitValue[slot] = value;
  return value;
}

/**
 * The stop-loss distance in percent that holds for `symbol`: the operator's own for the symbol
 * (`/stop`, a command) wins over the configured one. The engine's position monitor and the live
 * venues' resting protective stops read it alike.
 */
export function effectiveStopLossPct(stopLosses: ReadonlyMap<string, number>, symbol: string, configured: number | undefined): number | undefined {
  const operator = stopLosses.get(symbol);
  return operator !== undefined && Number.isFinite(operator) && operator > 0 ? operator : configured;
}

function priceDecision(p: MonitoredPosition, mark: BidAsk | undefined, config: RiskConfig, stopLosses: ReadonlyMap<string, number>): ForceCloseDecision | undefined {
  if (mark === undefined || p.entryValue <= 0n) return undefined;
  const long = p.qty > 0n;
  const px = long ? mark.bid : mark.ask;
  if (px <= 0n) return undefined;
  const size = abs(p.qty);
  // The portfolio's own figure: the governor valued the position at this price on this book.
  const pnl = unrealizedPnl(p, mark.bid, mark.ask);
  const stopPct = effectiveStopLossPct(stopLosses, p.symbol, config.stopLossPct);
  const stop = stopPct === undefined ? undefined : stopPct / 100;
  if (stop !== undefined && pnl <= -pnlLimit(p.entryValue, stop)) {
    const v = decisionValues(p, px, size, pnl, stop);
    return { symbol: p.symbol, reason: "STOP_LOSS", detail: `P&L ${v.pnlPct}% at ${v.mark} ≤ −${v.limitPct}% stop (avg entry ${v.avgEntry})`, values: v };
  }
  if (config.takeProfitPct !== undefined) {
    const tp = config.takeProfitPct / 100;
    if (pnl >= pnlLimit(p.entryValue, tp)) {
      const v = decisionValues(p, px, size, pnl, tp);
      return { symbol: p.symbol, reason: "TAKE_PROFIT", detail: `P&L ${v.pnlPct}% at ${v.mark} ≥ ${v.limitPct}% take-profit (avg entry ${v.avgEntry})`, values: v };
    }
  }
  return undefined;
}

function timeDecision(p: MonitoredPosition, now: number, config: RiskConfig): ForceCloseDecision | undefined {
  if (p.openedAt === null) {
    return { symbol: p.symbol, reason: "MAX_HOLD", detail: "open time unknown: treated as past the maximum hold", values: { openedAt: "unknown", maxHoldMs: String(config.maxHoldMs) } };
  }
  const held = now - p.openedAt;
  const sid = p.strategyId;
  // A strategy's own maximum hold (`strategies[].maxHoldMs`) replaces the account-wide one for its positions.
  const own = sid !== undefined && config.maxHoldMsByStrategy !== undefined && Object.hasOwn(config.maxHoldMsByStrategy, sid) ? config.maxHoldMsByStrategy[sid] : undefined;
  const maxHoldMs = own ?? config.maxHoldMs;
  if (held >= maxHoldMs) {
    return {
      symbol: p.symbol,
      reason: "MAX_HOLD",
      detail: `held ${held} ms since ${iso(p.openedAt)} ≥ max hold ${maxHoldMs} ms${own !== undefined ? ` of strategy ${sid}` : ""}`,
      values: { openedAt: String(p.openedAt), heldMs: String(held), maxHoldMs: String(maxHoldMs), ...(own !== undefined ? { strategyId: sid! } : {}) },
    };
  }
  if (sid !== undefined && Object.hasOwn(config.horizonUtc, sid)) {
    const at = config.horizonUtc[sid]!;
    const minutes = parseHhMm(at);
    if (minutes !== undefined) {
      const deadline = lastDeadline(now, minutes);
      if (p.openedAt < deadline) {
        return {
          symbol: p.symbol,
          reason: "HORIZON",
          detail: `strategy ${sid} horizon ${at} UTC passed at ${iso(deadline)}; opened ${iso(p.openedAt)}`,
          values: { strategyId: sid, horizonUtc: at, deadline: String(deadline), openedAt: String(p.openedAt) },
        };
      }
    }
  }
  return undefined;
}

/** The risk configuration with each strategy's own max hold and horizon laid in (from `strategies[]`). */
export function withStrategyLimits(config: RiskConfig, strategies: readonly { readonly id: string; readonly maxHoldMs?: number | undefined; readonly horizonUtc?: string | undefined }[]): RiskConfig {
  const holds: Record<string, number> = { ...config.maxHoldMsByStrategy };
  const horizons: Record<string, string> = { ...config.horizonUtc };
  for (const s of strategies) {
    if (s.maxHoldMs !== undefined) holds[s.id] = s.maxHoldMs;
    if (s.horizonUtc !== undefined) horizons[s.id] = s.horizonUtc;
  }
  return Object.freeze({ ...config, maxHoldMsByStrategy: Object.freeze(holds), horizonUtc: Object.freeze(horizons) });
}

/**
 * One position's decision (what `checkPositions` returns for it), for a caller that walks its
 * positions itself: the check runs on every book, and needs no arrays or copies for that. A book
 * decides only by price (`includeTime` false): the time rules are the watchdog's, and a position
 * past its max hold whose close is pending would otherwise build that decision on every book.
 */
export function checkPosition(
  p: MonitoredPosition,
  mark: BidAsk | undefined,
  now: number,
  config: RiskConfig,
  stopLosses: ReadonlyMap<string, number>,
  includeTime = true,
): ForceCloseDecision | undefined {
  if (p.qty === 0n) return undefined;
  return priceDecision(p, mark, config, stopLosses) ?? (includeTime ? timeDecision(p, now, config) : undefined);
}

export function checkPositions(
  positions: readonly MonitoredPosition[],
  marks: (symbol: string) => BidAsk | undefined,
  now: number,
  config: RiskConfig,
  stopLosses: ReadonlyMap<string, number>,
): ForceCloseDecision[] {
  const out: ForceCloseDecision[] = [];
  for (const p of positions) {
    const d = checkPosition(p, p.qty === 0n ? undefined : marks(p.symbol), now, config, stopLosses);
    if (d !== undefined) out.push(d);
  }
  return out;
}
