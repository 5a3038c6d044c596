/**
 * From the matching engine's vocabulary to hean's: order snapshots for reconciliation, and the
 * events an order change or execution becomes.
 */
import type { FillEvent, HeanEvent } from "../../core/events.ts";
import type { VenueOrderSnapshot, VenueOrderStatus } from "../../execution/venue-port.ts";
import type { CancelCause, Execution, OrderChange, OrderSnapshot } from "./matching/types.ts";

/** Causes that end an order by its own terms (nothing left to do), reported as `order.expired`. */
const EXPIRY_CAUSES: ReadonlySet<CancelCause> = new Set(["ioc-remainder", "fok-not-fillable", "market-depth-exhausted"]);

export function venueStatus(o: OrderSnapshot): VenueOrderStatus {
  switch (o.status) {
    case "new":
      return "open";
    case "partially-filled":
      return "partially-filled";
    case "filled":
      return "filled";
    case "cancelled":
      return o.cancelCause !== undefined && EXPIRY_CAUSES.has(o.cancelCause) ? "expired" : "cancelled";
  }
}

export function toVenueSnapshot(o: OrderSnapshot): VenueOrderSnapshot {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.orderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.type,
    qty: o.qty,
    filledQty: o.filledQty,
    price: o.price,
    reduceOnly: o.reduceOnly,
    status: venueStatus(o),
    postOnlyWouldTake: o.cancelCause === "post-only-would-take",
  };
}

export function fillFromExecution(e: Execution, ts: number, source: FillEvent["source"]): FillEvent {
  return {
    type: "order.filled",
    ts,
    fillId: e.execId,
    clientOrderId: e.clientOrderId,
    venueOrderId: e.orderId,
    symbol: e.symbol,
    side: e.side,
    price: e.price,
    qty: e.qty,
    fee: e.fee,
    liquidity: e.liquidity,
    venueTs: e.ts,
    source,
  };
}

/**
 * The hean event an order change becomes, built at delivery time; undefined when hean has no
 * event for it (fills travel as executions; amends and restores are the venue's own business).
 */
export function orderOutcome(change: OrderChange, o: OrderSnapshot): ((ts: number) => HeanEvent) | undefined {
  const clientOrderId = o.clientOrderId ?? "";
  if (change === "created") {
    return (ts) => ({ type: "order.accepted", ts, clientOrderId, venueOrderId: o.orderId });
  }
  if (change !== "cancelled") return undefined;
  const cause = o.cancelCause ?? "user";
  if (EXPIRY_CAUSES.has(cause)) {
    return (ts) => ({ type: "order.expired", ts, clientOrderId, reason: describeCause(cause) });
  }
  return (ts) => ({
    type: "order.cancelled",
    ts,
    clientOrderId,
    venueOrderId: o.orderId,
    reason: describeCause(cause),
    postOnlyWouldTake: cause === "post-only-would-take",
    filledQty: o.filledQty,
  });
}

export function describeCause(cause: CancelCause): string {
  switch (cause) {
    case "user":
      return "cancelled on request";
    case "cancel-all":
      return "cancelled by cancel-all";
    case "post-only-would-take":
      return "post-only order would have taken liquidity";
    case "ioc-remainder":
      return "unfilled rest of an immediate-or-cancel order";
    case "fok-not-fillable":
      return "fill-or-kill order could not be filled completely";
    case "market-depth-exhausted":
      return "market order used up the visible depth";
    case "reduce-only":
      return "reduce-only order could no longer reduce the position";
  }
}
