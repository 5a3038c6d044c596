/**
 * The engine's mutable record of one order, and the immutable snapshot the outside sees.
 */
import { type Dec, ZERO, div, sub } from "../../../core/decimal.ts";
import type { Side } from "../../../core/events.ts";
import type { CancelCause, OrderSnapshot, SimOrderStatus, SimOrderType, SimTimeInForce } from "./types.ts";

export interface OrderRecord {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce;
  readonly reduceOnly: boolean;
  readonly createdAt: number;
  price: Dec | undefined;
  /** The limit price in ticks (set while resting). */
  ticks: number;
  qty: Dec;
  filled: Dec;
  filledValue: Dec;
  cumFee: Dec;
  status: SimOrderStatus;
  cancelCause: CancelCause | undefined;
  updatedAt: number;
  /** Synthetic quantity displayed at this price when the order joined the level: it trades first. */
  queueAhead: Dec;
  resting: boolean;
}

export const leaves = (o: OrderRecord): Dec => sub(o.qty, o.filled);

export const isOpen = (o: OrderRecord): boolean => o.status === "new" || o.status === "partially-filled";

export function snapshotOrder(o: OrderRecord): OrderSnapshot {
  return Object.freeze({
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    account: o.account,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.price,
    qty: o.qty,
    filledQty: o.filled,
    leavesQty: isOpen(o) ? leaves(o) : ZERO,
    filledValue: o.filledValue,
    avgFillPrice: o.filled === 0n ? undefined : div(o.filledValue, o.filled),
    cumFee: o.cumFee,
    reduceOnly: o.reduceOnly,
    status: o.status,
    cancelCause: o.cancelCause,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  });
}
