import assert from "node:assert/strict";
import { test } from "node:test";
import { type Dec, ZERO, add, dec } from "../../src/core/decimal.ts";
import { d, fmt, marketEngine } from "./helpers.ts";

const btcLimit = (account: string, side: "buy" | "sell", qty: string, price: Dec) =>
  ({ account, symbol: "BTCUSDT", side, type: "limit", qty: d(qty), price, timeInForce: "GTC" }) as const;

test("a resting order the market falls through is filled in full, as maker, at its own price", () => {
  const { engine, market } = marketEngine();
  const bid = engine.top("BTCUSDT")!.bid!.price;
  const price = (bid - dec("5")) as Dec; // 50 ticks under the touch
  const r = engine.place(btcLimit("a", "buy", "0.5", price));
  assert.ok(r.ok && r.order.status === "new");
  assert.ok(market.setPrice("BTCUSDT", 59_000).ok);
  const o = engine.order({ account: "a", orderId: r.order.orderId })!;
  assert.equal(o.status, "filled");
  const execs = engine.executions("a");
  assert.ok(execs.every((e) => e.price === price && e.liquidity === "maker" && e.counterparty === "market"));
  assert.equal(execs.reduce((s, e) => add(s, e.qty), ZERO), d("0.5"));
  assert.equal(fmt(engine.position("a", "BTCUSDT")!.qty), "0.5");
});

test("a resting sell the market rises through is filled at its price; the public book never stays crossed", () => {
  const { engine, market, events } = marketEngine();
  const ask = engine.top("BTCUSDT")!.ask!.price;
  const price = (ask + dec("3")) as Dec;
  const r = engine.place(btcLimit("a", "sell", "0.2", price));
  assert.ok(r.ok);
  events.length = 0;
  market.setPrice("BTCUSDT", 60_100);
  assert.equal(engine.order({ account: "a", orderId: r.order.orderId })!.status, "filled");
  for (const e of events) {
    if (e.type === "book" && e.book.bid !== undefined && e.book.ask !== undefined) assert.ok(e.book.bid.price < e.book.ask.price);
  }
  assert.ok(events.some((e) => e.type === "trade" && !e.trade.synthetic && e.trade.price === price));
});

test("queue model: an order joining a synthetic level waits for the quantity ahead of it", () => {
  const { engine, market } = marketEngine();
  const book = market.book("BTCUSDT")!;
  const tick = book.bids.best;
  const ahead = book.bids.sizeAtLevel(0);
  const price = book.priceOf(tick);
  const r = engine.place(btcLimit("a", "buy", "0.001", price));
  assert.ok(r.ok);
  const status = () => engine.order({ account: "a", orderId: r.order.orderId })!.status;
  // Buy-side aggression does not touch a resting buy.
  engine.onTrade(book, "buy", tick, 10_000, 0);
  assert.equal(status(), "new");
  // Sells at the level first eat the queue ahead …
  engine.onTrade(book, "sell", tick, ahead - 1, 0);
  assert.equal(status(), "new");
  // … then reach the order.
  engine.onTrade(book, "sell", tick, 2, 0);
  assert.equal(status(), "filled");
});

test("queue model: a trade below a resting buy fills it first, up to the trade's size", () => {
  const { engine, market } = marketEngine();
  const book = market.book("BTCUSDT")!;
  const tick = book.bids.best;
  const r = engine.place(btcLimit("a", "buy", "0.01", book.priceOf(tick)));
  assert.ok(r.ok);
  engine.onTrade(book, "sell", tick - 3, 4, 0);
  const o = engine.order({ account: "a", orderId: r.order.orderId })!;
  assert.equal(fmt(o.filledQty), "0.004");
  assert.equal(o.status, "partially-filled");
  assert.equal(fmt(engine.executions("a")[0]!.price), fmt(book.priceOf(tick)));
});

test("a running calm market fills resting orders near the touch over time, only ever at their price", () => {
  const { engine, market, clock } = marketEngine({ scenario: "calm" });
  const top = engine.top("BTCUSDT")!;
  const buy = engine.place(btcLimit("a", "buy", "0.01", top.bid!.price));
  const sell = engine.place(btcLimit("b", "sell", "0.01", top.ask!.price));
  assert.ok(buy.ok && sell.ok);
  market.start();
  clock.advance(120_000);
  for (const [acct, r] of [["a", buy], ["b", sell]] as const) {
    const o = engine.order({ account: acct, orderId: r.order.orderId })!;
    assert.ok(o.filledQty > 0n, `${acct} got fills`);
    for (const e of engine.executions(acct)) {
      assert.equal(e.price, r.order.price);
      assert.equal(e.liquidity, "maker");
    }
  }
});
