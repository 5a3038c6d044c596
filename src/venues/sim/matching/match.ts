/**
 * The matching algorithms: a taker walking the book, and resting orders meeting the synthetic
 * market's flow (the queue model of README.md). State changes go through `MatchEffects`, which
 * the engine implements, so every fill is booked and reported in one place.
 */
import { type Dec, ZERO, add, sub } from "../../../core/decimal.ts";
import type { Liquidity, Side } from "../../../core/events.ts";
import type { SideLevels } from "../market/side-levels.ts";
import type { SyntheticBook } from "../market/synthetic-book.ts";
import { type OrderRecord, leaves } from "./order-record.ts";
import type { OrderSide } from "./order-side.ts";
import { type SymbolBook, makersFor, syntheticFor } from "./symbol-book.ts";
import type { Execution } from "./types.ts";

export interface MatchEffects {
  /** Book a fill of `o` (orders, position, wallet, events). */
  fill(o: OrderRecord, price: Dec, qty: Dec, liquidity: Liquidity, counterparty: string): Execution;
  /** What a resting order may fill now, at most `max`; 0 (and the order cancelled) when a reduce-only order can no longer reduce. */
  makerQty(m: OrderRecord, max: Dec): Dec;
  /** How much a reduce-only order may still fill (its position's size on the other side). */
  reduceCapacity(o: OrderRecord): Dec;
  /** Report a trade that involved an account. */
  trade(book: SymbolBook, price: Dec, qty: Dec, aggressor: Side): void;
}

export type TakeStop = "filled" | "no-liquidity" | "limit" | "reduce-only";

/**
 * Take liquidity best price first: the synthetic level before resting orders at an equal price
 * (it was displayed first), resting orders in time order. Stops at the limit, at the end of the
 * book, or when a reduce-only order has nothing left to reduce.
 */
export function take(book: SymbolBook, o: OrderRecord, fx: MatchEffects, out: Execution[]): TakeStop {
  const sbook = book.synthetic;
  const synth = syntheticFor(book, o.side);
  const makers = makersFor(book, o.side);
  const limit = o.type === "limit" ? o.ticks : undefined;
  for (;;) {
    let want = leaves(o);
    if (want === 0n) return "filled";
    if (o.reduceOnly) {
      const cap = fx.reduceCapacity(o);
      if (cap === 0n) return "reduce-only";
      if (cap < want) want = cap;
    }
    const sTicks = synth !== undefined && synth.count > 0 ? synth.best : undefined;
    const m = makers.best();
    const useSynth = sTicks !== undefined && (m === undefined || !makers.better(m.ticks, sTicks));
    const ticks = useSynth ? sTicks : m?.ticks;
    if (ticks === undefined) return "no-liquidity";
    if (limit !== undefined && makers.better(limit, ticks)) return "limit";
    book.dirty = true;
    if (useSynth) {
      const lots = Math.min(synth!.sizeAtLevel(0), sbook!.lotsOf(want));
      if (lots <= 0) return "no-liquidity";
      synth!.takeAtTouch(lots);
      const qty = sbook!.qtyOf(lots);
      const price = sbook!.priceOf(ticks);
      queueTraded(makers, ticks, qty);
      out.push(fx.fill(o, price, qty, "taker", "market"));
      fx.trade(book, price, qty, o.side);
    } else {
      const q = fx.makerQty(m!, want);
      if (q === 0n) continue;
      const price = m!.price!;
      out.push(fx.fill(o, price, q, "taker", m!.account));
      fx.fill(m!, price, q, "maker", o.account);
      fx.trade(book, price, q, o.side);
    }
  }
}

/**
 * A synthetic trade of `qty` at `tick`: resting orders priced better than it trade first (the
 * aggressor would have met them on its way), best price then time; at the trade's own price
 * the quantity first works through each order's queue ahead.
 */
export function tradeThrough(book: SymbolBook, makers: OrderSide, aggressor: Side, tick: number, qty: Dec, fx: MatchEffects): void {
  let avail = qty;
  for (;;) {
    if (avail === 0n) return;
    const m = makers.best();
    if (m === undefined || !makers.better(m.ticks, tick)) break;
    const q = fx.makerQty(m, avail);
    if (q === 0n) continue;
    fx.fill(m, m.price!, q, "maker", "market");
    fx.trade(book, m.price!, q, aggressor);
    avail = sub(avail, q);
  }
  const level = makers.levelAt(tick);
  if (level === undefined) return;
  let used = ZERO;
  for (const m of [...level.orders]) {
    if (!m.resting) continue;
    const free = sub(sub(avail, m.queueAhead), used);
    m.queueAhead = m.queueAhead > avail ? sub(m.queueAhead, avail) : ZERO;
    if (free <= 0n) continue;
    const q = fx.makerQty(m, free);
    if (q === 0n) continue;
    fx.fill(m, m.price!, q, "maker", "market");
    fx.trade(book, m.price!, q, aggressor);
    used = add(used, q);
  }
}

/** After a market update: resting orders the synthetic opposite touch reached trade with it. */
export function crossSynthetic(book: SymbolBook, sbook: SyntheticBook, fx: MatchEffects): void {
  crossSide(book, book.bids, sbook.asks, sbook, "sell", fx);
  crossSide(book, book.asks, sbook.bids, sbook, "buy", fx);
}

function crossSide(book: SymbolBook, makers: OrderSide, levels: SideLevels, sbook: SyntheticBook, aggressor: Side, fx: MatchEffects): void {
  for (;;) {
    const m = makers.best();
    if (m === undefined || levels.count === 0 || makers.better(levels.best, m.ticks)) return;
    const q = fx.makerQty(m, leaves(m));
    if (q === 0n) continue;
    const lots = Math.min(levels.sizeAtLevel(0), sbook.lotsOf(q));
    if (lots <= 0) return;
    levels.takeAtTouch(lots);
    const filled = sbook.qtyOf(lots);
    fx.fill(m, m.price!, filled, "maker", "market");
    fx.trade(book, m.price!, filled, aggressor);
  }
}

/** Synthetic volume taken at a price reduces the queue ahead of resting orders there. */
function queueTraded(makers: OrderSide, ticks: number, qty: Dec): void {
  const level = makers.levelAt(ticks);
  if (level === undefined) return;
  for (const m of level.orders) m.queueAhead = m.queueAhead > qty ? sub(m.queueAhead, qty) : ZERO;
}
