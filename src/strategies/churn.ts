/**
 * `churn`: opens a small position every few seconds and closes it a little later. It exists to
 * exercise the machinery (soak, fault and kill-switch tests), not to make money, so it holds
 * positions most of the time: a fault that hits while it is flat would prove nothing.
 *
 * `sides`: "long" (default: open buys, close with sells), "short", or "alternate".
 */
import type { BookEvent, SignalEvent } from "../core/events.ts";
import { MAX_TIMER_MS } from "../core/clock.ts";
import type { ParamSchema, Strategy, StrategyView } from "./strategy.ts";

export interface ChurnParams {
  /** Time from one open to the next. */
  readonly intervalMs: number;
  /** Time a position is held before it is closed. */
  readonly holdMs: number;
  readonly sides: "long" | "short" | "alternate";
}

export const DEFAULT_CHURN: ChurnParams = { intervalMs: 2_500, holdMs: 2_000, sides: "long" };

export const CHURN_SCHEMA: ParamSchema = {
  intervalMs: { kind: "number", min: 0, max: MAX_TIMER_MS, minExclusive: true },
  holdMs: { kind: "number", min: 0, max: MAX_TIMER_MS },
  sides: { kind: "choice", values: ["long", "short", "alternate"] },
};

export class ChurnStrategy implements Strategy {
  readonly id: string;
  readonly #p: ChurnParams;
  readonly #openedAt = new Map<string, number>();
  readonly #opens = new Map<string, number>();
  readonly #symbols = new Set<string>();

  constructor(params: Partial<ChurnParams> = {}, id = "churn") {
    this.id = id;
    this.#p = { ...DEFAULT_CHURN, ...params };
  }

  onBook(book: BookEvent, view: StrategyView): SignalEvent | undefined {
    this.#symbols.add(book.symbol);
    return this.#decide(book.symbol, view);
  }

  onTimer(view: StrategyView): SignalEvent[] {
    const out: SignalEvent[] = [];
    for (const symbol of this.#symbols) {
      const s = this.#decide(symbol, view);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  #decide(symbol: string, view: StrategyView): SignalEvent | undefined {
    if (view.hasWorkingOrders(symbol)) return undefined;
    const now = view.now();
    const openedAt = this.#openedAt.get(symbol) ?? -Infinity;
    const held = view.positionQty(symbol);
    if (held !== 0) {
      if (now - openedAt < this.#p.holdMs) return undefined;
      return this.#signal(symbol, now, "close", held > 0 ? "sell" : "buy");
    }
    if (now - openedAt < this.#p.intervalMs) return undefined;
    this.#openedAt.set(symbol, now);
    const n = this.#opens.get(symbol) ?? 0;
    this.#opens.set(symbol, n + 1);
    const side = this.#p.sides === "long" ? "buy" : this.#p.sides === "short" ? "sell" : n % 2 === 0 ? "buy" : "sell";
    return this.#signal(symbol, now, "open", side);
  }

  #signal(symbol: string, ts: number, action: "open" | "close", side: "buy" | "sell"): SignalEvent {
    return { type: "signal", ts, strategyId: this.id, symbol, action, side, confidence: 0.5, stopDistance: 0.01, reason: `churn ${action}` };
  }
}
