/**
 * The one paper account on a matching engine, as a venue reports it: its orders, positions and
 * executions as venue snapshots, an order placed (a refusal as the `order.rejected` to send), and
 * a restart's journaled state put back. Shared by the simulated venue and paper trading on a real
 * venue's market data.
 */
import type { Dec } from "../../core/decimal.ts";
import type { FillEvent, HeanEvent } from "../../core/events.ts";
import type { VenueOrderRequest, VenueOrderSnapshot, VenuePosition } from "../../execution/venue-port.ts";
import type { MatchingEngine } from "./matching/matching-engine.ts";
import { fillFromExecution, toVenueSnapshot } from "./sim-venue-mapping.ts";
import { showValue } from "./show-value.ts";

/** A working order put back after a restart (hean's journaled view of it). */
export interface SimRestoreOrder {
  readonly clientOrderId: string;
  /** The id the venue gave it before; a new one is made when absent. */
  readonly venueOrderId?: string | undefined;
  readonly symbol: string;
  readonly side: VenueOrderRequest["side"];
  readonly orderType: VenueOrderRequest["orderType"];
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly price?: Dec | undefined;
  readonly timeInForce: VenueOrderRequest["timeInForce"];
  readonly reduceOnly: boolean;
}

export interface SimRestoreState {
  readonly orders: readonly SimRestoreOrder[];
  readonly positions: readonly VenuePosition[];
  readonly cash: Dec;
}

export interface SimRestoreReport {
  readonly orders: number;
  readonly positions: number;
  /** What could not be put back, and why. */
  readonly skipped: readonly { readonly what: string; readonly reason: string }[];
}

/** The single account paper trading uses on the engine. */
export const PAPER_ACCOUNT = "paper";

export function queryOrder(engine: MatchingEngine, clientOrderId: string, symbol: string): VenueOrderSnapshot | undefined {
  const o = engine.orderByClientId(PAPER_ACCOUNT, clientOrderId);
  return o === undefined || o.symbol !== symbol ? undefined : toVenueSnapshot(o);
}

export function openOrders(engine: MatchingEngine): VenueOrderSnapshot[] {
  return engine.openOrders(PAPER_ACCOUNT).map(toVenueSnapshot);
}

export function positions(engine: MatchingEngine): VenuePosition[] {
  return engine
    .positions(PAPER_ACCOUNT)
    .filter((p) => p.qty !== 0n)
    .map((p) => ({ symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice }));
}

export function fillsSince(engine: MatchingEngine, sinceMs: number): FillEvent[] {
  return engine
    .executions(PAPER_ACCOUNT, { sinceTs: sinceMs })
    .map((e) => fillFromExecution(e, e.ts, "reconciliation"));
}

/** Cash, positions, then resting orders (IOC and market orders never rest and are skipped). */
export function restore(engine: MatchingEngine, state: SimRestoreState): SimRestoreReport {
  const skipped: { what: string; reason: string }[] = [];
  const cash = engine.setBalance(PAPER_ACCOUNT, state.cash);
  if (!cash.ok) skipped.push({ what: "cash", reason: cash.rejection.message });
  let positions = 0;
  for (const p of state.positions ?? []) {
    const r = engine.setPosition(PAPER_ACCOUNT, p.symbol, p.qty, p.avgPrice);
    if (r.ok) positions++;
    else skipped.push({ what: `position ${p.symbol}`, reason: `${r.rejection.code}: ${r.rejection.message}` });
  }
  let orders = 0;
  for (const o of state.orders ?? []) {
    const what = `order ${o.clientOrderId}`;
    if (o.orderType !== "limit" || o.price === undefined || o.timeInForce === "IOC") {
      skipped.push({ what, reason: "only resting limit orders (GTC, POST_ONLY) can be restored" });
      continue;
    }
    const r = engine.restoreOrder({
      account: PAPER_ACCOUNT,
      orderId: o.venueOrderId,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price: o.price,
      qty: o.qty,
      filledQty: o.filledQty,
      reduceOnly: o.reduceOnly,
      timeInForce: o.timeInForce,
    });
    if (r.ok) orders++;
    else skipped.push({ what, reason: `${r.rejection.code}: ${r.rejection.message}` });
  }
  return { orders, positions, skipped };
}

/** Place `order` on the paper account; a refusal comes back as the event to send. */
export function place(engine: MatchingEngine, order: VenueOrderRequest): ((ts: number) => HeanEvent) | undefined {
  const result = engine.place({
    account: PAPER_ACCOUNT,
    symbol: order.symbol,
    side: order.side,
    type: order.orderType,
    qty: order.qty,
    price: order.price,
    timeInForce: order.timeInForce,
    reduceOnly: order.reduceOnly,
    clientOrderId: order.clientOrderId,
  });
  if (result.ok) return undefined;
  const { code, message } = result.rejection;
  const clientOrderId = showValue(order.clientOrderId);
  return (ts) => ({ type: "order.rejected", ts, clientOrderId, code, reason: message, postOnlyWouldTake: code === "POST_ONLY_WOULD_TAKE" });
}

/** Cancel the paper account's order; a refusal comes back as the event to send. */
export function cancel(engine: MatchingEngine, clientOrderId: string, symbol: string): ((ts: number) => HeanEvent) | undefined {
  const result = engine.cancel({ account: PAPER_ACCOUNT, clientOrderId, symbol });
  if (result.ok) return undefined;
  const reason = `${result.rejection.code}: ${result.rejection.message}`;
  return (ts) => ({ type: "order.cancel-rejected", ts, clientOrderId, reason });
}
