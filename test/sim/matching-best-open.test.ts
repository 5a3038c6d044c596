import assert from "node:assert/strict";
import { test } from "node:test";
import { type Dec, dec } from "../../src/core/decimal.ts";
import type { MatchingEngine } from "../../src/venues/sim/matching/matching-engine.ts";
import { bareEngine, limit, market } from "./helpers.ts";

/** What the backtest read before: the extremes over the account's open-order snapshots. */
function fromSnapshots(engine: MatchingEngine, account: string, symbol: string): { bid: Dec | undefined; ask: Dec | undefined } {
  let bid: Dec | undefined;
  let ask: Dec | undefined;
  for (const o of engine.openOrders(account, symbol)) {
    if (o.price === undefined) continue;
    if (o.side === "buy") bid = bid === undefined || o.price > bid ? o.price : bid;
    else ask = ask === undefined || o.price < ask ? o.price : ask;
  }
  return { bid, ask };
}

test("bestOpenPrices gives the best open buy and sell of an account as its open orders do, through places, fills and cancels", () => {
  const { engine } = bareEngine();
  const check = (): void => {
    for (const account of ["a", "b", "c"]) {
      for (const symbol of ["TESTUSDT", "BTCUSDT"]) assert.deepEqual({ ...engine.bestOpenPrices(account, symbol) }, fromSnapshots(engine, account, symbol), `${account} ${symbol}`);
    }
  };
  check();
  const ids: string[] = [];
  for (const [side, price] of [["buy", "99"], ["buy", "100.5"], ["buy", "98"], ["sell", "103"], ["sell", "101.5"], ["sell", "104"]] as const) {
    const r = engine.place(limit("a", side, "1", price));
    assert.ok(r.ok);
    ids.push(r.order.orderId);
    check();
  }
  // b takes a's best sell in part, then all of it and the next: the best moves up the book.
  assert.ok(engine.place(market("b", "buy", "0.5")).ok);
  check();
  assert.ok(engine.place(market("b", "buy", "1")).ok);
  check();
  assert.equal(engine.bestOpenPrices("a", "TESTUSDT").ask, dec("103"));
  // b rests orders of its own: a's answer does not change.
  assert.ok(engine.place(limit("b", "buy", "1", "100")).ok);
  check();
  for (const orderId of ids) {
    engine.cancel({ account: "a", orderId });
    check();
  }
  assert.deepEqual({ ...engine.bestOpenPrices("a", "TESTUSDT") }, { bid: undefined, ask: undefined });
  assert.deepEqual({ ...engine.bestOpenPrices("nobody", "TESTUSDT") }, { bid: undefined, ask: undefined });
});
