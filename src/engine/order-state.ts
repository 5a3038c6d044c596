/**
 * The order state machine: every legal transition, and a clear error for any other.
 *
 * UNKNOWN is the honest state after an ambiguous send (timeout, reset, 5xx): only evidence from
 * the venue (a stream update, a query by client order id, reconciliation) moves it on. A fill
 * after CANCELLED or EXPIRED is legal (venues report fills that raced a cancel, and a lost fill
 * is worse than a late one); the order stays terminal and its filled quantity grows.
 */
import { HeanError } from "../core/errors.ts";

export type OrderStatus =
  | "PENDING_SUBMIT"
  | "SUBMITTED"
  | "UNKNOWN"
  | "ACCEPTED"
  | "PARTIALLY_FILLED"
  | "PENDING_CANCEL"
  | "FILLED"
  | "CANCELLED"
  | "REJECTED"
  | "EXPIRED";

export type OrderTrigger =
  | "submitted"
  | "accepted"
  | "rejected"
  | "unknown"
  | "cancel-requested"
  | "cancel-rejected"
  | "cancelled"
  | "expired"
  | "partial-fill"
  | "full-fill";

export const TERMINAL: ReadonlySet<OrderStatus> = new Set(["FILLED", "CANCELLED", "REJECTED", "EXPIRED"]);

/** Working at the venue (or possibly so): counts toward open orders and must be cancelled on a flatten. */
export const WORKING: ReadonlySet<OrderStatus> = new Set([
  "PENDING_SUBMIT",
  "SUBMITTED",
  "UNKNOWN",
  "ACCEPTED",
  "PARTIALLY_FILLED",
  "PENDING_CANCEL",
]);

type Table = Readonly<Record<OrderStatus, Partial<Record<OrderTrigger, OrderStatus | "restore">>>>;

/**
 * "restore" means: back to the open state the fills imply (ACCEPTED with nothing filled,
 * PARTIALLY_FILLED otherwise). Used when a cancel is refused.
 */
export const TRANSITIONS: Table = {
  PENDING_SUBMIT: {
    submitted: "SUBMITTED",
    rejected: "REJECTED",
    unknown: "UNKNOWN",
    // A venue fill proves the send happened: after a crash between the journaled intent and its
    // send outcome, reconciliation can find the fill before anything else (a fill is never refused).
    "partial-fill": "PARTIALLY_FILLED",
    "full-fill": "FILLED",
  },
  SUBMITTED: {
    accepted: "ACCEPTED",
    rejected: "REJECTED",
    unknown: "UNKNOWN",
    "partial-fill": "PARTIALLY_FILLED",
    "full-fill": "FILLED",
    cancelled: "CANCELLED",
    expired: "EXPIRED",
    "cancel-requested": "PENDING_CANCEL",
  },
  UNKNOWN: {
    submitted: "SUBMITTED",
    unknown: "UNKNOWN",
    accepted: "ACCEPTED",
    rejected: "REJECTED",
    "partial-fill": "PARTIALLY_FILLED",
    "full-fill": "FILLED",
    cancelled: "CANCELLED",
    expired: "EXPIRED",
    "cancel-requested": "PENDING_CANCEL",
  },
  ACCEPTED: {
    accepted: "ACCEPTED",
    "partial-fill": "PARTIALLY_FILLED",
    "full-fill": "FILLED",
    "cancel-requested": "PENDING_CANCEL",
    cancelled: "CANCELLED",
    expired: "EXPIRED",
  },
  PARTIALLY_FILLED: {
    accepted: "PARTIALLY_FILLED",
    "partial-fill": "PARTIALLY_FILLED",
    "full-fill": "FILLED",
    "cancel-requested": "PENDING_CANCEL",
    cancelled: "CANCELLED",
    expired: "EXPIRED",
  },
  PENDING_CANCEL: {
    // Venue events queued before the cancel was requested can still arrive: a rejected send
    // ends the order; an ambiguous one leaves the cancel pending.
    rejected: "REJECTED",
    unknown: "PENDING_CANCEL",
    accepted: "PENDING_CANCEL",
    "cancel-requested": "PENDING_CANCEL",
    "cancel-rejected": "restore",
    "partial-fill": "PENDING_CANCEL",
    "full-fill": "FILLED",
    cancelled: "CANCELLED",
    expired: "EXPIRED",
  },
  FILLED: {},
  CANCELLED: { "partial-fill": "CANCELLED", "full-fill": "CANCELLED" },
  EXPIRED: { "partial-fill": "EXPIRED", "full-fill": "EXPIRED" },
  REJECTED: {},
};

/** The next status, or a HeanError ORDER_TRANSITION naming the order, its status and the trigger. */
export function nextStatus(
  clientOrderId: string,
  current: OrderStatus,
  trigger: OrderTrigger,
  hasFills: boolean,
): OrderStatus {
  const next = TRANSITIONS[current][trigger];
  if (next === undefined) {
    throw new HeanError("ORDER_TRANSITION", `order ${clientOrderId}: ${trigger} is not legal in ${current}`, {
      clientOrderId,
      status: current,
      trigger,
      legal: Object.keys(TRANSITIONS[current]),
    });
  }
  if (next === "restore") return hasFills ? "PARTIALLY_FILLED" : "ACCEPTED";
  return next;
}
