/**
 * `churn`: opens a small position every few seconds and closes it a little later, alternating
 * sides. It exists to exercise the machinery (soak and fault tests), not to make money.
 */
import type { BookEvent, SignalEvent } from "../core/events.ts";
import type { Strategy, StrategyView } from "./strategy.ts";

export interface ChurnParams {
  readonly intervalMs: number;
  readonly holdMs: number;
}

export const DEFAULT_CHURN: ChurnParams = { intervalMs: 3_000, holdMs: 2_000 };

export class ChurnStrategy implements Strategy {
  readonly id: string;
  readonly #p: ChurnParams;
  readonly #lastAction = new Map<string, number>();
  readonly #nextSide = new Map<string, "buy" | "sell">();
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
    const last = this.#lastAction.get(symbol) ?? -Infinity;
    const held = view.positionQty(symbol);
    if (held !== 0) {
      if (now - last < this.#p.holdMs) return undefined;
      this.#lastAction.set(symbol, now);
      return this.#signal(symbol, now, "close", held > 0 ? "sell" : "buy");
    }
    if (now - last < this.#p.intervalMs) return undefined;
    this.#lastAction.set(symbol, now);
    const side = this.#nextSide.get(symbol) ?? "buy";
    this.#nextSide.set(symbol, side === "buy" ? "sell" : "buy");
    return this.#signal(symbol, now, "open", side);
  }

  #signal(symbol: string, ts: number, action: "open" | "close", side: "buy" | "sell"): SignalEvent {
    return { type: "signal", ts, strategyId: this.id, symbol, action, side, confidence: 0.5, stopDistance: 0.01, reason: `churn ${action}` };
  }
}
