/**
 * Performance figures of a run (backtest, paper or live alike): returns, drawdown, risk-adjusted
 * ratios and trade statistics. Pure functions of the trade totals and the equity curve.
 *
 * Money stays exact (`Dec`, written as decimal strings); ratios are floats, rounded to a fixed
 * number of digits so that two runs of the same input write byte-identical reports.
 */
import { type Dec, ONE, div, format, mulInt, sub, toNumber } from "../core/decimal.ts";
import type { FillTotals, TradeTotals } from "./trade-ledger.ts";

export interface EquityPoint {
  readonly ts: number;
  readonly equity: Dec;
}

/** First and last price of a symbol over the run, for the buy-and-hold benchmark. */
export interface BenchmarkPrices {
  readonly symbol: string;
  readonly first: Dec;
  readonly last: Dec;
}

export interface PerformanceInput {
  readonly from: number;
  readonly to: number;
  readonly startEquity: Dec;
  readonly endEquity: Dec;
  /** Equity samples in time order (the start and end are added from the two figures above). */
  readonly equity: readonly EquityPoint[];
  /** The closed trades: their count, wins, P&L. */
  readonly totals: TradeTotals;
  /** Every fill of the run, open trades' too: fees paid and the maker share. */
  readonly fills: FillTotals;
  /** Funding received over the run (paid is negative), open trades' too. */
  readonly funding: Dec;
  /** Time with at least one position open. */
  readonly exposedMs: number;
  readonly benchmark: readonly BenchmarkPrices[];
}

export type ReturnPeriod = "minute" | "hour" | "day";

export interface Performance {
  readonly from: number;
  readonly to: number;
  /** `from` and `to` as ISO-8601 (UTC), beside the epoch milliseconds. */
  readonly fromIso: string;
  readonly toIso: string;
  readonly startEquity: string;
  readonly endEquity: string;
  readonly netPnl: string;
  readonly totalReturnPct: number;
  readonly annualisedReturnPct: number | null;
  readonly maxDrawdownPct: number;
  /** Longest time from a peak until equity was back at it (or the end of the run). */
  readonly maxDrawdownDurationMs: number;
  /** Periodic returns the ratios are computed from, annualised over 365 days (crypto never closes). */
  readonly returnPeriod: ReturnPeriod;
  /** How many of them: Sharpe and Sortino need `MIN_RETURNS`. */
  readonly returnCount: number;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly trades: number;
  readonly winRatePct: number | null;
  /** Σ winning net P&L / |Σ losing net P&L|; null without losing trades. */
  readonly profitFactor: number | null;
  /** Mean net P&L per trade. */
  readonly expectancy: string | null;
  readonly averageWin: string | null;
  readonly averageLoss: string | null;
  readonly exposurePct: number;
  /** Of every quantity filled, open trades' too. */
  readonly makerSharePct: number | null;
  /** Paid by every fill, open trades' too (net P&L counts them all). */
  readonly fees: string;
  /** Funding received over the run (negative: paid), open trades' too; each trade's net P&L counts its own. */
  readonly funding: string;
  /** Equal-weighted buy-and-hold return of the same symbols over the same time. */
  readonly buyAndHoldPct: number | null;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
/**
 * Fewer periodic returns than this give no Sharpe or Sortino: a mean and a deviation of a handful
 * of returns, annualised, print figures in the thousands that say nothing (a steady loss over 17
 * minutes read as a Sharpe of −5,000). A run of 30 minutes or more always has enough.
 */
export const MIN_RETURNS = 30;
const PERIOD_MS: Readonly<Record<ReturnPeriod, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Rounded so that float noise never reaches a report (and reports compare byte for byte). */
const round = (x: number, digits = 6): number => {
  const r = Number(x.toFixed(digits));
  return Object.is(r, -0) ? 0 : r;
};
const roundOrNull = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : round(x));

export function performance(input: PerformanceInput): Performance {
  const span = Math.max(0, input.to - input.from);
  const start = toNumber(input.startEquity);
  const curve = equityCurve(input);
  const totalReturn = start > 0 ? toNumber(input.endEquity) / start - 1 : 0;
  const drawdown = maxDrawdown(curve);
  const period = returnPeriod(span);
  const returns = periodicReturns(curve, input.from, PERIOD_MS[period]);
  const perYear = YEAR_MS / PERIOD_MS[period];
  const annualised = span >= PERIOD_MS.day && start > 0 && toNumber(input.endEquity) > 0 ? Math.pow(1 + totalReturn, YEAR_MS / span) - 1 : null;
  const t = input.totals;
  return {
    from: input.from,
    fromIso: new Date(input.from).toISOString(),
    toIso: new Date(input.to).toISOString(),
    to: input.to,
    startEquity: format(input.startEquity),
    endEquity: format(input.endEquity),
    netPnl: format(sub(input.endEquity, input.startEquity)),
    totalReturnPct: round(totalReturn * 100),
    annualisedReturnPct: roundOrNull(annualised === null ? null : annualised * 100),
    maxDrawdownPct: round(drawdown.pct * 100),
    maxDrawdownDurationMs: drawdown.durationMs,
    returnPeriod: period,
    returnCount: returns.length,
    sharpe: roundOrNull(sharpe(returns, perYear)),
    sortino: roundOrNull(sortino(returns, perYear)),
    calmar: annualised === null || drawdown.pct === 0 ? null : roundOrNull(annualised / drawdown.pct),
    trades: t.trades,
    winRatePct: t.trades === 0 ? null : round((t.wins / t.trades) * 100),
    profitFactor: t.grossLoss === 0n ? null : round(toNumber(t.grossProfit) / -toNumber(t.grossLoss)),
    expectancy: t.trades === 0 ? null : format(div(t.netPnl, mulInt(ONE, t.trades))),
    averageWin: t.wins === 0 ? null : format(div(t.grossProfit, mulInt(ONE, t.wins))),
    averageLoss: t.losses === 0 ? null : format(div(t.grossLoss, mulInt(ONE, t.losses))),
    exposurePct: span === 0 ? 0 : round((Math.min(input.exposedMs, span) / span) * 100),
    makerSharePct: input.fills.tradedQty === 0n ? null : round((toNumber(input.fills.makerQty) / toNumber(input.fills.tradedQty)) * 100),
    fees: format(input.fills.fees),
    funding: format(input.funding),
    buyAndHoldPct: buyAndHold(input.benchmark),
  };
}

interface CurvePoint {
  readonly ts: number;
  readonly equity: number;
}

function equityCurve(input: PerformanceInput): CurvePoint[] {
  const points: CurvePoint[] = [{ ts: input.from, equity: toNumber(input.startEquity) }];
  for (const p of input.equity) if (p.ts >= input.from && p.ts <= input.to) points.push({ ts: p.ts, equity: toNumber(p.equity) });
  points.push({ ts: input.to, equity: toNumber(input.endEquity) });
  return points;
}

export function maxDrawdown(curve: readonly CurvePoint[]): { pct: number; durationMs: number } {
  let peak = -Infinity;
  let peakTs = 0;
  let pct = 0;
  let durationMs = 0;
  // Only a span with a sample below the peak is a drawdown: samples at the peak, however far apart, are not.
  let underwater = false;
  for (const p of curve) {
    if (p.equity >= peak) {
      if (underwater) durationMs = Math.max(durationMs, p.ts - peakTs);
      underwater = false;
      peak = p.equity;
      peakTs = p.ts;
      continue;
    }
    underwater = true;
    if (peak > 0) pct = Math.max(pct, (peak - p.equity) / peak);
  }
  // Still under water at the end: the drawdown lasts until now.
  const last = curve.at(-1);
  if (last !== undefined && underwater) durationMs = Math.max(durationMs, last.ts - peakTs);
  return { pct, durationMs };
}

/** The shortest period that still gives a few dozen returns. */
function returnPeriod(spanMs: number): ReturnPeriod {
  if (spanMs >= 30 * PERIOD_MS.day) return "day";
  if (spanMs >= 30 * PERIOD_MS.hour) return "hour";
  return "minute";
}

/** Returns between the last equity of consecutive periods (a period without samples carries the last). */
function periodicReturns(curve: readonly CurvePoint[], from: number, periodMs: number): number[] {
  const closes: number[] = [];
  let boundary = from + periodMs;
  let last = curve[0]?.equity ?? 0;
  for (const p of curve) {
    while (p.ts > boundary) {
      closes.push(last);
      boundary += periodMs;
    }
    last = p.equity;
  }
  closes.push(last);
  const returns: number[] = [];
  let prev = curve[0]?.equity ?? 0;
  for (const c of closes) {
    if (prev > 0) returns.push(c / prev - 1);
    prev = c;
  }
  return returns;
}

function sharpe(returns: readonly number[], perYear: number): number | null {
  if (returns.length < MIN_RETURNS) return null;
  const m = mean(returns);
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1));
  return sd === 0 ? null : (m / sd) * Math.sqrt(perYear);
}

function sortino(returns: readonly number[], perYear: number): number | null {
  if (returns.length < MIN_RETURNS) return null;
  const downside = Math.sqrt(returns.reduce((s, r) => s + Math.min(0, r) ** 2, 0) / returns.length);
  return downside === 0 ? null : (mean(returns) / downside) * Math.sqrt(perYear);
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

function buyAndHold(prices: readonly BenchmarkPrices[]): number | null {
  const returns = prices.filter((p) => p.first > 0n).map((p) => toNumber(p.last) / toNumber(p.first) - 1);
  return returns.length === 0 ? null : round(mean(returns) * 100);
}
