/**
 * A protocol simulator left running keeps bounded memory: what it holds beside the matching
 * engine's orders (wire ids, request facts) goes when the engine forgets the order, and its own
 * per-account records (Bybit's funding and transaction log, Binance's user trades and income)
 * keep the newest `maxRecords` at most a quarter over. A forgotten order is unknown by its wire
 * id, as on a venue whose history has let it go; the newest stay findable.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { dec } from "../../../src/core/decimal.ts";
import { BinanceExchange } from "../../../src/simulator/binance/exchange.ts";
import { EngineBackend } from "../../../src/simulator/bybit/backend.ts";
import { appendBounded } from "../../../src/simulator/shared/bounded-history.ts";

const ORDERS = 60;
const MAX_TERMINAL = 5;
const MAX_RECORDS = 8;
const BOUND = MAX_RECORDS + MAX_RECORDS / 4;

describe("appendBounded", () => {
  test("keeps the newest max, trimming once a quarter more has piled up, oldest first", () => {
    const lists = new Map<string, number[]>();
    for (let i = 1; i <= 100; i++) {
      appendBounded(lists, "a", i, 8);
      const list = lists.get("a")!;
      assert.ok(list.length <= 10, `length ${list.length} after ${i}`);
      assert.equal(list.at(-1), i, "the newest is last");
      assert.deepEqual(list, [...list].sort((x, y) => x - y), "oldest first");
      assert.ok(list.length >= Math.min(i, 8), "never fewer than max once max were appended");
    }
  });
});

describe("Bybit simulator backend: bounded history", () => {
  test("wire ids, order extras and records stay bounded; the oldest order is forgotten, the newest is found", () => {
    const clock = new SimClock();
    const backend = new EngineBackend({ clock, seed: 3, scenario: "calm", accounts: [{ accountId: "acct", startingBalance: dec("1000000") }], maxTerminalOrders: MAX_TERMINAL, maxRecords: MAX_RECORDS });
    try {
      const ids: string[] = [];
      for (let i = 0; i < ORDERS; i++) {
        const placed = backend.placeOrder({ accountId: "acct", symbol: "BTCUSDT", side: i % 2 === 0 ? "Buy" : "Sell", orderType: "Market", qty: dec("0.001"), price: undefined, timeInForce: "IOC", reduceOnly: false, closeOnTrigger: false, orderLinkId: `link-${i}`, receivedAt: clock.now() });
        assert.ok(placed.ok, `order ${i} placed`);
        ids.push(placed.value.orderId);
        const wallet = backend.adjustWallet("acct", dec("1"), true);
        assert.ok(wallet.ok);
        clock.advance(10);
      }
      const kept = backend.retained();
      assert.ok(kept.orderIds <= MAX_TERMINAL, `Bybit ids kept: ${kept.orderIds}`);
      assert.ok(kept.orderExtras <= MAX_TERMINAL, `order extras kept: ${kept.orderExtras}`);
      assert.ok(kept.records <= BOUND, `records kept: ${kept.records}`);
      assert.ok(backend.transactions("acct").length <= BOUND);
      assert.ok(backend.executions("acct").length <= MAX_RECORDS + BOUND);
      assert.equal(backend.findOrder("acct", { orderId: ids[0] }), undefined, "the oldest order is forgotten");
      assert.equal(backend.findOrder("acct", { orderId: ids.at(-1) })?.orderLinkId, `link-${ORDERS - 1}`, "the newest is found by its Bybit id");
    } finally {
      backend.close();
    }
  });
});

describe("Binance simulator exchange: bounded history", () => {
  test("numeric ids, request facts, user trades and income stay bounded; the oldest order is forgotten, the newest is found", () => {
    const clock = new SimClock();
    const exchange = new BinanceExchange({ clock, seed: 3, scenario: "calm", accounts: [{ accountId: "acct", startingBalance: dec("1000000") }], maxTerminalOrders: MAX_TERMINAL, maxRecords: MAX_RECORDS });
    try {
      const ids: number[] = [];
      for (let i = 0; i < ORDERS; i++) {
        const placed = exchange.place({ accountId: "acct", symbol: "BTCUSDT", side: i % 2 === 0 ? "BUY" : "SELL", type: "MARKET", timeInForce: "GTC", qty: dec("0.001"), price: undefined, stopPrice: undefined, reduceOnly: false, closePosition: false, clientOrderId: `cid-${i}`, receivedAt: clock.now() });
        assert.ok(placed.ok, `order ${i} placed`);
        ids.push(placed.value.orderId);
        clock.advance(10);
      }
      const kept = exchange.retained();
      assert.ok(kept.orderIds <= MAX_TERMINAL, `numeric ids kept: ${kept.orderIds}`);
      assert.ok(kept.requests <= MAX_TERMINAL, `request facts kept: ${kept.requests}`);
      assert.ok(kept.records <= 2 * BOUND, `records kept: ${kept.records}`);
      assert.ok(exchange.trades("acct").length <= BOUND);
      assert.ok(exchange.income("acct").length <= BOUND);
      assert.equal(exchange.trades("acct").at(-1)?.orderId, ids.at(-1), "the newest trade is kept");
      assert.equal(exchange.find("acct", { orderId: ids[0]! }), undefined, "the oldest order is forgotten");
      assert.equal(exchange.find("acct", { orderId: ids.at(-1)! })?.clientOrderId, `cid-${ORDERS - 1}`, "the newest is found by its numeric id");
    } finally {
      exchange.close();
    }
  });
});
