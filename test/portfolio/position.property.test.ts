import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type Dec, ZERO, abs, add, dec, div, max, min, mul, neg, sub } from "../../src/core/decimal.ts";
import type { Side } from "../../src/core/events.ts";
import {
  type Position,
  applyFillToPosition,
  avgPrice,
  flatPosition,
  markNotional,
  unrealizedPnl,
} from "../../src/portfolio/position.ts";
import { priceArb, qtyArb, sideArb } from "./arbitraries.ts";

const other = (s: Side): Side => (s === "buy" ? "sell" : "buy");

/** A position built from several same-side fills (a non-trivial cost basis). */
const openPositionArb = fc
  .tuple(sideArb, fc.array(fc.tuple(priceArb, qtyArb), { minLength: 1, maxLength: 6 }))
  .map(([side, legs]) => {
    let p: Position = flatPosition("BTCUSDT");
    legs.forEach(([price, qty], i) => (p = applyFillToPosition(p, side, price, qty, 100 + i).position));
    return { side, legs, position: p };
  });

describe("adding to a position", () => {
  test("the cost basis is Σ price × qty exactly and the average price is the VWAP", () => {
    fc.assert(
      fc.property(openPositionArb, ({ side, legs, position }) => {
        const totalQty = legs.reduce((acc, [, q]) => add(acc, q), ZERO);
        const totalValue = legs.reduce((acc, [p, q]) => add(acc, mul(p, q)), ZERO);
        assert.equal(position.qty, side === "buy" ? totalQty : neg(totalQty));
        assert.equal(position.entryValue, totalValue);
        assert.equal(position.realizedPnl, ZERO);
        assert.equal(avgPrice(position), div(totalValue, totalQty));
        const prices = legs.map(([p]) => p);
        assert.ok(avgPrice(position) >= prices.reduce(min) && avgPrice(position) <= prices.reduce(max));
        assert.equal(position.openedAt, 100, "opened by the first fill");
      }),
      { numRuns: 300 },
    );
  });

  test("a worked VWAP example", () => {
    let p = flatPosition("X");
    p = applyFillToPosition(p, "buy", dec("100"), dec("1"), 1).position;
    p = applyFillToPosition(p, "buy", dec("110"), dec("3"), 2).position;
    assert.equal(p.entryValue, dec("430"));
    assert.equal(avgPrice(p), dec("107.5"));
  });
});

describe("flips", () => {
  test("a fill larger than the position realises the closed part and opens the rest at the fill price", () => {
    fc.assert(
      fc.property(openPositionArb, priceArb, qtyArb, ({ side, position }, price, extra) => {
        const held = abs(position.qty);
        const fillQty = add(held, extra);
        const { position: next, realized } = applyFillToPosition(position, other(side), price, fillQty, 999);
        const exit = mul(price, held);
        // The whole old basis is closed: no rounding is involved.
        assert.equal(realized, side === "buy" ? sub(exit, position.entryValue) : sub(position.entryValue, exit));
        assert.equal(next.realizedPnl, add(position.realizedPnl, realized));
        assert.equal(next.qty, side === "buy" ? neg(extra) : extra);
        assert.equal(next.entryValue, mul(price, extra));
        assert.equal(avgPrice(next), price);
        assert.equal(next.openedAt, 999, "the new position opens at the flip");
      }),
      { numRuns: 300 },
    );
  });

  test("an exact close goes flat with no basis left; a partial close keeps the opening time", () => {
    fc.assert(
      fc.property(openPositionArb, priceArb, ({ side, position }, price) => {
        const held = abs(position.qty);
        const closed = applyFillToPosition(position, other(side), price, held, 500).position;
        assert.equal(closed.qty, ZERO);
        assert.equal(closed.entryValue, ZERO);
        assert.equal(closed.openedAt, null);
        if (held > dec("0.001")) {
          const partial = applyFillToPosition(position, other(side), price, dec("0.001"), 500).position;
          assert.equal(partial.openedAt, position.openedAt);
          assert.equal(abs(partial.qty), sub(held, dec("0.001")));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("a worked flip example: long 2 @ 100, sell 5 @ 110", () => {
    const long = applyFillToPosition(flatPosition("X"), "buy", dec("100"), dec("2"), 1).position;
    const { position, realized } = applyFillToPosition(long, "sell", dec("110"), dec("5"), 2);
    assert.equal(realized, dec("20"));
    assert.equal(position.qty, dec("-3"));
    assert.equal(position.entryValue, dec("330"));
    assert.equal(position.realizedPnl, dec("20"));
  });

  test("a worked short example: short 4 @ 50, buy back 1 @ 45 then 3 @ 55", () => {
    let p = applyFillToPosition(flatPosition("X"), "sell", dec("50"), dec("4"), 1).position;
    const first = applyFillToPosition(p, "buy", dec("45"), dec("1"), 2);
    assert.equal(first.realized, dec("5"));
    p = first.position;
    assert.equal(p.qty, dec("-3"));
    assert.equal(p.entryValue, dec("150"));
    const second = applyFillToPosition(p, "buy", dec("55"), dec("3"), 3);
    assert.equal(second.realized, dec("-15"));
    assert.equal(second.position.realizedPnl, dec("-10"));
    assert.equal(second.position.qty, ZERO);
  });
});

describe("mark to market", () => {
  const spreadArb = fc.tuple(priceArb, fc.integer({ min: 0, max: 1_000_000 })).map(([bid, spreadTicks]) => ({
    bid,
    ask: add(bid, mul(dec(String(spreadTicks)), dec("0.01"))),
  }));

  test("longs are valued at the bid and shorts at the ask", () => {
    fc.assert(
      fc.property(openPositionArb, spreadArb, priceArb, ({ side, position }, { bid, ask }, elsewhere) => {
        const q = abs(position.qty);
        const u = unrealizedPnl(position, bid, ask);
        if (side === "buy") {
          assert.equal(u, sub(mul(bid, q), position.entryValue));
          assert.equal(unrealizedPnl(position, bid, elsewhere), u, "a long ignores the ask");
          assert.equal(markNotional(position, bid, ask), mul(bid, q));
        } else {
          assert.equal(u, sub(position.entryValue, mul(ask, q)));
          assert.equal(unrealizedPnl(position, elsewhere, ask), u, "a short ignores the bid");
          assert.equal(markNotional(position, bid, ask), mul(ask, q));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("a wide spread never shows paper profit on both sides", () => {
    fc.assert(
      fc.property(priceArb, qtyArb, spreadArb, (entry, qty, { bid, ask }) => {
        const long = applyFillToPosition(flatPosition("X"), "buy", entry, qty, 1).position;
        const short = applyFillToPosition(flatPosition("X"), "sell", entry, qty, 1).position;
        const uLong = unrealizedPnl(long, bid, ask);
        const uShort = unrealizedPnl(short, bid, ask);
        // Long and short of the same size at the same price: together they are worth exactly −spread × qty.
        assert.equal(add(uLong, uShort), neg(mul(sub(ask, bid), qty)));
        assert.ok(!(uLong > 0n && uShort > 0n));
        // Entered anywhere inside the spread, both sides show a loss (or zero at the touch).
        if (entry >= bid && entry <= ask) {
          assert.ok(uLong <= 0n);
          assert.ok(uShort <= 0n);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("no mark, no paper P&L; flat has neither P&L nor notional", () => {
    const long = applyFillToPosition(flatPosition("X"), "buy", dec("100"), dec("1"), 1).position;
    const short = applyFillToPosition(flatPosition("X"), "sell", dec("100"), dec("1"), 1).position;
    assert.equal(unrealizedPnl(long, undefined, dec("200")), ZERO);
    assert.equal(unrealizedPnl(short, dec("50"), undefined), ZERO);
    assert.equal(markNotional(long, undefined, undefined), dec("100"), "without a mark, notional is the cost basis");
    const flat = flatPosition("X");
    assert.equal(unrealizedPnl(flat, dec("1"), dec("2")), ZERO);
    assert.equal(markNotional(flat, dec("1"), dec("2")), ZERO);
    assert.equal(avgPrice(flat), ZERO);
  });
});

describe("unrealised P&L", () => {
  test("remembered values are exact: any sequence of positions and prices, repeats included, gives the formula's figure", () => {
    // Few distinct positions and prices, so that the sequence revisits them (the remembered path)
    // and also overflows what is remembered (the computed path).
    const positions = fc.array(openPositionArb.map((o) => o.position), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(positions, fc.array(priceArb, { minLength: 1, maxLength: 12 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 60 }), (ps, prices, picks) => {
        for (const [i, j] of picks) {
          const p = ps[i % ps.length]!;
          const px = prices[j % prices.length]!;
          const expected = p.qty > 0n ? sub(mul(px, p.qty), p.entryValue) : sub(p.entryValue, mul(px, abs(p.qty)));
          assert.equal(unrealizedPnl(p, px, px), expected);
          // The same figures in another object (the risk controller's reused view of a position).
          assert.equal(unrealizedPnl({ qty: p.qty, entryValue: p.entryValue }, px, px), expected);
        }
      }),
    );
  });
});
