/**
 * One symbol's public book as the engine sees it: the accounts' resting orders on top of the
 * synthetic market's levels. Reads only (best prices, what a taker could fill, merged depth).
 */
import { type Dec, ZERO, add, fromUnits } from "../../../core/decimal.ts";
import type { Side } from "../../../core/events.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { SideLevels } from "../market/side-levels.ts";
import type { SyntheticBook } from "../market/synthetic-book.ts";
import { OrderSide, sumLeaves } from "./order-side.ts";
import type { BookTop, PublicLevel } from "./types.ts";

export interface SymbolBook {
  readonly instrument: Instrument;
  readonly synthetic: SyntheticBook | undefined;
  readonly bids: OrderSide;
  readonly asks: OrderSide;
  /** Counts published book updates. */
  updateId: number;
  /** Changed since the last publication. */
  dirty: boolean;
  /** Venue time of the latest market update. */
  lastTs: number;
  /** Price of the latest trade, in ticks (NaN before the first). */
  lastTradeTicks: number;
}

export function newSymbolBook(instrument: Instrument, synthetic: SyntheticBook | undefined, now: number): SymbolBook {
  return { instrument, synthetic, bids: new OrderSide(-1), asks: new OrderSide(1), updateId: 0, dirty: false, lastTs: now, lastTradeTicks: Number.NaN };
}

/** The resting orders a taker on `side` meets, and the synthetic levels beside them. */
export const makersFor = (book: SymbolBook, side: Side): OrderSide => (side === "buy" ? book.asks : book.bids);
export const syntheticFor = (book: SymbolBook, side: Side): SideLevels | undefined =>
  side === "buy" ? book.synthetic?.asks : book.synthetic?.bids;

export function bestOppositeTicks(book: SymbolBook, side: Side): number | undefined {
  const synth = syntheticFor(book, side);
  const makers = makersFor(book, side);
  let best = synth !== undefined && synth.count > 0 ? synth.best : undefined;
  const m = makers.best();
  if (m !== undefined && (best === undefined || makers.better(m.ticks, best))) best = m.ticks;
  return best;
}

export function bestOppositePrice(book: SymbolBook, side: Side): Dec | undefined {
  const ticks = bestOppositeTicks(book, side);
  return ticks === undefined ? undefined : fromUnits(BigInt(ticks), book.instrument.tickSize);
}

/** Would a limit order on `side` at `ticks` trade on arrival? */
export function wouldTake(book: SymbolBook, side: Side, ticks: number): boolean {
  const best = bestOppositeTicks(book, side);
  if (best === undefined) return false;
  return side === "buy" ? ticks >= best : ticks <= best;
}

/** Everything a taker on `side` could fill now through `limitTicks` (all depth when undefined). */
export function availableThrough(book: SymbolBook, side: Side, limitTicks: number | undefined): Dec {
  const synth = syntheticFor(book, side);
  const synthQty = synth === undefined ? ZERO : book.synthetic!.qtyOf(synth.lotsThrough(limitTicks));
  return add(synthQty, makersFor(book, side).qtyThrough(limitTicks));
}

export function bookTop(book: SymbolBook): BookTop {
  return Object.freeze({
    symbol: book.instrument.symbol,
    bid: mergedLevels(book, "buy", 1)[0],
    ask: mergedLevels(book, "sell", 1)[0],
    ts: book.lastTs,
    updateId: book.updateId,
  });
}

/** Up to `n` public levels on the side where `side` orders rest, best first. */
export function mergedLevels(book: SymbolBook, side: Side, n: number): PublicLevel[] {
  const synth = side === "buy" ? book.synthetic?.bids : book.synthetic?.asks;
  const mine = side === "buy" ? book.bids : book.asks;
  const { tickSize, lotSize } = book.instrument;
  const out: PublicLevel[] = [];
  const synthCount = synth?.count ?? 0;
  let i = 0;
  let j = 0;
  while (out.length < n && (i < synthCount || j < mine.levels.length)) {
    const sTicks = i < synthCount ? synth!.tickAtLevel(i) : undefined;
    const level = mine.levels[j];
    let ticks: number;
    let qty = ZERO;
    if (level !== undefined && (sTicks === undefined || !mine.better(sTicks, level.ticks))) {
      ticks = level.ticks;
      qty = sumLeaves(level);
      j++;
      if (sTicks === ticks) {
        qty = add(qty, fromUnits(BigInt(synth!.sizeAtLevel(i)), lotSize));
        i++;
      }
    } else {
      ticks = sTicks!;
      qty = fromUnits(BigInt(synth!.sizeAtLevel(i)), lotSize);
      i++;
    }
    if (qty > 0n) out.push(Object.freeze({ price: fromUnits(BigInt(ticks), tickSize), qty }));
  }
  return out;
}
