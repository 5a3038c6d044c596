/**
 * The shapes the dashboard consumes, built from the engine view: one full snapshot (what
 * `/api/stream` sends on connect and whenever state changed) and event-to-view conversions for
 * the pushes in between.
 */
import { add, format, toNumber, type Dec } from "../../core/decimal.ts";
import type { FillEvent } from "../../core/events.ts";
import type {
  BusView,
  EngineView,
  OrderView,
  PositionView,
  RiskView,
  StatusView,
  VenueHealthView,
  FillView,
} from "../engine-view.ts";

export interface DashboardSnapshot {
  readonly status: StatusView;
  readonly positions: readonly PositionView[];
  readonly orders: readonly OrderView[];
  readonly risk: RiskView;
  readonly bus: BusView;
  readonly venue: VenueHealthView;
}

export function dashboardSnapshot(view: EngineView): DashboardSnapshot {
  return {
    status: view.status(),
    positions: view.positions(),
    orders: view.orders(),
    risk: view.risk(),
    bus: view.bus(),
    venue: view.venueHealth(),
  };
}

export function fillViewOf(event: FillEvent): FillView {
  return {
    fillId: event.fillId,
    clientOrderId: event.clientOrderId ?? null,
    symbol: event.symbol,
    side: event.side,
    price: format(event.price),
    qty: format(event.qty),
    fee: format(event.fee),
    liquidity: event.liquidity,
    ts: event.ts,
  };
}

/** Mid price as a float: for charts only. */
export const midOf = (bid: Dec, ask: Dec): number => toNumber(add(bid, ask)) / 2;
