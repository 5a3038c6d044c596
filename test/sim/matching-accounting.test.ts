import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, ZERO, add, dec, sub } from "../../src/core/decimal.ts";
import { applyFill, avgEntryPrice, FLAT } from "../../src/venues/sim/matching/position.ts";
import { bareEngine, d, fmt, limit, market, marketEngine } from "./helpers.ts";

test("fees: the taker pays the taker rate, a negative maker rate is a rebate", () => {
  const { engine } = bareEngine();
  engine.place(limit("b", "sell", "2", "100"));
  const r = engine.place(market("a", "buy", "2"));
  assert.ok(r.ok);
  const [taker] = r.executions;
  const [maker] = engine.executions("b");
  assert.equal(fmt(taker!.fee), "0.1"); // 200 × 0.0005
  assert.equal(fmt(maker!.fee), "-0.02"); // 200 × −0.0001
  assert.equal(fmt(engine.wallet("a")!.balance), "9999.9");
  assert.equal(fmt(engine.wallet("b")!.balance), "10000.02");
  assert.equal(fmt(engine.wallet("b")!.feesPaid), "-0.02");
});

test("BTC fees come from the instrument: maker 0.02 %, taker 0.055 %", () => {
  const { engine } = marketEngine();
  const r = engine.place({ account: "a", symbol: "BTCUSDT", side: "buy", type: "market", qty: d("0.01"), timeInForce: "IOC" });
  assert.ok(r.ok);
  for (const e of r.executions) {
    assert.equal(e.feeRate, dec("0.00055"));
    assert.equal(e.fee, (((e.qty * e.price) / 10n ** 18n) * dec("0.00055")) / 10n ** 18n);
  }
});

test("positions: average entry, realised P&L on reduce, flip re-opens at the fill price", () => {
  const { engine } = bareEngine();
  engine.place(limit("b", "sell", "1", "100"));
  engine.place(limit("b", "sell", "1", "101"));
  engine.place(market("a", "buy", "2"));
  let pos = engine.position("a", "TESTUSDT")!;
  assert.equal(fmt(pos.qty), "2");
  assert.equal(fmt(pos.avgPrice), "100.5");
  engine.place(limit("c", "buy", "3", "110"));
  engine.place(market("a", "sell", "3"));
  pos = engine.position("a", "TESTUSDT")!;
  assert.equal(fmt(pos.qty), "-1");
  assert.equal(fmt(pos.avgPrice), "110");
  assert.equal(fmt(pos.realisedPnl), "19"); // 2 × 110 − 201
  const w = engine.wallet("a")!;
  assert.equal(w.balance, sub(add(dec("10000"), w.realisedPnl), w.feesPaid));
  assert.equal(fmt(w.feesPaid), "0.2655"); // (201 + 330) × 0.0005
});

test("position arithmetic: a round trip releases exactly its cost", () => {
  let p = applyFill(FLAT, "buy", dec("0.3"), dec("100.1"));
  p = applyFill(p, "buy", dec("0.7"), dec("100.2"));
  assert.equal(avgEntryPrice(p), dec("100.17"));
  const half = applyFill(p, "sell", dec("0.4"), dec("101"));
  const rest = applyFill(half, "sell", dec("0.6"), dec("99"));
  assert.equal(rest.qty, ZERO);
  assert.equal(rest.cost, ZERO);
  assert.equal(add(half.realised, rest.realised), dec("-0.37")); // 0.4×101 + 0.6×99 − 100.17
});

test("property: fills sum to each order's filled qty; positions, wallets and fees add up exactly", () => {
  const op = fc.record({
    account: fc.constantFrom("a", "b", "c"),
    side: fc.constantFrom("buy" as const, "sell" as const),
    lots: fc.integer({ min: 1, max: 40 }),
    ticks: fc.integer({ min: 180, max: 220 }),
    kind: fc.constantFrom("limit", "market", "ioc", "fok", "post", "cancel"),
    reduceOnly: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
      const { engine } = bareEngine();
      for (const o of ops) {
        if (o.kind === "cancel") {
          const first = engine.openOrders(o.account)[0];
          if (first !== undefined) assert.ok(engine.cancel({ account: o.account, orderId: first.orderId }).ok);
          continue;
        }
        const qty = `${o.lots / 10}`;
        const tif = o.kind === "ioc" ? "IOC" : o.kind === "fok" ? "FOK" : o.kind === "post" ? "POST_ONLY" : "GTC";
        if (o.kind === "market") engine.place(market(o.account, o.side, qty, { reduceOnly: o.reduceOnly }));
        else engine.place(limit(o.account, o.side, qty, `${o.ticks / 2}`, { timeInForce: tif, reduceOnly: o.reduceOnly }));
      }
      let net = ZERO;
      for (const a of ["a", "b", "c"]) {
        const execs = engine.executions(a);
        for (const o of engine.orderHistory(a)) {
          const mine = execs.filter((e) => e.orderId === o.orderId);
          assert.equal(mine.reduce((s, e) => add(s, e.qty), ZERO), o.filledQty);
          assert.ok(o.filledQty <= o.qty);
          assert.equal(mine.reduce((s, e) => add(s, e.fee), ZERO), o.cumFee);
        }
        const signed = execs.reduce((s, e) => add(s, (e.side === "buy" ? e.qty : -e.qty) as Dec), ZERO);
        const pos = engine.position(a, "TESTUSDT")!;
        assert.equal(pos.qty, signed);
        net = add(net, pos.qty);
        const w = engine.wallet(a)!;
        assert.equal(w.feesPaid, execs.reduce((s, e) => add(s, e.fee), ZERO));
        assert.equal(w.realisedPnl, pos.realisedPnl);
        assert.equal(w.balance, sub(add(dec("10000"), w.realisedPnl), w.feesPaid));
      }
      assert.equal(net, ZERO, "every trade is between accounts: positions net to zero");
    }),
    { numRuns: 150 },
  );
});
