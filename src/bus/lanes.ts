/**
 * Which lane an event travels in. Critical lanes are FIFO, unbounded (a soft capacity only
 * drives utilisation alerts) and never dropped; the market lane is conflated and bounded.
 */
import type { EventType, HeanEvent } from "../core/events.ts";

export type CriticalLane = "commands" | "risk" | "orders" | "fills" | "system";
export type Lane = CriticalLane | "market";

export const CRITICAL_LANES: readonly CriticalLane[] = ["commands", "risk", "orders", "fills", "system"];
export const ALL_LANES: readonly Lane[] = [...CRITICAL_LANES, "market"];

const LANE_OF: Readonly<Record<EventType, Lane>> = {
  "market.book": "market",
  "market.trade": "market",
  "market.status": "system",
  signal: "system",
  "order.sized": "orders",
  "order.intent": "orders",
  "order.denied": "orders",
  "order.submitted": "orders",
  "order.accepted": "orders",
  "order.rejected": "orders",
  "order.unknown": "orders",
  "order.cancel-requested": "orders",
  "order.cancel-rejected": "orders",
  "order.cancelled": "orders",
  "order.expired": "orders",
  "order.filled": "fills",
  "router.parent": "orders",
  "router.leg": "orders",
  "router.ttl-expired": "orders",
  "router.done": "orders",
  mark: "system",
  // With the fills: a wallet read after an execution must not overtake it.
  "account.snapshot": "fills",
  "funding.paid": "fills",
  "cash.adjusted": "fills",
  "position.changed": "risk",
  equity: "risk",
  "risk.state": "risk",
  "risk.kill-switch": "risk",
  "risk.force-close": "risk",
  "risk.stoploss-set": "risk",
  "risk.reference": "risk",
  alert: "system",
  command: "commands",
  "command.result": "commands",
  "system.started": "system",
  "system.stopped": "system",
  "venue.instruments": "system",
};

export const laneOfType = (type: EventType): Lane => LANE_OF[type];
export const laneOf = (e: HeanEvent): Lane => LANE_OF[e.type];
