/** Router event builders: defaults that make a valid event, overrides for the case at hand. */
import { type Dec, ZERO, dec } from "../../src/core/decimal.ts";
import type { FillEvent, RouterDoneEvent, RouterLegEvent, RouterParentEvent } from "../../src/core/events.ts";

export const PARENT = "hnab12cd34-p1";

export const parent = (over: Partial<RouterParentEvent> = {}): RouterParentEvent => ({
  type: "router.parent",
  ts: 1_000,
  parentId: PARENT,
  strategyId: "test",
  symbol: "BTCUSDT",
  side: "buy",
  qty: dec("1"),
  urgency: "normal",
  purpose: "entry",
  reduceOnly: false,
  arrivalMid: dec("100"),
  ...over,
});

export const leg = (n: number, over: Partial<RouterLegEvent> = {}): RouterLegEvent => ({
  type: "router.leg",
  ts: 1_000,
  parentId: PARENT,
  clientOrderId: `${PARENT}-${over.kind === "taker" ? "t" : "m"}${n}`,
  kind: "maker",
  n,
  cause: n === 1 ? "initial" : "reprice",
  price: dec("99.9"),
  qty: dec("1"),
  ttlMs: 1_000,
  ...over,
});

export const fill = (clientOrderId: string, qty: string, over: Partial<FillEvent> = {}): FillEvent => ({
  type: "order.filled",
  ts: 1_500,
  fillId: `f-${clientOrderId}-${qty}-${over.ts ?? 1_500}`,
  clientOrderId,
  venueOrderId: `v-${clientOrderId}`,
  symbol: "BTCUSDT",
  side: "buy",
  price: dec("99.9"),
  qty: dec(qty),
  fee: dec("-0.01"),
  liquidity: "maker",
  venueTs: 1_500,
  source: "stream",
  ...over,
});

export const done = (over: Partial<RouterDoneEvent> = {}): RouterDoneEvent => ({
  type: "router.done",
  ts: 2_000,
  parentId: PARENT,
  reason: "filled",
  detail: "",
  filledQty: ZERO,
  remainingQty: ZERO,
  makerQty: ZERO,
  feesPaid: ZERO,
  rebates: ZERO,
  makerLegs: 1,
  takerLegs: 0,
  ttlExpiries: 0,
  ...over,
});

export const d = (x: string): Dec => dec(x);
