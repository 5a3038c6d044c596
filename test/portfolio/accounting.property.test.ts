/**
 * Accounting identities over random fill sequences (random sides, prices on a tick grid, quantities
 * on a lot grid, fees including rebates). Every product of a tick-grid price and a lot-grid quantity
 * is exact in 18 decimals, so these identities must hold to the last unit, not approximately.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, ZERO, abs, add, dec, mul, neg, sub } from "../../src/core/decimal.ts";
import { Portfolio } from "../../src/portfolio/portfolio.ts";
import { type FillSpec, SYMBOLS, fillSpecArb, priceArb, toFillEvent } from "./arbitraries.ts";

const INITIAL = dec("100000");

/** What the fills say, computed without the portfolio's code. */
class Ledger {
  readonly qty = new Map<string, Dec>();
  readonly buyNotional = new Map<string, Dec>();
  readonly sellNotional = new Map<string, Dec>();
  fees: Dec = ZERO;

  record(f: FillSpec): void {
    const get = (m: Map<string, Dec>): Dec => m.get(f.symbol) ?? ZERO;
    const notional = mul(f.price, f.qty);
    if (f.side === "buy") {
      this.qty.set(f.symbol, add(get(this.qty), f.qty));
      this.buyNotional.set(f.symbol, add(get(this.buyNotional), notional));
    } else {
      this.qty.set(f.symbol, sub(get(this.qty), f.qty));
      this.sellNotional.set(f.symbol, add(get(this.sellNotional), notional));
    }
    this.fees = add(this.fees, f.fee);
  }

  /** Σ sell notional − Σ buy notional for one symbol (or all). */
  tradingCashflow(symbol?: string): Dec {
    let total = ZERO;
    for (const s of symbol === undefined ? SYMBOLS : [symbol]) {
      total = add(total, sub(this.sellNotional.get(s) ?? ZERO, this.buyNotional.get(s) ?? ZERO));
    }
    return total;
  }
}

/** Closing fills that take every open position back to flat at the given price. */
function flatteners(ledger: Ledger, price: Dec): FillSpec[] {
  const out: FillSpec[] = [];
  for (const s of SYMBOLS) {
    const q = ledger.qty.get(s) ?? ZERO;
    if (q !== 0n) out.push({ symbol: s, side: q > 0n ? "sell" : "buy", price, qty: abs(q), fee: ZERO });
  }
  return out;
}

function checkInvariants(p: Portfolio, ledger: Ledger): void {
  let realizedSum = ZERO;
  for (const s of SYMBOLS) {
    const pos = p.position(s);
    // Σ signed fill qty = position qty.
    assert.equal(pos.qty, ledger.qty.get(s) ?? ZERO, `${s} qty`);
    assert.ok(pos.entryValue >= 0n, `${s} basis is never negative`);
    if (pos.qty === 0n) {
      assert.equal(pos.entryValue, ZERO, `${s} flat leaves no basis behind`);
      assert.equal(pos.openedAt, null);
    }
    // realised − signed open basis = Σ sells − Σ buys, at every step (flat is the special case basis = 0).
    const signedBasis = pos.qty >= 0n ? pos.entryValue : neg(pos.entryValue);
    assert.equal(sub(pos.realizedPnl, signedBasis), ledger.tradingCashflow(s), `${s} P&L identity`);
    realizedSum = add(realizedSum, pos.realizedPnl);
  }
  assert.equal(p.realizedPnl, realizedSum, "account realised = Σ position realised");
  assert.equal(p.fees, ledger.fees, "fees add up, rebates included");
  assert.equal(p.cash, sub(add(INITIAL, p.realizedPnl), ledger.fees), "cash = initial + realised − fees");
  assert.equal(p.equity(), add(p.cash, p.unrealizedPnl()), "equity = cash + unrealised");
}

test("positions, realised P&L, cash and fees follow the fills exactly at every step", () => {
  fc.assert(
    fc.property(fc.array(fillSpecArb, { minLength: 1, maxLength: 60 }), (fills) => {
      const p = new Portfolio(INITIAL);
      const ledger = new Ledger();
      fills.forEach((f, i) => {
        p.applyFill(toFillEvent(f, i));
        ledger.record(f);
        checkInvariants(p, ledger);
      });
    }),
    { numRuns: 300 },
  );
});

test("a sequence that ends flat realises exactly Σ sell notional − Σ buy notional", () => {
  fc.assert(
    fc.property(fc.array(fillSpecArb, { minLength: 1, maxLength: 40 }), priceArb, (fills, closePrice) => {
      const p = new Portfolio(INITIAL);
      const ledger = new Ledger();
      for (const f of fills) {
        p.applyFill(toFillEvent(f));
        ledger.record(f);
      }
      for (const f of flatteners(ledger, closePrice)) {
        p.applyFill(toFillEvent(f));
        ledger.record(f);
      }
      assert.deepEqual(p.openPositions(), []);
      assert.equal(p.realizedPnl, ledger.tradingCashflow());
      assert.equal(p.cash, sub(add(INITIAL, ledger.tradingCashflow()), ledger.fees));
      assert.equal(p.unrealizedPnl(), ZERO);
      assert.equal(p.equity(), p.cash);
    }),
    { numRuns: 300 },
  );
});

test("equity is what closing every position at the touch would leave, at every step", () => {
  const markArb = fc.record({ bidTicks: fc.integer({ min: 1, max: 10_000_000 }), spreadTicks: fc.integer({ min: 0, max: 100_000 }) });
  fc.assert(
    fc.property(fc.array(fc.tuple(fillSpecArb, markArb), { minLength: 1, maxLength: 40 }), (steps) => {
      const p = new Portfolio(INITIAL);
      const ledger = new Ledger();
      steps.forEach(([f, m], i) => {
        p.applyFill(toFillEvent(f, i));
        ledger.record(f);
        const bid = mul(dec(String(m.bidTicks)), dec("0.01"));
        const ask = add(bid, mul(dec(String(m.spreadTicks)), dec("0.01")));
        p.setMark(f.symbol, bid, ask, i);
        // Independent of the portfolio's code: cash you started with, minus fees, plus what the
        // trades paid and received, plus what selling longs at the bid / buying back shorts at the ask would bring.
        let closeValue = ZERO;
        for (const s of SYMBOLS) {
          const q = ledger.qty.get(s) ?? ZERO;
          const mark = p.mark(s);
          if (q === 0n || mark === undefined) continue;
          closeValue = add(closeValue, q > 0n ? mul(mark.bid, q) : neg(mul(mark.ask, abs(q))));
        }
        const marked = SYMBOLS.every((s) => (ledger.qty.get(s) ?? ZERO) === 0n || p.mark(s) !== undefined);
        if (marked) {
          assert.equal(p.equity(), add(sub(add(INITIAL, ledger.tradingCashflow()), ledger.fees), closeValue));
        }
        checkInvariants(p, ledger);
      });
    }),
    { numRuns: 200 },
  );
});
