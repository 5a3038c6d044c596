/**
 * The run report: what `hean run --report FILE` writes on exit, and what `hean journal replay`
 * writes from a journal alone. Both come from this one function over the engine state, so a
 * replay that rebuilds the same state writes the same numbers.
 *
 * The engine state holds the working orders and a recent window of terminal ones (and of ended
 * router parents): `orders` lists those, `orderTotals` counts the whole run, and `execution`
 * measures the parents in the window. `hean journal inspect --type order.intent` lists every order.
 */
import { format } from "../core/decimal.ts";
import { avgPrice } from "../portfolio/position.ts";
import { killSwitchSummary } from "../engine/engine-state.ts";
import type { EngineStateView } from "../engine/engine-state-view.ts";
import { type PerformanceReport, performanceReport } from "../report/run-performance.ts";
import { type ExecutionMeasures, measureExecution } from "../execution/router/measures.ts";
import type { DisabledStrategy } from "./strategy-slot.ts";

export interface RunReport extends PerformanceReport {
  /** Orders still in the engine state: the working ones and the most recent terminal ones. */
  readonly orders: readonly {
    readonly clientOrderId: string;
    readonly venueOrderId: string | null;
    readonly symbol: string;
    readonly side: "buy" | "sell";
    readonly qty: string;
    readonly filledQty: string;
    readonly status: string;
    readonly purpose: string;
    readonly reduceOnly: boolean;
  }[];
  /** The whole run: orders placed, still working, and listed in `orders`; router parents created. */
  readonly orderTotals: { readonly placed: number; readonly working: number; readonly listed: number; readonly parents: number };
  readonly fills: number;
  readonly externalFills: number;
  readonly positions: readonly { readonly symbol: string; readonly qty: string; readonly avgPrice: string; readonly realizedPnl: string }[];
  readonly cash: string;
  readonly equity: string;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly fees: string;
  /** Funding paid (negative: received). */
  readonly funding: string;
  /** Net cash moved in or out without a trade (live: the venue's opening balance, transfers). */
  readonly adjustments: string;
  /** Venue wallet − engine cash at the last reconciled wallet snapshot; null before one (paper). */
  readonly accountDivergence: string | null;
  readonly journal: { readonly path: string; readonly events: number };
  /** How the router worked parent orders: maker fill ratio, time to fill, TTL expiries, fallbacks, slippage, fees. */
  readonly execution: ExecutionMeasures;
  readonly risk: {
    readonly state: string;
    readonly reasons: readonly string[];
    readonly tradingState: string;
    readonly denials: Readonly<Record<string, number>>;
    readonly killSwitch: {
      readonly active: boolean;
      readonly reason: string | null;
      readonly triggeredAt: number | null;
      readonly flatAt: number | null;
      readonly reactionMs: number | null;
      /** `triggeredAt` and `flatAt` as ISO-8601 (UTC). */
      readonly triggeredAtIso: string | null;
      readonly flatAtIso: string | null;
    };
  };
  /** The time of the last event the report covers: epoch ms and ISO-8601 (UTC). */
  readonly asOf: number;
  readonly asOfIso: string;
  /**
   * Strategies disabled during this process's run, in order (the figures after that are not
   * theirs). Absent from a journal replay's report: alerts are not journaled, so it cannot know.
   */
  readonly disabled?: readonly DisabledStrategy[];
}

export function buildReport(state: EngineStateView, journal: { path: string; events: number }): RunReport {
  const p = state.portfolio;
  return {
    orders: [...state.orders.values()].map((o) => ({
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId ?? null,
      symbol: o.symbol,
      side: o.side,
      qty: format(o.qty),
      filledQty: format(o.filledQty),
      status: o.status,
      purpose: o.purpose,
      reduceOnly: o.reduceOnly,
    })),
    orderTotals: { placed: state.intentCount, working: state.workingOrders().length, listed: state.orders.size, parents: state.parents.count },
    fills: state.fillCount,
    externalFills: state.externalFillCount,
    positions: p
      .positions()
      .sort((a, b) => a.symbol.localeCompare(b.symbol))
      .map((pos) => ({ symbol: pos.symbol, qty: format(pos.qty), avgPrice: format(avgPrice(pos)), realizedPnl: format(pos.realizedPnl) })),
    cash: format(p.cash),
    equity: format(p.equity()),
    realizedPnl: format(p.realizedPnl),
    unrealizedPnl: format(p.unrealizedPnl()),
    fees: format(p.fees),
    funding: format(p.funding),
    adjustments: format(p.adjustments),
    accountDivergence: state.reconciledAccount === undefined ? null : format(state.reconciledAccount.divergence),
    journal,
    execution: measureExecution(state.parents.all(), (id) => state.orders.get(id)?.filledQty),
    ...performanceReport(state.performance, p.capitalIn, p.equity()),
    risk: {
      state: state.risk.state,
      reasons: state.risk.reasons,
      tradingState: state.tradingState(),
      denials: Object.fromEntries(state.deniedByCode),
      killSwitch: withIso(killSwitchSummary(state.killSwitch)),
    },
    // The state's last event time, so a replay of the same journal writes the same report.
    asOf: state.performance.span().to ?? 0,
    asOfIso: new Date(state.performance.span().to ?? 0).toISOString(),
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function withIso<T extends { readonly triggeredAt: number | null; readonly flatAt: number | null }>(k: T) {
  return { ...k, triggeredAtIso: iso(k.triggeredAt), flatAtIso: iso(k.flatAt) };
}
