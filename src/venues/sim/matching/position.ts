/**
 * One-way position arithmetic. A position keeps its signed quantity and the exact cost of the
 * open quantity (Σ qty × entry price); the average price is derived from them. Closing all of a
 * position releases all of its cost, so a round trip's realised P&L is exact; a partial close
 * releases a proportional share rounded once (half-even at 18 decimals).
 */
import { type Dec, ZERO, abs, add, div, mul, mulDiv, sub } from "../../../core/decimal.ts";
import type { Side } from "../../../core/events.ts";

export interface PositionState {
  /** Signed: positive long, negative short. */
  readonly qty: Dec;
  /** Entry cost of the open quantity, always ≥ 0. */
  readonly cost: Dec;
}

export interface FillEffect extends PositionState {
  readonly realised: Dec;
  /** How much of the fill reduced the position. */
  readonly closedQty: Dec;
}

export const FLAT: PositionState = { qty: ZERO, cost: ZERO };

export function applyFill(pos: PositionState, side: Side, qty: Dec, price: Dec): FillEffect {
  const signed = (side === "buy" ? qty : -qty) as Dec;
  if (pos.qty === 0n || pos.qty > 0n === signed > 0n) {
    return { qty: add(pos.qty, signed), cost: add(pos.cost, mul(qty, price)), realised: ZERO, closedQty: ZERO };
  }
  const open = abs(pos.qty);
  const closing = qty < open ? qty : open;
  const releasedCost = closing === open ? pos.cost : mulDiv(pos.cost, closing, open);
  const proceeds = mul(closing, price);
  const realised = pos.qty > 0n ? sub(proceeds, releasedCost) : sub(releasedCost, proceeds);
  const opened = sub(qty, closing);
  return {
    qty: add(pos.qty, signed),
    cost: add(sub(pos.cost, releasedCost), opened > 0n ? mul(opened, price) : ZERO),
    realised,
    closedQty: closing,
  };
}

export function avgEntryPrice(pos: PositionState): Dec {
  return pos.qty === 0n ? ZERO : div(pos.cost, abs(pos.qty));
}

/** Unrealised P&L marked at `bid` for a long and `ask` for a short. */
export function unrealised(pos: PositionState, bid: Dec | undefined, ask: Dec | undefined): Dec {
  if (pos.qty > 0n && bid !== undefined) return sub(mul(pos.qty, bid), pos.cost);
  if (pos.qty < 0n && ask !== undefined) return sub(pos.cost, mul(abs(pos.qty), ask));
  return ZERO;
}

/** How much a reduce-only order on `side` may still fill: the size of an opposite position. */
export function reduceCapacity(positionQty: Dec, side: Side): Dec {
  if (side === "buy") return positionQty < 0n ? abs(positionQty) : ZERO;
  return positionQty > 0n ? positionQty : ZERO;
}
