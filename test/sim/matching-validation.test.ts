import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { dec } from "../../src/core/decimal.ts";
import type { PlaceOrderRequest, RejectCode } from "../../src/venues/sim/matching/types.ts";
import { bareEngine, fingerprint, limit, market } from "./helpers.ts";

const cases: [string, PlaceOrderRequest, RejectCode][] = [
  ["unknown symbol", { ...limit("a", "buy", "1", "100"), symbol: "DOGEUSDT" }, "UNKNOWN_SYMBOL"],
  ["unknown account", limit("zz", "buy", "1", "100"), "UNKNOWN_ACCOUNT"],
  ["qty not a lot multiple", limit("a", "buy", "1.05", "100"), "QTY_NOT_LOT_MULTIPLE"],
  ["price not a tick multiple", limit("a", "buy", "1", "100.2"), "PRICE_NOT_TICK_MULTIPLE"],
  ["zero qty", { ...limit("a", "buy", "1", "100"), symbol: "BTCUSDT", qty: dec("0"), price: dec("60000") }, "QTY_NOT_POSITIVE"],
  ["above max qty", limit("a", "buy", "5000", "100"), "QTY_ABOVE_MAX"],
  ["below min notional", limit("a", "buy", "0.1", "20"), "NOTIONAL_BELOW_MIN"],
  ["negative qty", limit("a", "buy", "-1", "100"), "QTY_NOT_POSITIVE"],
  ["negative price", limit("a", "buy", "1", "-100"), "PRICE_NOT_POSITIVE"],
  ["NaN qty (a number)", { ...limit("a", "buy", "1", "100"), qty: Number.NaN as never }, "INVALID_REQUEST"],
  ["qty missing", { ...limit("a", "buy", "1", "100"), qty: undefined as never }, "INVALID_REQUEST"],
  ["limit without price", { ...limit("a", "buy", "1", "100"), price: undefined }, "PRICE_REQUIRED"],
  ["bad side", { ...limit("a", "buy", "1", "100"), side: "long" as never }, "INVALID_SIDE"],
  ["bad type", { ...limit("a", "buy", "1", "100"), type: "stop" as never }, "INVALID_ORDER_TYPE"],
  ["bad time in force", { ...limit("a", "buy", "1", "100"), timeInForce: "GTD" as never }, "INVALID_TIME_IN_FORCE"],
  ["market post-only", market("a", "buy", "1", { timeInForce: "POST_ONLY" }), "MARKET_POST_ONLY"],
  ["empty client order id", limit("a", "buy", "1", "100", { clientOrderId: "" }), "INVALID_CLIENT_ORDER_ID"],
  ["client order id too long", limit("a", "buy", "1", "100", { clientOrderId: "x".repeat(65) }), "INVALID_CLIENT_ORDER_ID"],
  ["reduce-only not a boolean", limit("a", "buy", "1", "100", { reduceOnly: "yes" as never }), "INVALID_REQUEST"],
];

test("every bad request is rejected with its cause, and nothing changes", () => {
  const { engine, events } = bareEngine();
  engine.place(limit("b", "sell", "1", "101"));
  const before = fingerprint(engine);
  const eventsBefore = events.length;
  for (const [name, req, code] of cases) {
    const r = engine.place(req);
    assert.ok(!r.ok, name);
    assert.equal(r.rejection.code, code, name);
    assert.ok(r.rejection.message.length > 0, name);
  }
  assert.equal(fingerprint(engine), before);
  assert.equal(events.length, eventsBefore, "no events for rejections");
});

test("garbage never throws out of the engine, and a rejection changes nothing", () => {
  const { engine } = bareEngine();
  engine.place(limit("b", "sell", "1", "100"));
  const field = <T>(...good: T[]) => fc.oneof(fc.constantFrom(...good), fc.anything());
  const decimal = fc.oneof(fc.bigInt({ min: -(10n ** 21n), max: 10n ** 21n }), fc.constantFrom(dec("1"), dec("100"), dec("0.1")), fc.anything());
  const request = fc.record({
    account: field("a", "b"),
    symbol: field("TESTUSDT", "BTCUSDT"),
    side: field("buy", "sell"),
    type: field("limit", "market"),
    qty: decimal,
    price: decimal,
    timeInForce: field("GTC", "IOC", "FOK", "POST_ONLY"),
    reduceOnly: field(true, false),
    clientOrderId: field("c1", undefined),
  });
  fc.assert(
    fc.property(fc.oneof(request, fc.anything()), fc.anything(), (req, junk) => {
      const before = fingerprint(engine);
      const r = engine.place(req as PlaceOrderRequest);
      if (!r.ok) {
        assert.equal(typeof r.rejection.message, "string");
        assert.equal(fingerprint(engine), before);
      }
      engine.cancel(junk as never);
      engine.amend({ account: "a", orderId: junk as never, price: junk as never });
      engine.amend({ ...(typeof req === "object" && req !== null ? req : {}), account: "a" } as never);
      engine.restoreOrder(req as never);
      engine.restoreOrder({ ...(typeof req === "object" && req !== null ? req : {}), filledQty: junk } as never);
      engine.setPosition("a", junk as never, junk as never, junk as never);
      engine.setBalance("a", junk as never);
    }),
    { numRuns: 1000 },
  );
  assert.equal(engine.place(null as never).ok, false);
  assert.equal(engine.place(undefined as never).ok, false);
  assert.equal(engine.place({ account: "a", qty: { toString: 0 } } as never).ok, false);
});

test("duplicate client order ids: refused against any order by default; lookup finds the holder", () => {
  const { engine } = bareEngine();
  const first = engine.place(limit("a", "buy", "1", "100", { clientOrderId: "abc" }));
  assert.ok(first.ok);
  assert.equal(engine.orderByClientId("a", "abc")!.orderId, first.order.orderId);
  assert.ok(engine.cancel({ account: "a", clientOrderId: "abc" }).ok);
  const before = fingerprint(engine);
  const again = engine.place(limit("a", "buy", "1", "100", { clientOrderId: "abc" }));
  assert.ok(!again.ok);
  assert.equal(again.rejection.code, "DUPLICATE_CLIENT_ORDER_ID");
  assert.equal(again.rejection.details.orderId, first.order.orderId);
  assert.equal(fingerprint(engine), before);
  // Another account may use the same id.
  assert.ok(engine.place(limit("b", "buy", "1", "100", { clientOrderId: "abc" })).ok);
});

test("duplicate client order ids with the open-only scope (Binance): reusable once closed", () => {
  const { engine } = bareEngine({ clientOrderIdScope: "open" });
  assert.ok(engine.place(limit("a", "buy", "1", "100", { clientOrderId: "x" })).ok);
  assert.equal(engine.place(limit("a", "buy", "1", "100", { clientOrderId: "x" })).ok, false);
  engine.cancel({ account: "a", clientOrderId: "x" });
  const reused = engine.place(limit("a", "buy", "1", "100", { clientOrderId: "x" }));
  assert.ok(reused.ok);
  assert.equal(engine.orderByClientId("a", "x")!.orderId, reused.order.orderId);
});

test("cancel and amend refuse unknown, foreign and closed orders without changing anything", () => {
  const { engine } = bareEngine();
  const mine = engine.place(limit("a", "buy", "1", "100", { clientOrderId: "m" }));
  assert.ok(mine.ok);
  const before = fingerprint(engine);
  const expect = (r: { ok: boolean; rejection?: { code: string } }, code: string) => {
    assert.equal(r.ok, false);
    assert.equal(r.rejection?.code, code);
  };
  expect(engine.cancel({ account: "a", orderId: "nope" }), "ORDER_NOT_FOUND");
  expect(engine.cancel({ account: "b", orderId: mine.order.orderId }), "ORDER_NOT_FOUND");
  expect(engine.cancel({ account: "a", clientOrderId: "m", symbol: "BTCUSDT" }), "ORDER_NOT_FOUND");
  expect(engine.amend({ account: "a", clientOrderId: "m" }), "AMEND_NOTHING");
  expect(engine.amend({ account: "a", clientOrderId: "m", price: dec("100.2") }), "PRICE_NOT_TICK_MULTIPLE");
  expect(engine.amend({ account: "a", clientOrderId: "m", qty: dec("0.05") }), "QTY_NOT_LOT_MULTIPLE");
  assert.equal(fingerprint(engine), before);
  assert.ok(engine.cancel({ account: "a", clientOrderId: "m" }).ok);
  expect(engine.cancel({ account: "a", clientOrderId: "m" }), "ORDER_NOT_OPEN");
  expect(engine.amend({ account: "a", clientOrderId: "m", qty: dec("2") }), "ORDER_NOT_OPEN");
});

test("amend: a smaller qty keeps queue priority, a new price loses it and may trade", () => {
  const { engine } = bareEngine();
  const first = engine.place(limit("a", "sell", "2", "100"));
  const second = engine.place(limit("b", "sell", "1", "100"));
  assert.ok(first.ok && second.ok);
  assert.ok(engine.amend({ account: "a", orderId: first.order.orderId, qty: dec("1") }).ok);
  let r = engine.place(market("c", "buy", "1"));
  assert.ok(r.ok);
  assert.equal(r.executions[0]!.counterparty, "a", "a kept its place");
  const third = engine.place(limit("a", "sell", "1", "100"));
  assert.ok(third.ok);
  assert.ok(engine.amend({ account: "b", orderId: second.order.orderId, price: dec("100.5") }).ok);
  assert.ok(engine.amend({ account: "b", orderId: second.order.orderId, price: dec("100") }).ok);
  r = engine.place(market("c", "buy", "1"));
  assert.ok(r.ok);
  assert.equal(r.executions[0]!.counterparty, "a", "b went to the back when it re-priced");
  // Re-pricing through the book trades at once.
  const bid = engine.place(limit("c", "buy", "0.5", "99"));
  assert.ok(bid.ok);
  const crossed = engine.amend({ account: "b", orderId: second.order.orderId, price: dec("99") });
  assert.ok(crossed.ok);
  assert.equal(crossed.order.status, "partially-filled");
  assert.equal(engine.executions("b").at(-1)!.liquidity, "taker");
  // A post-only order may not be re-priced through the book.
  const po = engine.place(limit("a", "buy", "1", "90", { timeInForce: "POST_ONLY" }));
  assert.ok(po.ok);
  const refused = engine.amend({ account: "a", orderId: po.order.orderId, price: dec("99") });
  assert.ok(!refused.ok && refused.rejection.code === "POST_ONLY_WOULD_TAKE");
});

test("ids are deterministic: the same calls give the same ids and events", () => {
  const run = () => {
    const { engine, events } = bareEngine({ idPrefix: "run7" });
    engine.place(limit("b", "sell", "1", "100", { clientOrderId: "s" }));
    engine.place(market("a", "buy", "2"));
    return JSON.stringify(events, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  };
  const one = run();
  assert.equal(one, run());
  assert.match(one, /"orderId":"run7-o-1"/);
  assert.match(one, /"execId":"run7-e-1"/);
});

test("open orders per symbol are capped", () => {
  const { engine } = bareEngine({ maxOpenOrdersPerSymbol: 2 });
  assert.ok(engine.place(limit("a", "buy", "1", "90")).ok);
  assert.ok(engine.place(limit("a", "buy", "1", "91")).ok);
  const r = engine.place(limit("a", "buy", "1", "92"));
  assert.ok(!r.ok && r.rejection.code === "TOO_MANY_OPEN_ORDERS");
});

test("a listener that throws does not break matching; one that calls back in is refused", () => {
  const errors: unknown[] = [];
  const { engine } = bareEngine({ onListenerError: (e) => errors.push(e) });
  let nested: unknown;
  engine.subscribe(() => {
    throw new Error("boom");
  });
  engine.subscribe((e) => {
    if (e.type === "execution" && nested === undefined) nested = engine.place(limit("c", "buy", "1", "90"));
  });
  engine.place(limit("b", "sell", "1", "100"));
  const r = engine.place(market("a", "buy", "1"));
  assert.ok(r.ok && r.order.status === "filled");
  assert.ok(errors.length > 0);
  assert.equal((nested as { ok: boolean }).ok, false);
  assert.equal(engine.openOrders("c").length, 0);
});
