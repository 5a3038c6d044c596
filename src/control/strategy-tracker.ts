/**
 * The strategy panel's facts: what each strategy last said (its signal and the reason it gave),
 * why its last order was refused, and, from the run's trade report, its open and closed trades.
 * Fed the engine's published events; O(strategies) memory. Generic over any number of strategies:
 * the ids come from whoever runs them, plus any id seen in an event (a strategy of an earlier run
 * that still holds a trade shows up too).
 */
import { ZERO, add, dec, format } from "../core/decimal.ts";
import type { HeanEvent } from "../core/events.ts";
import type { PerformanceReport } from "../report/run-performance.ts";
import type { StrategyStateView } from "./engine-view.ts";

type Signal = NonNullable<StrategyStateView["lastSignal"]>;
type Denial = NonNullable<StrategyStateView["lastDenial"]>;

export interface StrategyRunInfo {
  readonly id: string;
  /** Fraction of equity its orders are sized from. */
  readonly capitalShare: number;
  /** Set once the run disabled it. */
  readonly disabled?: { readonly ts: number; readonly problem: string } | undefined;
}

/** Ids of orders placed by hean itself, not by a strategy: never shown as strategies. */
const NOT_STRATEGIES = new Set(["", "risk", "operator", "kill-switch", "test"]);

export class StrategyTracker {
  readonly #signals = new Map<string, { count: number; last: Signal }>();
  readonly #denials = new Map<string, Denial>();

  apply(e: HeanEvent): void {
    if (e.type === "signal") {
      const count = (this.#signals.get(e.strategyId)?.count ?? 0) + 1;
      this.#signals.set(e.strategyId, {
        count,
        last: { ts: e.ts, symbol: e.symbol, action: e.action, side: e.side, confidence: e.confidence, reason: e.reason },
      });
    } else if (e.type === "order.denied" && !NOT_STRATEGIES.has(e.strategyId)) {
      this.#denials.set(e.strategyId, { ts: e.ts, symbol: e.symbol, code: e.code, message: e.message });
    }
  }

  view(running: readonly StrategyRunInfo[], tradingState: string, report: PerformanceReport): StrategyStateView[] {
    const ids = new Set(running.map((r) => r.id));
    for (const id of this.#signals.keys()) ids.add(id);
    for (const t of report.trades.open) if (!NOT_STRATEGIES.has(t.strategyId)) ids.add(t.strategyId);
    const byId = new Map(running.map((r) => [r.id, r]));
    return [...ids].map((id) => {
      const open = report.trades.open
        .filter((t) => t.strategyId === id)
        .map((t) => ({ symbol: t.symbol, direction: t.direction, qty: t.qty, entryPrice: t.entryPrice, openedAt: t.openedAt }));
      const closed = report.trades.closed.filter((t) => t.strategyId === id);
      const netPnl = closed.reduce((sum, t) => add(sum, dec(t.netPnl)), ZERO);
      const run = byId.get(id);
      const state = run === undefined ? "stopped" : run.disabled !== undefined ? "disabled" : tradingState !== "active" ? tradingState : open.length > 0 ? "in-position" : "trading";
      const signals = this.#signals.get(id);
      return {
        id,
        state,
        capitalShare: run?.capitalShare ?? 0,
        signals: signals?.count ?? 0,
        lastSignal: signals?.last ?? null,
        lastDenial: this.#denials.get(id) ?? null,
        disabled: run?.disabled ?? null,
        open,
        closedTrades: closed.length,
        wins: closed.filter((t) => Number(t.netPnl) > 0).length,
        netPnl: format(netPnl),
      };
    });
  }
}
