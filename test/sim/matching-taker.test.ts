import assert from "node:assert/strict";
import { test } from "node:test";
import { add, ZERO } from "../../src/core/decimal.ts";
import { bareEngine, d, fingerprint, fmt, limit, market, marketEngine } from "./helpers.ts";

test("price-time priority: better price first, then first come first served", () => {
  const { engine } = bareEngine();
  const b1 = engine.place(limit("b", "sell", "1", "100"));
  const c1 = engine.place(limit("c", "sell", "1", "100"));
  const b2 = engine.place(limit("b", "sell", "1", "99.5"));
  engine.place(limit("c", "sell", "1", "101"));
  assert.ok(b1.ok && c1.ok && b2.ok);
  const r = engine.place(limit("a", "buy", "2.5", "100"));
  assert.ok(r.ok);
  assert.deepEqual(
    r.executions.map((e) => [fmt(e.price), fmt(e.qty), e.counterparty, e.liquidity]),
    [
      ["99.5", "1", "b", "taker"],
      ["100", "1", "b", "taker"],
      ["100", "0.5", "c", "taker"],
    ],
  );
  assert.equal(r.order.status, "filled");
  assert.equal(fmt(engine.lastPrice("TESTUSDT")), "100");
  assert.equal(engine.lastPrice("BTCUSDT"), undefined);
  assert.equal(engine.order({ account: "b", orderId: b1.order.orderId })!.status, "filled");
  assert.equal(fmt(engine.order({ account: "c", orderId: c1.order.orderId })!.leavesQty), "0.5");
  const depth = engine.depth("TESTUSDT", 5)!;
  assert.deepEqual(depth.asks.map((l) => [fmt(l.price), fmt(l.qty)]), [["100", "0.5"], ["101", "1"]]);
  assert.deepEqual(depth.bids, []);
});

test("a limit order that does not cross rests, and a later crossing order trades at the resting price", () => {
  const { engine } = bareEngine();
  const maker = engine.place(limit("a", "buy", "1", "100"));
  assert.ok(maker.ok && maker.order.status === "new");
  const taker = engine.place(limit("b", "sell", "1", "95"));
  assert.ok(taker.ok);
  assert.equal(fmt(taker.executions[0]!.price), "100");
  const makerExec = engine.executions("a")[0]!;
  assert.equal(makerExec.liquidity, "maker");
  assert.equal(makerExec.counterparty, "b");
});

test("a market order walks the synthetic levels: partial fills across levels, exact sum", () => {
  const { engine, market: mkt } = marketEngine();
  const before = engine.depth("BTCUSDT", 3)!;
  const [l0, l1] = before.asks;
  const book = mkt.book("BTCUSDT")!;
  const halfL1 = book.qtyOf(Math.max(1, Math.floor(book.lotsOf(l1!.qty) / 2)));
  const qty = add(l0!.qty, halfL1);
  const r = engine.place({ account: "a", symbol: "BTCUSDT", side: "buy", type: "market", qty, timeInForce: "IOC" });
  assert.ok(r.ok);
  assert.deepEqual(
    r.executions.map((e) => [fmt(e.price), fmt(e.qty)]),
    [
      [fmt(l0!.price), fmt(l0!.qty)],
      [fmt(l1!.price), fmt(halfL1)],
    ],
  );
  assert.equal(r.executions.reduce((s, e) => add(s, e.qty), ZERO), qty);
  assert.equal(r.order.filledQty, qty);
  assert.equal(r.order.status, "filled");
  const after = engine.depth("BTCUSDT", 1)!;
  assert.equal(fmt(after.asks[0]!.price), fmt(l1!.price));
  assert.equal(after.asks[0]!.qty, l1!.qty - halfL1);
});

test("a market order that exhausts the visible depth fills what it can; the rest is cancelled", () => {
  const { engine } = marketEngine({ depth: 20 });
  const visible = engine.depth("BTCUSDT", 1000)!.asks.reduce((s, l) => add(s, l.qty), ZERO);
  const r = engine.place({ account: "a", symbol: "BTCUSDT", side: "buy", type: "market", qty: d("100"), timeInForce: "GTC" });
  assert.ok(r.ok);
  assert.equal(r.order.filledQty, visible);
  assert.equal(r.order.status, "cancelled");
  assert.equal(r.order.cancelCause, "market-depth-exhausted");
  assert.equal(engine.depth("BTCUSDT", 5)!.asks.length, 0);

  const bare = bareEngine().engine;
  const none = bare.place(market("a", "buy", "1"));
  assert.ok(none.ok);
  assert.equal(none.order.cancelCause, "market-depth-exhausted");
  assert.equal(none.order.filledQty, ZERO);
});

test("IOC: what does not fill at once is cancelled, nothing rests", () => {
  const { engine } = bareEngine();
  engine.place(limit("b", "sell", "1", "100"));
  const r = engine.place(limit("a", "buy", "3", "100", { timeInForce: "IOC" }));
  assert.ok(r.ok);
  assert.equal(fmt(r.order.filledQty), "1");
  assert.equal(r.order.status, "cancelled");
  assert.equal(r.order.cancelCause, "ioc-remainder");
  assert.deepEqual(engine.depth("TESTUSDT", 5)!.bids, []);
  assert.deepEqual(engine.openOrders("a"), []);
});

test("FOK: all or nothing", () => {
  const { engine } = bareEngine();
  const resting = engine.place(limit("b", "sell", "1", "100"));
  engine.place(limit("b", "sell", "1", "101"));
  assert.ok(resting.ok);
  const before = fingerprint(engine, ["b"]);
  const tooBig = engine.place(limit("a", "buy", "1.5", "100", { timeInForce: "FOK" }));
  assert.ok(tooBig.ok);
  assert.equal(tooBig.order.status, "cancelled");
  assert.equal(tooBig.order.cancelCause, "fok-not-fillable");
  assert.equal(tooBig.executions.length, 0);
  assert.equal(fingerprint(engine, ["b"]).replace(/^\[\d+/, ""), before.replace(/^\[\d+/, ""), "the makers are untouched");
  const fits = engine.place(limit("a", "buy", "2", "101", { timeInForce: "FOK" }));
  assert.ok(fits.ok);
  assert.equal(fits.order.status, "filled");
  assert.equal(fits.executions.length, 2);
});

test("post-only that would cross ends cancelled with the cause, and takes nothing", () => {
  const { engine, events } = bareEngine();
  engine.place(limit("b", "sell", "1", "100"));
  events.length = 0;
  const r = engine.place(limit("a", "buy", "1", "100", { timeInForce: "POST_ONLY", clientOrderId: "po-1" }));
  assert.ok(r.ok);
  assert.equal(r.order.status, "cancelled");
  assert.equal(r.order.cancelCause, "post-only-would-take");
  assert.equal(r.executions.length, 0);
  assert.deepEqual(
    events.filter((e) => e.type === "order").map((e) => e.type === "order" && e.change),
    ["created", "cancelled"],
  );
  assert.equal(fmt(engine.depth("TESTUSDT", 1)!.asks[0]!.qty), "1");
  const rests = engine.place(limit("a", "buy", "1", "99.5", { timeInForce: "POST_ONLY" }));
  assert.ok(rests.ok && rests.order.status === "new");
});

test("post-only in reject mode (Binance GTX): refused, nothing recorded", () => {
  const { engine } = bareEngine({ postOnlyCross: "reject" });
  engine.place(limit("b", "sell", "1", "100"));
  const before = fingerprint(engine);
  const r = engine.place(limit("a", "buy", "1", "100", { timeInForce: "POST_ONLY", clientOrderId: "gtx" }));
  assert.ok(!r.ok);
  assert.equal(r.rejection.code, "POST_ONLY_WOULD_TAKE");
  assert.equal(fingerprint(engine), before);
  assert.equal(engine.orderByClientId("a", "gtx"), undefined);
});

test("accounts match each other on top of the synthetic book, best price first, synthetic first at a tie", () => {
  const { engine, market: mkt } = marketEngine();
  const btc = (account: string, side: "buy" | "sell", qty: string, price?: bigint) =>
    engine.place({
      account,
      symbol: "BTCUSDT",
      side,
      type: price === undefined ? "market" : "limit",
      qty: d(qty),
      price: price as never,
      timeInForce: price === undefined ? "IOC" : "GTC",
    });
  // A tie: b joins the synthetic best ask; a buys the synthetic touch and 0.01 more.
  const ask = engine.top("BTCUSDT")!.ask!;
  assert.ok(btc("b", "sell", "0.01", ask.price).ok);
  assert.equal(engine.top("BTCUSDT")!.ask!.qty, ask.qty + d("0.01"), "the public book shows b's order");
  const tie = engine.place({ account: "a", symbol: "BTCUSDT", side: "buy", type: "market", qty: (ask.qty + d("0.01")) as never, timeInForce: "IOC" });
  assert.ok(tie.ok);
  assert.deepEqual(
    tie.executions.map((e) => [e.counterparty, fmt(e.price)]),
    [
      ["market", fmt(ask.price)],
      ["b", fmt(ask.price)],
    ],
  );
  // Inside the spread: wait for a step with a spread of two ticks or more, then b improves the ask.
  let guard = 0;
  while (mkt.book("BTCUSDT")!.asks.best - mkt.book("BTCUSDT")!.bids.best < 2 && guard++ < 1000) mkt.step();
  const inside = (engine.top("BTCUSDT")!.ask!.price - d("0.1")) as typeof ask.price;
  assert.ok(btc("b", "sell", "0.01", inside).ok);
  assert.equal(engine.top("BTCUSDT")!.ask!.price, inside);
  const first = btc("a", "buy", "0.01");
  assert.ok(first.ok);
  assert.deepEqual(first.executions.map((e) => [e.counterparty, fmt(e.price)]), [["b", fmt(inside)]]);
});
