/**
 * The accounts' resting orders on one side of one symbol: price levels best-first, each a FIFO
 * queue (price-time priority). Prices are integer ticks so comparisons with the synthetic book
 * are plain number comparisons.
 */
import { type Dec, ZERO, add } from "../../../core/decimal.ts";
import { type OrderRecord, leaves } from "./order-record.ts";

export interface OrderLevel {
  readonly ticks: number;
  readonly orders: OrderRecord[];
}

export class OrderSide {
  /** +1 for asks (lower is better), −1 for bids (higher is better). */
  readonly dir: 1 | -1;
  readonly levels: OrderLevel[] = [];
  #count = 0;

  constructor(dir: 1 | -1) {
    this.dir = dir;
  }

  get orderCount(): number {
    return this.#count;
  }

  best(): OrderRecord | undefined {
    return this.levels[0]?.orders[0];
  }

  /** True when `a` is a strictly better price than `b` on this side. */
  better(a: number, b: number): boolean {
    return (a - b) * this.dir < 0;
  }

  /** Join the back of the order's price level. */
  insert(order: OrderRecord): void {
    const i = this.#search(order.ticks);
    const level = this.levels[i];
    if (level !== undefined && level.ticks === order.ticks) {
      level.orders.push(order);
    } else {
      this.levels.splice(i, 0, { ticks: order.ticks, orders: [order] });
    }
    this.#count++;
  }

  remove(order: OrderRecord): boolean {
    const i = this.#search(order.ticks);
    const level = this.levels[i];
    if (level === undefined || level.ticks !== order.ticks) return false;
    const j = level.orders.indexOf(order);
    if (j < 0) return false;
    level.orders.splice(j, 1);
    if (level.orders.length === 0) this.levels.splice(i, 1);
    this.#count--;
    return true;
  }

  levelAt(ticks: number): OrderLevel | undefined {
    const level = this.levels[this.#search(ticks)];
    return level !== undefined && level.ticks === ticks ? level : undefined;
  }

  /** Everything resting from the best price through `limitTicks` (all when undefined). */
  qtyThrough(limitTicks: number | undefined): Dec {
    let total = ZERO;
    for (const level of this.levels) {
      if (limitTicks !== undefined && this.better(limitTicks, level.ticks)) break;
      total = add(total, sumLeaves(level));
    }
    return total;
  }

  /** First index whose level is not better than `ticks` (binary search; levels are few). */
  #search(ticks: number): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(this.levels[mid]!.ticks, ticks)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export function sumLeaves(level: OrderLevel): Dec {
  let total = ZERO;
  for (const o of level.orders) total = add(total, leaves(o));
  return total;
}
