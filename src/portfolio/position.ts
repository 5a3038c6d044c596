/**
 * One position and the pure arithmetic of applying a fill to it.
 *
 * The position keeps its cost basis (`entryValue` = Σ price × qty of the open quantity) rather
 * than an average price, so that when it goes flat the realised P&L of the whole round trip is
 * exactly Σ sell notional − Σ buy notional: each partial close takes a proportional share of the
 * basis (one rounding), and the final close takes exactly what is left.
 */
import { type Dec, ZERO, abs, add, div, min, mul, mulDiv, neg, sub } from "../core/decimal.ts";
import type { Side } from "../core/events.ts";

export interface Position {
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly qty: Dec;
  /** Cost basis of the open quantity, always ≥ 0. */
  readonly entryValue: Dec;
  /** Realised P&L of this symbol since the start (fees excluded). */
  readonly realizedPnl: Dec;
  /** Wall time the current position was opened (journaled fill time), null when flat. */
  readonly openedAt: number | null;
}

export const flatPosition = (symbol: string): Position => ({
  symbol,
  qty: ZERO,
  entryValue: ZERO,
  realizedPnl: ZERO,
  openedAt: null,
});

export interface FillResult {
  readonly position: Position;
  /** P&L realised by this fill (0 when it only adds). */
  readonly realized: Dec;
}

export function applyFillToPosition(p: Position, side: Side, price: Dec, qty: Dec, ts: number): FillResult {
  const signedFill = side === "buy" ? qty : neg(qty);
  const held = p.qty;
  if (held === 0n || held > 0n === signedFill > 0n) {
    return {
      position: {
        ...p,
        qty: add(held, signedFill),
        entryValue: add(p.entryValue, mul(price, qty)),
        openedAt: held === 0n ? ts : p.openedAt,
      },
      realized: ZERO,
    };
  }
  const heldAbs = abs(held);
  const closeQty = min(qty, heldAbs);
  const closedBasis = closeQty === heldAbs ? p.entryValue : mulDiv(p.entryValue, closeQty, heldAbs);
  const exitValue = mul(price, closeQty);
  // Long: sold above basis is profit. Short: bought back below basis is profit.
  const realized = held > 0n ? sub(exitValue, closedBasis) : sub(closedBasis, exitValue);
  const remainingHeld = sub(heldAbs, closeQty);
  const flipQty = sub(qty, closeQty);
  let next: Position;
  if (flipQty > 0n) {
    next = {
      ...p,
      qty: side === "buy" ? flipQty : neg(flipQty),
      entryValue: mul(price, flipQty),
      openedAt: ts,
      realizedPnl: add(p.realizedPnl, realized),
    };
  } else {
    next = {
      ...p,
      qty: held > 0n ? remainingHeld : neg(remainingHeld),
      entryValue: sub(p.entryValue, closedBasis),
      openedAt: remainingHeld === 0n ? null : p.openedAt,
      realizedPnl: add(p.realizedPnl, realized),
    };
  }
  return { position: next, realized };
}

/** Average entry price, for display and reports (rounded; the basis stays exact). */
export function avgPrice(p: Position): Dec {
  return p.qty === 0n ? ZERO : div(p.entryValue, abs(p.qty));
}

/** Unrealised P&L: longs valued at the bid, shorts at the ask (what closing would actually get). */
export function unrealizedPnl(p: Pick<Position, "qty" | "entryValue">, bid: Dec | undefined, ask: Dec | undefined): Dec {
  if (p.qty === 0n) return ZERO;
  const px = p.qty > 0n ? bid : ask;
  return px === undefined ? ZERO : RECENT_PNL.at(p.qty, p.entryValue, px);
}

/**
 * Unrealised P&L remembered for the last few (quantity, basis, price) triples. While a position is
 * held, the governor (equity) and the position monitor (stop-loss) each value it on every book, and
 * the price walks over the same few ticks: the product of two BigInts and its rounding, ≈ 100 ns
 * twice a book, becomes a scan of a few exact compares. The answer is the same exact figure.
 */
class RecentPnl {
  static readonly SIZE = 8;
  readonly #qty: Dec[] = new Array<Dec>(RecentPnl.SIZE).fill(ZERO);
  readonly #basis: Dec[] = new Array<Dec>(RecentPnl.SIZE).fill(ZERO);
  readonly #px: Dec[] = new Array<Dec>(RecentPnl.SIZE).fill(ZERO);
  readonly #pnl: Dec[] = new Array<Dec>(RecentPnl.SIZE).fill(ZERO);
  #next = 0;

  at(qty: Dec, basis: Dec, px: Dec): Dec {
    for (let i = 0; i < RecentPnl.SIZE; i++) {
      if (this.#px[i] === px && this.#qty[i] === qty && this.#basis[i] === basis) return this.#pnl[i]!;
    }
    const pnl = qty > 0n ? sub(mul(px, qty), basis) : sub(basis, mul(px, abs(qty)));
    const i = this.#next;
    this.#next = (i + 1) % RecentPnl.SIZE;
    this.#qty[i] = qty;
    this.#basis[i] = basis;
    this.#px[i] = px;
    this.#pnl[i] = pnl;
    return pnl;
  }
}

const RECENT_PNL = new RecentPnl();

/** Notional at the conservative mark (for exposure limits). */
export function markNotional(p: Position, bid: Dec | undefined, ask: Dec | undefined): Dec {
  if (p.qty === 0n) return ZERO;
  const px = p.qty > 0n ? bid : ask;
  return px === undefined ? p.entryValue : mul(px, abs(p.qty));
}
