/**
 * The level book against a plain model keyed by exact decimals: after any run of updates (prices
 * spelt several ways, some too long for a float64 key, zero sizes deleting, the best removed and
 * re-added) the top and crossing are the model's.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, dec, format } from "../../../src/core/decimal.ts";
import { LevelBook, type Levels, type WireLevel, priceKey, sizeKey } from "../../../src/venues/live/level-book.ts";

function levels(rows: WireLevel[]): Levels {
  const keys: number[] = [];
  for (const [p, q] of rows) keys.push(priceKey(p)!, sizeKey(q)!);
  return { levels: rows, keys };
}

/** A few prices close together, some with 19 significant digits, written with or without padding and sign. */
const price = fc
  .tuple(fc.integer({ min: 99, max: 101 }), fc.constantFrom("", ".5", ".25", ".0000000000000001", ".0000000000000002", ".5000000000000001"), fc.constantFrom("", "0", "000"), fc.constantFrom("", "+"))
  .map(([int, frac, pad, sign]) => `${sign}${int}${frac === "" ? (pad === "" ? "" : `.${pad}`) : frac.length + pad.length > 19 ? frac : `${frac}${pad}`}`);
const size = fc.constantFrom("0", "0.000", "-0", "1", "2.5", "0.001", "12345678.1234567891");
const update = fc.tuple(fc.array(fc.tuple(price, size), { maxLength: 6 }), fc.array(fc.tuple(price, size), { maxLength: 6 }));

test("top and crossing match an exact model over random updates", () => {
  fc.assert(
    fc.property(fc.array(update, { minLength: 1, maxLength: 30 }), (updates) => {
      const book = new LevelBook();
      const model = { bids: new Map<Dec, Dec>(), asks: new Map<Dec, Dec>() };
      for (const [bids, asks] of updates) {
        book.apply(levels(bids), levels(asks));
        for (const [side, rows] of [[model.bids, bids], [model.asks, asks]] as const) {
          for (const [p, q] of rows) {
            if (dec(q) === 0n) side.delete(dec(p));
            else side.set(dec(p), dec(q));
          }
        }
        const bid = [...model.bids.keys()].sort((a, b) => (a < b ? 1 : -1))[0];
        const ask = [...model.asks.keys()].sort((a, b) => (a < b ? -1 : 1))[0];
        const want = bid === undefined || ask === undefined ? undefined : { bid, bidQty: model.bids.get(bid)!, ask, askQty: model.asks.get(ask)! };
        const got = book.top();
        assert.deepEqual(got === undefined ? undefined : { ...got }, want, want === undefined ? "no top" : `${format(want.bid)} / ${format(want.ask)}`);
        assert.equal(book.crossed(), want !== undefined && want.bid >= want.ask);
      }
    }),
    { numRuns: 3_000 },
  );
});
