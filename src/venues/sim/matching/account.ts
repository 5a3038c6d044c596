/**
 * One account of the matching engine: wallet, one-way positions, its orders (with the client
 * order id index) and its executions. Plain state; the engine is its only writer.
 *
 * Open orders are kept for as long as they are open; ended orders and executions only up to the
 * engine's caps (newest kept), so a run of any length holds a bounded history. The running
 * totals count everything ever placed and executed.
 */
import { Fifo } from "../../../core/fifo.ts";
import { type Dec, ZERO } from "../../../core/decimal.ts";
import type { OrderRecord } from "./order-record.ts";
import { FLAT, type PositionState } from "./position.ts";
import type { Execution } from "./types.ts";

export interface PositionRecord extends PositionState {
  readonly realised: Dec;
  readonly updatedAt: number;
  readonly seq: number;
}

export class AccountState {
  readonly id: string;
  balance: Dec;
  realised: Dec = ZERO;
  fees: Dec = ZERO;
  updatedAt: number;
  readonly positions = new Map<string, PositionRecord>();
  /** Open orders and the ended ones still kept, by venue id in creation order (the order history). */
  readonly orders = new Map<string, OrderRecord>();
  /** The latest kept order per client order id. */
  readonly byClientId = new Map<string, OrderRecord>();
  /** Open orders by venue id, in creation order. */
  readonly open = new Map<string, OrderRecord>();
  /** Ended orders still in `orders`, in the order they ended: the oldest leave first. */
  readonly ended = new Set<OrderRecord>();
  /** The newest executions, oldest first. */
  readonly executions = new Fifo<Execution>();
  /** Orders ever placed or restored, and executions ever made (the history above forgets, these do not). */
  ordersTotal = 0;
  executionsTotal = 0;
  /** Resting reduce-only orders: when 0, a position change needs no reduce-only sweep. */
  reduceOnlyResting = 0;

  constructor(id: string, balance: Dec, now: number) {
    this.id = id;
    this.balance = balance;
    this.updatedAt = now;
  }

  position(symbol: string): PositionRecord {
    return this.positions.get(symbol) ?? { ...FLAT, realised: ZERO, updatedAt: this.updatedAt, seq: 0 };
  }

  readonly #openPerSymbol = new Map<string, number>();

  openCount(symbol: string): number {
    return this.#openPerSymbol.get(symbol) ?? 0;
  }

  addOpen(o: OrderRecord): void {
    this.open.set(o.orderId, o);
    this.#openPerSymbol.set(o.symbol, this.openCount(o.symbol) + 1);
  }

  removeOpen(o: OrderRecord): void {
    if (this.open.delete(o.orderId)) this.#openPerSymbol.set(o.symbol, this.openCount(o.symbol) - 1);
  }
}
