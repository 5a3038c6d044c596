/**
 * A run's performance as it goes: round-trip trades (the ledger), the recent closed trades, an
 * equity curve, drawdown and the first and last price of every symbol. The engine state feeds it
 * every applied event, so the live engine, `hean journal replay` and a backtest all hold the same
 * figures for the same events, and the dashboard, Telegram and the exit report read one source.
 *
 * Memory is bounded for runs of any length: the closed-trade list keeps the most recent
 * `recentTrades` (the totals cover every trade), and the equity curve halves its resolution
 * whenever it would pass `curvePoints` (each kept bucket holds its low, high and close, so a chart
 * still shows every dip). Drawdown is tracked exactly on every sample, never from the thinned curve.
 */
import { type Dec, ZERO, add, format as formatDec, sub } from "../core/decimal.ts";
import type { HeanEvent } from "../core/events.ts";
import type { Mark } from "../portfolio/portfolio.ts";
import { type BenchmarkPrices, type EquityPoint, type Performance, performance } from "./performance.ts";
import { type OpenTrip, type RoundTrip, TradeLedger, type TradeLedgerSnapshot, type TradeTotals } from "./trade-ledger.ts";

/** How much of the run is kept item by item; totals always cover all of it. */
export interface PerformanceBounds {
  /** Closed trades kept one by one (reports, dashboard, `/trades`). */
  readonly recentTrades: number;
  /** Upper bound of equity-curve buckets. */
  readonly curvePoints: number;
  /** Recent orders whose origin (strategy, purpose) the ledger remembers. */
  readonly originWindow: number;
}

export const DEFAULT_PERFORMANCE_BOUNDS: PerformanceBounds = { recentTrades: 1_000, curvePoints: 4_000, originWindow: 10_000 };
/** The first bucket width: one sample per second until the run outgrows `CURVE_POINTS`. */
const FIRST_BUCKET_MS = 1_000;

/**
 * One bucket of the equity curve: its last sample, and its extremes with their times. Held net of
 * the cash moved in or out without a trade up to each sample (see `RunPerformance.apply`).
 */
export interface CurveBucket {
  readonly ts: number;
  readonly close: Dec;
  readonly lowTs: number;
  readonly low: Dec;
  readonly highTs: number;
  readonly high: Dec;
}

export interface DrawdownState {
  readonly peak: Dec;
  readonly peakTs: number;
  /** Largest fall from a peak, as a fraction of that peak. */
  readonly maxPct: number;
  /** Longest time from a peak until equity was back at it (an open one counts up to the last sample). */
  readonly maxDurationMs: number;
  /** Whether the last sample was below the peak: time spent at the peak is no drawdown. */
  readonly underwater: boolean;
}

export interface RunPerformanceSnapshot {
  readonly ledger: TradeLedgerSnapshot;
  readonly recent: readonly RoundTrip[];
  readonly bucketMs: number;
  readonly curve: readonly CurveBucket[];
  /**
   * "net": the buckets are net of transfers (equity less the transfers up to each sample). Absent
   * in snapshots written before: their buckets are plain equity, converted on load.
   */
  readonly curveBasis?: "net";
  readonly drawdown: DrawdownState | null;
  readonly transfers: Dec;
  readonly prices: readonly BenchmarkPrices[];
  readonly marks: readonly (Mark & { readonly symbol: string })[];
  readonly from: number | null;
  readonly to: number | null;
}

/** Events after which equity may have moved: the curve samples it then. */
const MOVES_EQUITY = new Set<HeanEvent["type"]>(["mark", "order.filled", "funding.paid", "cash.adjusted", "account.snapshot"]);

/** What readers of the engine state see: everything but the feeding. */
export type RunPerformanceView = Omit<RunPerformance, "apply" | "ledger"> & { readonly ledger: Omit<TradeLedger, "apply"> };

export class RunPerformance {
  readonly ledger: TradeLedger;
  #recent: RoundTrip[] = [];
  #bucketMs = FIRST_BUCKET_MS;
  #curve: CurveBucket[] = [];
  #drawdown: DrawdownState | null = null;
  #transfers = ZERO;
  #prices = new Map<string, { first: Dec; last: Dec }>();
  #marks = new Map<string, Mark>();
  #from: number | null = null;
  #to: number | null = null;

  readonly #bounds: PerformanceBounds;

  constructor(bounds: PerformanceBounds = DEFAULT_PERFORMANCE_BOUNDS, ledger?: TradeLedgerSnapshot) {
    this.#bounds = bounds;
    const keep = (t: RoundTrip): void => {
      this.#recent.push(t);
      if (this.#recent.length > bounds.recentTrades) this.#recent.shift();
    };
    this.ledger = ledger === undefined ? new TradeLedger(keep, bounds.originWindow) : TradeLedger.fromSnapshot(ledger, keep, bounds.originWindow);
  }

  /**
   * Feed every applied event in order; `equityAt` is asked only when the event can move equity,
   * with the marks journaled so far: the live market moves the portfolio's marks between
   * journaled ones, and a replay must value the run exactly as the run valued itself.
   * `transfers` is the net cash moved in or out without a trade so far: a deposit is not a
   * profit, so it moves the drawdown's peak with it instead of ending a drawdown.
   */
  apply(event: HeanEvent, equityAt: (marks: ReadonlyMap<string, Mark>) => Dec, transfers: () => Dec): void {
    const ts = (event as { ts?: number }).ts;
    if (typeof ts === "number" && Number.isFinite(ts)) {
      this.#from ??= ts;
      if (this.#to === null || ts > this.#to) this.#to = ts;
    }
    this.ledger.apply(event);
    if (event.type === "mark") this.#mark(event.symbol, event.bid, event.ask, event.ts);
    if (!MOVES_EQUITY.has(event.type) || typeof ts !== "number") return;
    const moved = transfers();
    if (moved !== this.#transfers && this.#drawdown !== null) this.#drawdown = { ...this.#drawdown, peak: add(this.#drawdown.peak, sub(moved, this.#transfers)) };
    this.#transfers = moved;
    const equity = equityAt(this.#marks);
    this.#trackDrawdown(ts, equity);
    this.#sample(ts, sub(equity, moved));
  }

  /** Closed trades, oldest first (the most recent `recentTrades`). */
  recentTrades(): readonly RoundTrip[] {
    return this.#recent;
  }

  /**
   * The equity curve, oldest first: each bucket's extremes and close in time order, every point
   * as if the cash moved so far (deposits, withdrawals, a live account's opening balance) had
   * been there from the start. A transfer is not a gain or a loss: read plainly, a live run's
   * samples at the configured capital before the venue's wallet was adopted made every live
   * report say "max drawdown 90%" (10 000 against an opened 100 000) and the first minute's
   * return +900%.
   */
  equityCurve(): EquityPoint[] {
    const out: EquityPoint[] = [];
    const moved = this.#transfers;
    for (const b of this.#curve) {
      const points: EquityPoint[] = [
        { ts: b.lowTs, equity: add(b.low, moved) },
        { ts: b.highTs, equity: add(b.high, moved) },
        { ts: b.ts, equity: add(b.close, moved) },
      ];
      points.sort((x, y) => x.ts - y.ts);
      for (const p of points) {
        const prev = out.at(-1);
        if (prev === undefined || prev.ts !== p.ts || prev.equity !== p.equity) out.push(p);
      }
    }
    return out;
  }

  drawdown(): DrawdownState | null {
    return this.#drawdown;
  }

  benchmark(): BenchmarkPrices[] {
    return [...this.#prices].sort(([a], [b]) => a.localeCompare(b)).map(([symbol, p]) => ({ symbol, first: p.first, last: p.last }));
  }

  /** First and last event time seen (null before any). */
  span(): { from: number | null; to: number | null } {
    return { from: this.#from, to: this.#to };
  }

  /** The figures of the run so far. `startEquity` is what was put in (initial cash plus net transfers). */
  summary(startEquity: Dec, endEquity: Dec): Performance {
    const from = this.#from ?? 0;
    const to = this.#to ?? from;
    const base = performance({
      from,
      to,
      startEquity,
      endEquity,
      equity: this.equityCurve(),
      totals: this.ledger.totals(),
      fills: this.ledger.fillTotals(),
      funding: this.ledger.fundingTotal(),
      exposedMs: this.ledger.exposedMs(to),
      benchmark: this.benchmark(),
    });
    const dd = this.#drawdown;
    if (dd === null) return base;
    // Exact, from every sample: the curve may have been thinned, and a bucket whose low and high
    // share a time cannot say which came first (read low-then-high, a dip after a peak looks like
    // a recovery from an older one, and the duration runs from there).
    const openMs = dd.underwater ? to - dd.peakTs : 0;
    return { ...base, maxDrawdownPct: Math.max(base.maxDrawdownPct, round(dd.maxPct * 100)), maxDrawdownDurationMs: Math.max(dd.maxDurationMs, openMs) };
  }

  snapshot(): RunPerformanceSnapshot {
    return {
      ledger: this.ledger.snapshot(),
      recent: [...this.#recent],
      bucketMs: this.#bucketMs,
      curve: [...this.#curve],
      curveBasis: "net",
      drawdown: this.#drawdown,
      transfers: this.#transfers,
      prices: this.benchmark(),
      marks: [...this.#marks].map(([symbol, m]) => ({ symbol, ...m })),
      from: this.#from,
      to: this.#to,
    };
  }

  static fromSnapshot(s: RunPerformanceSnapshot, bounds: PerformanceBounds = DEFAULT_PERFORMANCE_BOUNDS): RunPerformance {
    const p = new RunPerformance(bounds, s.ledger);
    p.#recent = s.recent.slice(-bounds.recentTrades);
    p.#bucketMs = s.bucketMs;
    // An older snapshot's buckets are plain equity: taken as net of the transfers it had made, they read back as they did.
    p.#curve = s.curveBasis === "net" ? [...s.curve] : s.curve.map((b) => ({ ...b, close: sub(b.close, s.transfers), low: sub(b.low, s.transfers), high: sub(b.high, s.transfers) }));
    while (p.#curve.length > bounds.curvePoints) p.#thin();
    // A snapshot from before `underwater` was kept counts its open span as it did then.
    const dd: (Omit<DrawdownState, "underwater"> & { readonly underwater?: boolean }) | null = s.drawdown;
    p.#drawdown = dd === null ? null : { ...dd, underwater: dd.underwater ?? true };
    p.#transfers = s.transfers;
    p.#prices = new Map(s.prices.map((b) => [b.symbol, { first: b.first, last: b.last }]));
    p.#marks = new Map(s.marks.map(({ symbol, ...m }) => [symbol, m]));
    p.#from = s.from;
    p.#to = s.to;
    return p;
  }

  #mark(symbol: string, bid: Dec, ask: Dec, ts: number): void {
    this.#marks.set(symbol, { bid, ask, ts });
    if (bid <= 0n || ask <= 0n) return;
    const mid = (add(bid, ask) / 2n) as Dec;
    const p = this.#prices.get(symbol);
    if (p === undefined) this.#prices.set(symbol, { first: mid, last: mid });
    else p.last = mid;
  }

  /** One sample of the curve, net of transfers. */
  #sample(ts: number, equity: Dec): void {
    const last = this.#curve.at(-1);
    if (last !== undefined && Math.floor(last.ts / this.#bucketMs) === Math.floor(ts / this.#bucketMs) && ts >= last.ts) {
      this.#curve[this.#curve.length - 1] = {
        ts,
        close: equity,
        lowTs: equity < last.low ? ts : last.lowTs,
        low: equity < last.low ? equity : last.low,
        highTs: equity > last.high ? ts : last.highTs,
        high: equity > last.high ? equity : last.high,
      };
      return;
    }
    this.#curve.push({ ts, close: equity, lowTs: ts, low: equity, highTs: ts, high: equity });
    while (this.#curve.length > this.#bounds.curvePoints) this.#thin();
  }

  /** Double the bucket width: neighbours in the same wider bucket merge. */
  #thin(): void {
    this.#bucketMs *= 2;
    const merged: CurveBucket[] = [];
    for (const b of this.#curve) {
      const prev = merged.at(-1);
      if (prev === undefined || Math.floor(prev.ts / this.#bucketMs) !== Math.floor(b.ts / this.#bucketMs)) {
        merged.push(b);
        continue;
      }
      merged[merged.length - 1] = {
        ts: b.ts,
        close: b.close,
        lowTs: b.low < prev.low ? b.lowTs : prev.lowTs,
        low: b.low < prev.low ? b.low : prev.low,
        highTs: b.high > prev.high ? b.highTs : prev.highTs,
        high: b.high > prev.high ? b.high : prev.high,
      };
    }
    this.#curve = merged;
  }

  /** As `maxDrawdown` in performance.ts, one sample at a time. */
  #trackDrawdown(ts: number, equity: Dec): void {
    const dd = this.#drawdown;
    if (dd === null) {
      this.#drawdown = { peak: equity, peakTs: ts, maxPct: 0, maxDurationMs: 0, underwater: false };
      return;
    }
    const maxDurationMs = dd.underwater ? Math.max(dd.maxDurationMs, ts - dd.peakTs) : dd.maxDurationMs;
    if (equity >= dd.peak) {
      this.#drawdown = { peak: equity, peakTs: ts, maxPct: dd.maxPct, maxDurationMs, underwater: false };
      return;
    }
    const pct = dd.peak > 0n ? Number(dd.peak - equity) / Number(dd.peak) : 0;
    this.#drawdown = { ...dd, maxPct: Math.max(dd.maxPct, pct), maxDurationMs, underwater: true };
  }
}

const round = (x: number): number => Number(x.toFixed(6));

/** A round trip as reports and APIs carry it: money as decimal strings, times as epoch ms and ISO-8601. */
export function serialiseTrip(t: RoundTrip) {
  return {
    n: t.n,
    symbol: t.symbol,
    direction: t.direction,
    strategyId: t.strategyId,
    openedAt: t.openedAt,
    openedAtIso: new Date(t.openedAt).toISOString(),
    closedAt: t.closedAt,
    closedAtIso: new Date(t.closedAt).toISOString(),
    durationMs: t.closedAt - t.openedAt,
    qty: formatDec(t.maxQty),
    entryPrice: formatDec(t.entryPrice),
    exitPrice: formatDec(t.exitPrice),
    grossPnl: formatDec(t.grossPnl),
    fees: formatDec(t.fees),
    funding: formatDec(t.funding),
    netPnl: formatDec(t.netPnl),
    fills: t.fills,
    makerQty: formatDec(t.makerQty),
    exitReason: t.exitReason,
  };
}
export type SerialisedTrip = ReturnType<typeof serialiseTrip>;

export function serialiseOpenTrip(t: OpenTrip) {
  return {
    symbol: t.symbol,
    direction: t.direction,
    strategyId: t.strategyId,
    openedAt: t.openedAt,
    openedAtIso: new Date(t.openedAt).toISOString(),
    qty: formatDec(t.qty),
    entryPrice: formatDec(t.entryPrice),
    grossPnl: formatDec(t.grossPnl),
    fees: formatDec(t.fees),
    funding: formatDec(t.funding),
    fills: t.fills,
  };
}
export type SerialisedOpenTrip = ReturnType<typeof serialiseOpenTrip>;

export function serialiseTotals(t: TradeTotals & ({ readonly symbol: string } | { readonly day: string })) {
  const key = "symbol" in t ? { symbol: t.symbol } : { day: t.day };
  return {
    ...key,
    trades: t.trades,
    wins: t.wins,
    losses: t.losses,
    winRatePct: t.trades === 0 ? null : round((t.wins / t.trades) * 100),
    netPnl: formatDec(t.netPnl),
    fees: formatDec(t.fees),
    funding: formatDec(t.funding),
    profitFactor: t.grossLoss === 0n ? null : round(Number(t.grossProfit) / -Number(t.grossLoss)),
  };
}
export type SerialisedTotals = ReturnType<typeof serialiseTotals>;

/** The run's figures and trades as every surface shows them: exit report, API, dashboard, Telegram. */
export interface PerformanceReport {
  readonly performance: Performance;
  readonly trades: {
    /** The most recent closed trades, oldest first (`performance.trades` counts them all). */
    readonly closed: readonly SerialisedTrip[];
    readonly open: readonly SerialisedOpenTrip[];
    readonly bySymbol: readonly SerialisedTotals[];
    readonly byDay: readonly SerialisedTotals[];
  };
}

/** `capitalIn`: initial cash plus net transfers; `equity`: equity now. */
export function performanceReport(run: RunPerformanceView, capitalIn: Dec, equity: Dec): PerformanceReport {
  return {
    performance: run.summary(capitalIn, equity),
    trades: {
      closed: run.recentTrades().map(serialiseTrip),
      open: run.ledger.open().map(serialiseOpenTrip),
      bySymbol: run.ledger.bySymbol().map(serialiseTotals),
      byDay: run.ledger.byDay().map(serialiseTotals),
    },
  };
}
