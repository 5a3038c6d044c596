/**
 * Through the engine: random orders, each filled in random lot-sized pieces, fills of all orders
 * interleaved at random (with some delivered twice, as a reconnect would). Every order's fills sum
 * exactly to its quantity and the position is exactly the signed sum of the orders.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, ZERO, add, dec, fromUnits, mul, neg } from "../../src/core/decimal.ts";
import type { FillEvent, Side } from "../../src/core/events.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { LOT, SYMBOLS, TICK, feeArb, sideArb } from "./arbitraries.ts";

interface OrderPlan {
  readonly symbol: string;
  readonly side: Side;
  /** Each piece in lots; the order's quantity is their sum. */
  readonly pieces: readonly { readonly lots: number; readonly ticks: number; readonly fee: Dec }[];
}

const orderPlanArb: fc.Arbitrary<OrderPlan> = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  side: sideArb,
  pieces: fc.array(
    fc.record({ lots: fc.integer({ min: 1, max: 5_000 }), ticks: fc.integer({ min: 1, max: 5_000_000 }), fee: feeArb }),
    { minLength: 1, maxLength: 8 },
  ),
});

test("every order's fills sum exactly to its quantity; the position is the signed sum of the orders", () => {
  fc.assert(
    fc.property(
      fc.array(orderPlanArb, { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (plans, shuffleSeed, replays) => {
        const st = new EngineState(dec("1000000"));
        const fills: FillEvent[] = [];
        plans.forEach((plan, o) => {
          const id = `o${o}`;
          const qty = fromUnits(BigInt(plan.pieces.reduce((n, p) => n + p.lots, 0)), LOT);
          st.apply({
            type: "order.intent",
            ts: 0,
            clientOrderId: id,
            strategyId: "prop",
            symbol: plan.symbol,
            side: plan.side,
            orderType: "market",
            qty,
            timeInForce: "IOC",
            reduceOnly: false,
            purpose: "entry",
          });
          st.apply({ type: "order.submitted", ts: 0, clientOrderId: id, attempt: 1 });
          plan.pieces.forEach((piece, k) => {
            fills.push({
              type: "order.filled",
              ts: 0,
              fillId: `${id}-${k}`,
              clientOrderId: id,
              venueOrderId: `v${o}`,
              symbol: plan.symbol,
              side: plan.side,
              price: fromUnits(BigInt(piece.ticks), TICK),
              qty: fromUnits(BigInt(piece.lots), LOT),
              fee: piece.fee,
              liquidity: "taker",
              venueTs: 0,
              source: "stream",
            });
          });
        });
        // Deterministic shuffle from the generated seed (fast-check shrinks the seed, not the permutation).
        let s = shuffleSeed;
        for (let i = fills.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          const j = s % (i + 1);
          [fills[i], fills[j]] = [fills[j]!, fills[i]!];
        }
        const delivered = [...fills, ...replays.map((r) => fills[r % fills.length]!)];

        let duplicates = 0;
        for (const f of delivered) if (st.apply(f) === "duplicate-fill") duplicates++;
        assert.equal(duplicates, replays.length);
        assert.equal(st.fillCount, fills.length);

        const expectedPosition = new Map<string, Dec>();
        let fees = ZERO;
        plans.forEach((plan, o) => {
          const order = st.orders.get(`o${o}`)!;
          const sumLots = fromUnits(BigInt(plan.pieces.reduce((n, p) => n + p.lots, 0)), LOT);
          const sumValue = plan.pieces.reduce((v, p) => add(v, mul(fromUnits(BigInt(p.ticks), TICK), fromUnits(BigInt(p.lots), LOT))), ZERO);
          const sumFees = plan.pieces.reduce((v, p) => add(v, p.fee), ZERO);
          assert.equal(order.filledQty, order.qty);
          assert.equal(order.filledQty, sumLots);
          assert.equal(order.filledValue, sumValue);
          assert.equal(order.fees, sumFees);
          assert.equal(order.status, "FILLED");
          expectedPosition.set(plan.symbol, add(expectedPosition.get(plan.symbol) ?? ZERO, plan.side === "buy" ? order.qty : neg(order.qty)));
          fees = add(fees, sumFees);
        });
        for (const sym of SYMBOLS) assert.equal(st.portfolio.position(sym).qty, expectedPosition.get(sym) ?? ZERO);
        assert.equal(st.portfolio.fees, fees);
      },
    ),
    { numRuns: 200 },
  );
});
