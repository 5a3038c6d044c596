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
export function unrealizedPnl(p: Position, bid: Dec | undefined, ask: Dec | undefined): Dec {
  if (p.qty === 0n) return ZERO;
  if (p.qty > 0n) return bid === undefined ? ZERO : sub(mul(bid, p.qty), p.entryValue);
  return ask === undefined ? ZERO : sub(p.entryValue, mul(ask, abs(p.qty)));
}

/** Notional at the conservative mark (for exposure limits). */
export function markNotional(p: Position, bid: Dec | undefined, ask: Dec | undefined): Dec {
  if (p.qty === 0n) return ZERO;
  const px = p.qty > 0n ? bid : ask;
  return px === undefined ? p.entryValue : mul(px, abs(p.qty));
}
