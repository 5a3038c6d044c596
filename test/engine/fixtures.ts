/** Small event builders for engine tests: defaults that make a valid event, overrides for the case at hand. */
import { type Dec, dec } from "../../src/core/decimal.ts";
import type {
  FillEvent,
  OrderAcceptedEvent,
  OrderCancelledEvent,
  OrderIntentEvent,
  OrderSubmittedEvent,
} from "../../src/core/events.ts";

export function intent(clientOrderId: string, over: Partial<OrderIntentEvent> = {}): OrderIntentEvent {
  return {
    type: "order.intent",
    ts: 1_000,
    clientOrderId,
    strategyId: "test",
    symbol: "BTCUSDT",
    side: "buy",
    orderType: "limit",
    qty: dec("1"),
    price: dec("100"),
    timeInForce: "GTC",
    reduceOnly: false,
    purpose: "entry",
    ...over,
  };
}

export const submitted = (clientOrderId: string, attempt = 1): OrderSubmittedEvent => ({
  type: "order.submitted",
  ts: 1_001,
  clientOrderId,
  attempt,
});

export const accepted = (clientOrderId: string, venueOrderId = `v-${clientOrderId}`): OrderAcceptedEvent => ({
  type: "order.accepted",
  ts: 1_002,
  clientOrderId,
  venueOrderId,
});

export const cancelled = (clientOrderId: string): OrderCancelledEvent => ({
  type: "order.cancelled",
  ts: 1_010,
  clientOrderId,
  reason: "test",
  postOnlyWouldTake: false,
});

export function fill(fillId: string, clientOrderId: string | undefined, qty: string, price: string, over: Partial<FillEvent> = {}): FillEvent {
  return {
    type: "order.filled",
    ts: 1_005,
    fillId,
    clientOrderId,
    venueOrderId: `v-${clientOrderId ?? "ext"}`,
    symbol: "BTCUSDT",
    side: "buy",
    price: dec(price),
    qty: dec(qty),
    fee: dec("0.01") as Dec,
    liquidity: "maker",
    venueTs: 1_004,
    source: "stream",
    ...over,
  };
}
