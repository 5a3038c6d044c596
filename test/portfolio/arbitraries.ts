/** fast-check generators for fills on a tick/lot grid, shared by the accounting property tests. */
import fc from "fast-check";
import { type Dec, fromUnits } from "../../src/core/decimal.ts";
import { dec } from "../../src/core/decimal.ts";
import type { FillEvent, Side } from "../../src/core/events.ts";

export const TICK = dec("0.01");
export const LOT = dec("0.001");
/** Fees in millionths of the quote currency. */
export const FEE_UNIT = dec("0.000001");
export const SYMBOLS = ["BTCUSDT", "ETHUSDT"] as const;

export interface FillSpec {
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec;
  readonly qty: Dec;
  /** Negative is a rebate. */
  readonly fee: Dec;
}

export const priceArb = fc.integer({ min: 1, max: 10_000_000 }).map((t) => fromUnits(BigInt(t), TICK));
export const qtyArb = fc.integer({ min: 1, max: 20_000 }).map((l) => fromUnits(BigInt(l), LOT));
export const feeArb = fc.integer({ min: -50_000, max: 200_000 }).map((u) => fromUnits(BigInt(u), FEE_UNIT));
export const sideArb = fc.constantFrom<Side>("buy", "sell");

export const fillSpecArb: fc.Arbitrary<FillSpec> = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  side: sideArb,
  price: priceArb,
  qty: qtyArb,
  fee: feeArb,
});

let nextFillId = 0;

export function toFillEvent(spec: FillSpec, ts = 0, clientOrderId?: string): FillEvent {
  return {
    type: "order.filled",
    ts,
    fillId: `f${nextFillId++}`,
    clientOrderId,
    venueOrderId: "v",
    symbol: spec.symbol,
    side: spec.side,
    price: spec.price,
    qty: spec.qty,
    fee: spec.fee,
    liquidity: spec.fee < 0n ? "maker" : "taker",
    venueTs: ts,
    source: "stream",
  };
}
