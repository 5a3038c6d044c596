import { test } from "node:test";
import assert from "node:assert/strict";
import { type Dec, ZERO, dec, format } from "../../src/core/decimal.ts";
import type { DenialCode, OrderPurpose } from "../../src/core/events.ts";
import type { Instrument } from "../../src/core/instrument.ts";
import { type RiskConfig, validateRiskConfig } from "../../src/risk/config.ts";
import {
  type CandidateOrder,
  type PreTradeContext,
  type PreTradeResult,
  checkPreTrade,
  deniedEvent,
  isReduceOnlyExit,
} from "../../src/risk/pretrade.ts";
import { recordInWindow } from "../../src/risk/sliding-window.ts";

const NOW = Date.UTC(2026, 0, 15, 12);
const DEFAULT = validateRiskConfig({});

const INSTRUMENT: Instrument = {
  symbol: "TESTUSDT",
  baseAsset: "TEST",
  quoteAsset: "USDT",
  tickSize: dec("0.01"),
  lotSize: dec("0.001"),
  minQty: dec("0.001"),
  maxQty: dec("1000"),
  minNotional: dec("5"),
  makerFee: dec("0.0002"),
  takerFee: dec("0.00055"),
};

function order(over: Partial<CandidateOrder> = {}): CandidateOrder {
  return {
    strategyId: "s1",
    symbol: "TESTUSDT",
    side: "buy",
    orderType: "limit",
    qty: dec("1"),
    price: dec("100"),
    reduceOnly: false,
    purpose: "entry",
    ...over,
  };
}

function ctx(over: Partial<PreTradeContext> = {}): PreTradeContext {
  return {
    tradingState: "active",
    instrument: INSTRUMENT,
    mark: { bid: dec("100"), ask: dec("100.02") },
    marketDataAt: NOW - 100,
    positionQty: ZERO,
    pendingBuyQty: ZERO,
    pendingSellQty: ZERO,
    grossExposure: ZERO,
    equity: dec("10000"),
    openOrders: 0,
    recentOrderTimes: [],
    now: NOW,
    ...over,
  };
}

function denied(r: PreTradeResult): { code: DenialCode; message: string; values: Record<string, string> } {
  assert.equal(r.ok, false, `expected a denial, got ${r.ok ? "ok" : ""}`);
  if (r.ok) throw new Error("unreachable");
  return r.denial;
}

function allowed(r: PreTradeResult): CandidateOrder {
  if (!r.ok) assert.fail(`expected ok, got ${r.denial.code}: ${r.denial.message}`);
  return r.order;
}

const manyTimes = (n: number, at: number): number[] => Array.from({ length: n }, () => at);

/** One case per denial code; the Record type makes a missing code a type error. */
const CASES: Record<DenialCode, { order: CandidateOrder; ctx: PreTradeContext; config?: RiskConfig; values: Record<string, string> }> = {
  TRADING_HALTED: {
    order: order(),
    ctx: ctx({ tradingState: "halted" }),
    values: { tradingState: "halted", purpose: "entry", reduceOnly: "false" },
  },
  TRADING_REDUCE_ONLY: {
    order: order(),
    ctx: ctx({ tradingState: "reduce-only", positionQty: dec("2") }),
    values: { tradingState: "reduce-only", positionQty: "2", pendingSameSideQty: "0", orderQty: "1" },
  },
  REDUCE_ONLY_WOULD_INCREASE: {
    order: order({ reduceOnly: true, purpose: "exit" }),
    ctx: ctx({ positionQty: dec("2") }),
    values: { positionQty: "2", side: "buy", orderQty: "1" },
  },
  UNKNOWN_SYMBOL: {
    order: order({ symbol: "NOPEUSDT" }),
    ctx: ctx({ instrument: undefined }),
    values: { symbol: "NOPEUSDT" },
  },
  SIZE_ZERO: {
    order: order({ qty: dec("0.0004") }),
    ctx: ctx(),
    values: { qty: "0.0004", roundedQty: "0", lotSize: "0.001" },
  },
  INSTRUMENT_RULES: {
    order: order({ qty: dec("0.01") }), // 0.01 × 100 = 1 < min notional 5
    ctx: ctx(),
    values: { rule: "NOTIONAL_BELOW_MIN", notional: "1", minNotional: "5" },
  },
  NO_MARKET_DATA: {
    order: order(),
    ctx: ctx({ mark: undefined }),
    values: { bid: "none", ask: "none" },
  },
  STALE_MARKET_DATA: {
    order: order(),
    ctx: ctx({ marketDataAt: NOW - 10_001 }),
    values: { symbol: "TESTUSDT", silentMs: "10001", limitMs: "10000" },
  },
  PRICE_BAND: {
    order: order({ price: dec("106") }),
    ctx: ctx(),
    values: { price: "106", mid: "100.01", deviationPct: "5.9894", limitPct: "5" },
  },
  MAX_ORDER_NOTIONAL: {
    order: order({ qty: dec("10.001") }),
    ctx: ctx(),
    values: { notional: "1000.1", limit: "1000" },
  },
  MAX_POSITION_NOTIONAL: {
    order: order({ qty: dec("5") }),
    ctx: ctx({ positionQty: dec("10"), pendingBuyQty: dec("5.001"), grossExposure: dec("1000") }),
    values: { positionQty: "10", pendingSameSideQty: "5.001", orderQty: "5", price: "100", notionalAfter: "2000.1", limit: "2000" },
  },
  MAX_GROSS_EXPOSURE: {
    order: order({ qty: dec("5") }),
    ctx: ctx({ grossExposure: dec("3500.01") }),
    values: { grossExposure: "3500.01", orderNotional: "500", grossAfter: "4000.01", limit: "4000" },
  },
  MAX_LEVERAGE: {
    order: order({ qty: dec("5") }),
    ctx: ctx({ equity: dec("600"), grossExposure: dec("100.5") }),
    values: { grossAfter: "600.5", equity: "600", maxLeverage: "1", limit: "600" },
  },
  MAX_OPEN_ORDERS: {
    order: order(),
    ctx: ctx({ openOrders: 20 }),
    values: { openOrders: "20", limit: "20" },
  },
  ORDER_RATE: {
    order: order(),
    ctx: ctx({ recentOrderTimes: [...manyTimes(5, NOW - 1500), ...manyTimes(20, NOW - 999)] }),
    values: { ordersInWindow: "20", limit: "20", windowMs: "1000" },
  },
};

for (const [code, c] of Object.entries(CASES) as [DenialCode, (typeof CASES)[DenialCode]][]) {
  test(`denial ${code}, with the numbers behind it`, () => {
    const d = denied(checkPreTrade(c.order, c.ctx, c.config ?? DEFAULT));
    assert.equal(d.code, code, d.message);
    assert.deepEqual(d.values, c.values);
    assert.ok(d.message.length > 0);
  });
}

test("each denial case passes once its one cause is removed (so each case tests what it names)", () => {
  const fixedCtx: Partial<Record<DenialCode, Partial<PreTradeContext>>> = {
    TRADING_HALTED: { tradingState: "active" },
    TRADING_REDUCE_ONLY: { tradingState: "active" },
    NO_MARKET_DATA: { mark: { bid: dec("100"), ask: dec("100.02") } },
    // Exactly at the threshold is still fresh.
    STALE_MARKET_DATA: { marketDataAt: NOW - 10_000 },
    MAX_POSITION_NOTIONAL: { pendingBuyQty: dec("5") },
    MAX_GROSS_EXPOSURE: { grossExposure: dec("3500") },
    MAX_LEVERAGE: { equity: dec("600.5") },
    MAX_OPEN_ORDERS: { openOrders: 19 },
    ORDER_RATE: { recentOrderTimes: [...manyTimes(5, NOW - 1500), ...manyTimes(19, NOW - 999)] },
  };
  const fixedOrder: Partial<Record<DenialCode, Partial<CandidateOrder>>> = {
    REDUCE_ONLY_WOULD_INCREASE: { side: "sell" },
    SIZE_ZERO: { qty: dec("0.05") },
    INSTRUMENT_RULES: { qty: dec("0.05") },
    PRICE_BAND: { price: dec("105") },
    MAX_ORDER_NOTIONAL: { qty: dec("10") },
  };
  for (const [code, c] of Object.entries(CASES) as [DenialCode, (typeof CASES)[DenialCode]][]) {
    if (code === "UNKNOWN_SYMBOL") continue;
    const o = { ...c.order, ...fixedOrder[code] };
    const x = { ...c.ctx, ...fixedCtx[code] };
    assert.ok(fixedOrder[code] !== undefined || fixedCtx[code] !== undefined, `no fix for ${code}`);
    allowed(checkPreTrade(o, x, c.config ?? DEFAULT));
  }
});

test("stale market data: no new exposure of any kind, with a clear reason; reduce-only exits still pass", () => {
  const silent = ctx({ marketDataAt: NOW - 12_500 });
  for (const o of [order(), order({ side: "sell" }), order({ orderType: "market", price: undefined }), order({ purpose: "router-child" })]) {
    const d = denied(checkPreTrade(o, silent, DEFAULT));
    assert.equal(d.code, "STALE_MARKET_DATA");
    assert.match(d.message, /TESTUSDT is 12500 ms old \(limit 10000 ms\)/);
  }
  // Never heard at all counts as stale, not as fresh.
  assert.equal(denied(checkPreTrade(order(), ctx({ marketDataAt: undefined }), DEFAULT)).code, "STALE_MARKET_DATA");
  // A clock stepped back leaves data in the future: fresh, not negative.
  allowed(checkPreTrade(order(), ctx({ marketDataAt: NOW + 5_000 }), DEFAULT));
  // The close that flattens a long on silent data goes through, whatever the purpose of the exit.
  for (const purpose of ["exit", "kill-switch", "force-close", "operator"] as const) {
    const close = allowed(checkPreTrade(order({ side: "sell", reduceOnly: true, purpose }), { ...silent, positionQty: dec("2") }, DEFAULT));
    assert.equal(close.qty, dec("1"));
  }
  // The threshold is the configured one.
  allowed(checkPreTrade(order(), silent, validateRiskConfig({ staleDataMs: 15_000 })));
});

test("an allowed order comes back rounded: qty floored to the lot, price rounded passive-side", () => {
  const buy = allowed(checkPreTrade(order({ qty: dec("1.23456"), price: dec("99.999") }), ctx(), DEFAULT));
  assert.equal(format(buy.qty), "1.234");
  assert.equal(format(buy.price!), "99.99");
  const sell = allowed(checkPreTrade(order({ side: "sell", qty: dec("1.23456"), price: dec("100.001") }), ctx(), DEFAULT));
  assert.equal(format(sell.price!), "100.01");
  assert.equal(format(sell.qty), "1.234");
});

test("a limit order without a price is an instrument-rule denial", () => {
  const d = denied(checkPreTrade(order({ price: undefined }), ctx(), DEFAULT));
  assert.equal(d.code, "INSTRUMENT_RULES");
  assert.equal(d.values.rule, "PRICE_MISSING");
});

test("a market order's notional is taken at the touch it would take", () => {
  const buy = denied(checkPreTrade(order({ orderType: "market", price: undefined, qty: dec("9.999") }), ctx({ mark: { bid: dec("100"), ask: dec("100.02") } }), DEFAULT));
  assert.equal(buy.code, "MAX_ORDER_NOTIONAL");
  assert.equal(buy.values.notional, "1000.09998");
  // The same quantity sold takes the bid: 999.9 fits.
  allowed(checkPreTrade(order({ side: "sell", orderType: "market", price: undefined, qty: dec("9.999") }), ctx(), DEFAULT));
});

test("a crossed or zero book is no market data", () => {
  assert.equal(denied(checkPreTrade(order(), ctx({ mark: { bid: dec("101"), ask: dec("100") } }), DEFAULT)).code, "NO_MARKET_DATA");
  assert.equal(denied(checkPreTrade(order(), ctx({ mark: { bid: ZERO, ask: dec("100") } }), DEFAULT)).code, "NO_MARKET_DATA");
});

test("two orders in flight cannot together breach the position limit", () => {
  // 15 held + 4 working: another 1.5 would make 20.5 × 100 = 2050 > 2000.
  const c = ctx({ positionQty: dec("15"), pendingBuyQty: dec("4") });
  assert.equal(denied(checkPreTrade(order({ qty: dec("1.5") }), c, DEFAULT)).code, "MAX_POSITION_NOTIONAL");
  allowed(checkPreTrade(order({ qty: dec("1") }), c, DEFAULT));
  // Working sells do not offset: they might never fill.
  const hedged = ctx({ positionQty: dec("15"), pendingBuyQty: dec("4"), pendingSellQty: dec("10") });
  assert.equal(denied(checkPreTrade(order({ qty: dec("1.5") }), hedged, DEFAULT)).code, "MAX_POSITION_NOTIONAL");
});

test("short positions count against the position limit too", () => {
  const c = ctx({ positionQty: dec("-19.5") });
  assert.equal(denied(checkPreTrade(order({ side: "sell", qty: dec("1") }), c, DEFAULT)).code, "MAX_POSITION_NOTIONAL");
});

test("an order that only reduces is not held to exposure limits, even when they are already breached", () => {
  const over = ctx({ positionQty: dec("30"), grossExposure: dec("9000"), equity: dec("100") });
  allowed(checkPreTrade(order({ side: "sell", qty: dec("5"), price: dec("100") }), over, DEFAULT));
  // Flipping through zero is new exposure: selling 51 against 30 long leaves 21 short = 2100 > 2000.
  const big = validateRiskConfig({ maxOrderNotional: 10_000 });
  const flip = denied(checkPreTrade(order({ side: "sell", qty: dec("51"), price: dec("100") }), ctx({ positionQty: dec("30") }), big));
  assert.equal(flip.code, "MAX_POSITION_NOTIONAL");
  assert.equal(flip.values.notionalAfter, "2100");
});

test("leverage is exactly as configured: 3x allows three times equity, never more", () => {
  const c3 = validateRiskConfig({ maxLeverage: 3, maxGrossExposure: 100_000, maxPositionNotional: 100_000, maxOrderNotional: 100_000 });
  const base = ctx({ equity: dec("300") });
  allowed(checkPreTrade(order({ qty: dec("9") }), base, c3));
  const d = denied(checkPreTrade(order({ qty: dec("9.01") }), base, c3));
  assert.equal(d.code, "MAX_LEVERAGE");
  assert.equal(d.values.limit, "900");
  // Default 1x: the same 300 equity allows 300 of exposure.
  assert.equal(denied(checkPreTrade(order({ qty: dec("3.01") }), base, DEFAULT)).code, "MAX_LEVERAGE");
  allowed(checkPreTrade(order({ qty: dec("3") }), base, DEFAULT));
});

test("no equity, no new exposure", () => {
  assert.equal(denied(checkPreTrade(order(), ctx({ equity: dec("-5") }), DEFAULT)).code, "MAX_LEVERAGE");
});

test("the order rate window forgets orders older than perMs", () => {
  const c = ctx({ recentOrderTimes: manyTimes(50, NOW - 1000) });
  allowed(checkPreTrade(order(), c, DEFAULT));
  let times: number[] = [];
  for (let i = 0; i < 20; i++) times = recordInWindow(times, NOW - 500 + i, 1000);
  assert.equal(denied(checkPreTrade(order(), ctx({ recentOrderTimes: times }), DEFAULT)).code, "ORDER_RATE");
  // At NOW + 600 the window starts after NOW - 400: all twenty have left it and are dropped.
  times = recordInWindow(times, NOW + 600, 1000);
  assert.deepEqual(times, [NOW + 600]);
});

test("the gate runs first: halted denies before the instrument is even looked at", () => {
  assert.equal(denied(checkPreTrade(order({ symbol: "NOPE" }), ctx({ tradingState: "halted", instrument: undefined }), DEFAULT)).code, "TRADING_HALTED");
});

test("reduce-only trading allows an order that can only reduce, denies one that could flip", () => {
  const ro = ctx({ tradingState: "reduce-only", positionQty: dec("2") });
  allowed(checkPreTrade(order({ side: "sell", qty: dec("2") }), ro, DEFAULT));
  assert.equal(denied(checkPreTrade(order({ side: "sell", qty: dec("2.001") }), ro, DEFAULT)).code, "TRADING_REDUCE_ONLY");
  // A working sell of 1.5 already takes most of the room.
  const working = ctx({ tradingState: "reduce-only", positionQty: dec("2"), pendingSellQty: dec("1.5") });
  assert.equal(denied(checkPreTrade(order({ side: "sell", qty: dec("1") }), working, DEFAULT)).code, "TRADING_REDUCE_ONLY");
  allowed(checkPreTrade(order({ side: "sell", qty: dec("0.5") }), working, DEFAULT));
  // Flat: nothing reduces.
  assert.equal(denied(checkPreTrade(order({ side: "sell" }), ctx({ tradingState: "reduce-only" }), DEFAULT)).code, "TRADING_REDUCE_ONLY");
});

// ------------------------------------------------------------ reduce-only exits

const EXIT_PURPOSES: OrderPurpose[] = ["exit", "kill-switch", "force-close", "operator"];
const STATES = ["active", "reduce-only", "halted"] as const;

test("reduce-only exits are allowed in every trading state, for every exit purpose, long and short", () => {
  for (const tradingState of STATES) {
    for (const purpose of EXIT_PURPOSES) {
      for (const [positionQty, side] of [[dec("3"), "sell"], [dec("-3"), "buy"]] as const) {
        const o = order({ side, qty: dec("3"), reduceOnly: true, purpose, orderType: "market", price: undefined });
        const got = allowed(checkPreTrade(o, ctx({ tradingState, positionQty }), DEFAULT));
        assert.equal(format(got.qty), "3", `${tradingState} ${purpose} ${side}`);
      }
    }
  }
});

test("a reduce-only exit passes with every other gate closed: no data, far price, limits breached, throttled", () => {
  const hostile = ctx({
    tradingState: "halted",
    positionQty: dec("50"),
    mark: undefined,
    grossExposure: dec("1000000"),
    equity: dec("-100"),
    openOrders: 500,
    recentOrderTimes: manyTimes(1000, NOW),
  });
  for (const purpose of EXIT_PURPOSES) {
    // 50 × 80 = 4000 notional > max order 1000, price 20 % below the last mark, no mark at all.
    const o = order({ side: "sell", qty: dec("50"), price: dec("80"), reduceOnly: true, purpose });
    assert.equal(format(allowed(checkPreTrade(o, hostile, DEFAULT)).qty), "50", purpose);
    const withMark = { ...hostile, mark: { bid: dec("100"), ask: dec("100.02") } };
    allowed(checkPreTrade(o, withMark, DEFAULT));
  }
});

test("a reduce-only exit larger than the position is capped at the position (as the venue would)", () => {
  const got = allowed(checkPreTrade(order({ side: "sell", qty: dec("10"), reduceOnly: true, purpose: "kill-switch" }), ctx({ tradingState: "halted", positionQty: dec("2.5") }), DEFAULT));
  assert.equal(format(got.qty), "2.5");
});

test("a reduce-only exit when already flat, or on the wrong side, is REDUCE_ONLY_WOULD_INCREASE in every state", () => {
  for (const tradingState of STATES) {
    const flat = checkPreTrade(order({ side: "sell", reduceOnly: true, purpose: "kill-switch" }), ctx({ tradingState }), DEFAULT);
    assert.equal(denied(flat).code, "REDUCE_ONLY_WOULD_INCREASE");
    const wrong = checkPreTrade(order({ side: "buy", reduceOnly: true, purpose: "force-close" }), ctx({ tradingState, positionQty: dec("1") }), DEFAULT);
    assert.equal(denied(wrong).code, "REDUCE_ONLY_WOULD_INCREASE");
  }
});

test("an entry that merely sets reduceOnly is not an exit: halted still denies it", () => {
  const o = order({ side: "sell", reduceOnly: true, purpose: "entry" });
  assert.equal(isReduceOnlyExit(o), false);
  assert.equal(denied(checkPreTrade(o, ctx({ tradingState: "halted", positionQty: dec("1") }), DEFAULT)).code, "TRADING_HALTED");
});

test("an exit without reduceOnly is not exempt from anything", () => {
  const o = order({ side: "sell", purpose: "kill-switch", reduceOnly: false });
  assert.equal(isReduceOnlyExit(o), false);
  assert.equal(denied(checkPreTrade(o, ctx({ tradingState: "halted", positionQty: dec("1") }), DEFAULT)).code, "TRADING_HALTED");
});

test("a reduce-only exit still has to meet the instrument (a dust position below min qty cannot be sent)", () => {
  const dust = ctx({ positionQty: dec("0.0005"), tradingState: "halted" });
  const d = denied(checkPreTrade(order({ side: "sell", qty: dec("0.0005"), reduceOnly: true, purpose: "kill-switch" }), dust, DEFAULT));
  assert.equal(d.code, "SIZE_ZERO");
  // But min notional does not apply to reduce-only (a venue lets you close small).
  const small = ctx({ positionQty: dec("0.01"), tradingState: "halted" });
  allowed(checkPreTrade(order({ side: "sell", qty: dec("0.01"), reduceOnly: true, purpose: "kill-switch" }), small, DEFAULT));
});

test("deniedEvent carries the code, message and values", () => {
  const o = order({ qty: dec("10.001") });
  const d = denied(checkPreTrade(o, ctx(), DEFAULT));
  const e = deniedEvent(o, d, NOW);
  assert.equal(e.type, "order.denied");
  assert.equal(e.code, "MAX_ORDER_NOTIONAL");
  assert.equal(e.ts, NOW);
  assert.equal(e.qty, o.qty as Dec);
  assert.deepEqual(e.values, { notional: "1000.1", limit: "1000" });
});
