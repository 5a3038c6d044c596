/**
 * One event of every type in the catalogue, with awkward values where they matter (negative and
 * tiny decimals, 18-decimal precision, unicode, nested context). The mapped type makes a new
 * event type a compile error here until it has a sample.
 */
import { dec } from "../../src/core/decimal.ts";
import type { EventType, HeanEvent } from "../../src/core/events.ts";

const TS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

export const SAMPLES: { readonly [T in EventType]: HeanEvent & { readonly type: T } } = {
  "market.book": {
    type: "market.book",
    ts: TS,
    symbol: "BTCUSDT",
    bid: dec("64123.4"),
    bidQty: dec("1.234"),
    ask: dec("64123.5"),
    askQty: dec("0.001"),
    venueTs: TS - 3,
    afterGap: true,
  },
  "market.trade": { type: "market.trade", ts: TS, symbol: "ETHUSDT", price: dec("3456.78"), qty: dec("0.01"), side: "sell", venueTs: TS },
  "market.status": { type: "market.status", ts: TS, symbol: "BTCUSDT", status: "stale", detail: "no update for 5 s" },
  signal: {
    type: "signal",
    ts: TS,
    strategyId: "impulse",
    symbol: "BTCUSDT",
    action: "open",
    side: "buy",
    confidence: 0.73,
    stopDistance: 0.004,
    reason: "breakout",
    context: { prediction: { confidence: 0.9, direction: "up" }, model: "m1", nested: { list: [1, "two", null, { deep: true }] } },
  },
  "order.intent": {
    type: "order.intent",
    ts: TS,
    clientOrderId: "hean-impulse-000001",
    strategyId: "impulse",
    symbol: "BTCUSDT",
    side: "buy",
    orderType: "limit",
    qty: dec("0.012"),
    price: dec("64123.5"),
    timeInForce: "POST_ONLY",
    reduceOnly: false,
    purpose: "entry",
    parentId: "hean-impulse-000000",
    arrivalMid: dec("64123.45"),
  },
  "order.denied": {
    type: "order.denied",
    ts: TS,
    strategyId: "impulse",
    symbol: "BTCUSDT",
    side: "sell",
    qty: dec("100"),
    code: "MAX_POSITION_NOTIONAL",
    message: "position would exceed 10000 USDT",
    values: { limit: "10000", value: "6412350" },
  },
  "order.submitted": { type: "order.submitted", ts: TS, clientOrderId: "hean-impulse-000001", attempt: 2 },
  "order.accepted": { type: "order.accepted", ts: TS, clientOrderId: "hean-impulse-000001", venueOrderId: "1789-abc" },
  "order.rejected": {
    type: "order.rejected",
    ts: TS,
    clientOrderId: "hean-impulse-000002",
    code: "170213",
    reason: "Order does not exist — «quoted» \"text\"\n",
    postOnlyWouldTake: true,
  },
  "order.unknown": { type: "order.unknown", ts: TS, clientOrderId: "hean-impulse-000003", cause: "ETIMEDOUT" },
  "order.cancel-requested": { type: "order.cancel-requested", ts: TS, clientOrderId: "hean-impulse-000001", reason: "ttl" },
  "order.cancel-rejected": { type: "order.cancel-rejected", ts: TS, clientOrderId: "hean-impulse-000001", reason: "already filled" },
  "order.cancelled": {
    type: "order.cancelled",
    ts: TS,
    clientOrderId: "hean-impulse-000001",
    venueOrderId: "1789-abc",
    reason: "post-only would take",
    postOnlyWouldTake: true,
  },
  "order.expired": { type: "order.expired", ts: TS, clientOrderId: "hean-impulse-000004", reason: "IOC remainder" },
  "order.filled": {
    type: "order.filled",
    ts: TS,
    fillId: "exec-7f3a",
    clientOrderId: "hean-impulse-000001",
    venueOrderId: "1789-abc",
    symbol: "BTCUSDT",
    side: "buy",
    price: dec("64123.5"),
    qty: dec("0.000000000000000001"),
    fee: dec("-0.000123456789012345"),
    liquidity: "maker",
    venueTs: TS - 1,
    source: "reconciliation",
  },
  "router.parent": {
    type: "router.parent",
    ts: TS,
    parentId: "hnab12cd34-p1",
    strategyId: "impulse",
    symbol: "BTCUSDT",
    side: "sell",
    qty: dec("0.012"),
    urgency: "normal",
    purpose: "exit",
    reduceOnly: true,
    arrivalMid: dec("64123.45"),
  },
  "router.leg": {
    type: "router.leg",
    ts: TS,
    parentId: "hnab12cd34-p1",
    clientOrderId: "hnab12cd34-p1-m2",
    kind: "maker",
    n: 2,
    cause: "reprice",
    price: dec("64123.5"),
    qty: dec("0.007"),
    ttlMs: 1234.5,
  },
  "router.ttl-expired": { type: "router.ttl-expired", ts: TS, parentId: "hnab12cd34-p1", clientOrderId: "hnab12cd34-p1-m2", action: "extend", reason: "ttl", ttlMs: 800 },
  "router.done": {
    type: "router.done",
    ts: TS,
    parentId: "hnab12cd34-p1",
    reason: "taker-done",
    detail: "IOC remainder «reported»",
    filledQty: dec("0.011"),
    remainingQty: dec("0.001"),
    makerQty: dec("0.005"),
    avgPrice: dec("64123.481818181818181818"),
    feesPaid: dec("0.2116"),
    rebates: dec("0.000000000000000001"),
    slippageBps: -0.0049,
    timeToFillMs: 2417,
    makerLegs: 2,
    takerLegs: 1,
    ttlExpiries: 1,
    fallbackCause: "reprice-exhausted",
  },
  mark: { type: "mark", ts: TS, symbol: "BTCUSDT", bid: dec("64123.4"), ask: dec("64123.5") },
  "position.changed": {
    type: "position.changed",
    ts: TS,
    symbol: "BTCUSDT",
    qty: dec("-0.5"),
    avgPrice: dec("64000.123456789012345678"),
    realizedPnl: dec("-12.34"),
  },
  equity: { type: "equity", ts: TS, cash: dec("10000"), equity: dec("9987.66"), unrealizedPnl: dec("-12.34") },
  "risk.state": {
    type: "risk.state",
    ts: TS,
    from: "NORMAL",
    to: "SOFT_BRAKE",
    reasons: ["drawdown 3.1% ≥ 3%"],
    values: { drawdown: "0.031" },
  },
  "risk.kill-switch": { type: "risk.kill-switch", ts: TS, step: "triggered", reason: "STALE_MARKET_DATA", detail: "no book for 10 s" },
  "risk.force-close": { type: "risk.force-close", ts: TS, symbol: "ETHUSDT", reason: "MAX_HOLD", detail: "held 3600 s" },
  "risk.stoploss-set": { type: "risk.stoploss-set", ts: TS, symbol: "BTCUSDT", pct: 2.5 },
  "risk.reference": {
    type: "risk.reference",
    ts: TS,
    capitalBase: dec("10000"),
    highWaterMark: dec("10250.75"),
    dayStart: Date.UTC(2026, 0, 2),
    dayStartEquity: dec("10100"),
  },
  alert: {
    type: "alert",
    ts: TS,
    severity: "critical",
    code: "JOURNAL_FAILED",
    message: "disk full",
    // A context that owns "$d"/"$o" keys must not be mistaken for a decimal marker.
    context: { $d: "1.5", $o: [["a", 1]], amount: dec("42.5"), list: [dec("-1"), { $d: "x" }] },
  },
  command: { type: "command", ts: TS, commandId: "cmd-1", command: "set-stoploss", source: "telegram:42", args: { symbol: "BTCUSDT", pct: 2 } },
  "command.result": { type: "command.result", ts: TS, commandId: "cmd-1", ok: true, message: "stop-loss set" },
  "system.started": { type: "system.started", ts: TS, detail: "hean 0.1.0", initialCash: dec("10000") },
  "system.stopped": { type: "system.stopped", ts: TS, detail: "SIGTERM" },
  "venue.instruments": {
    type: "venue.instruments",
    ts: TS,
    venue: "bybit",
    instruments: [
      {
        symbol: "1000PEPEUSDT",
        baseAsset: "1000PEPE",
        quoteAsset: "USDT",
        tickSize: dec("0.0000001"),
        lotSize: dec("100"),
        minQty: dec("100"),
        maxQty: dec("50000000"),
        minNotional: dec("5"),
        makerFee: dec("-0.0001"),
        takerFee: dec("0.00055"),
        contract: { kind: "perpetual", multiplier: dec("1000") },
      },
    ],
  },
};

export const ALL_SAMPLES: readonly HeanEvent[] = Object.values(SAMPLES);

/** A plausible event stream for journal tests: seq-dependent so records differ. */
export function sampleEvent(i: number): HeanEvent {
  const ts = TS + i;
  switch (i % 4) {
    case 0:
      return { type: "mark", ts, symbol: "BTCUSDT", bid: dec(`${64000 + (i % 100)}.5`), ask: dec(`${64000 + (i % 100)}.6`) };
    case 1:
      return {
        type: "order.filled",
        ts,
        fillId: `exec-${i}`,
        clientOrderId: `hean-t-${i}`,
        venueOrderId: `v-${i}`,
        symbol: "BTCUSDT",
        side: i % 8 === 1 ? "buy" : "sell",
        price: dec("64123.5"),
        qty: dec("0.001"),
        fee: dec("-0.0000123"),
        liquidity: "maker",
        venueTs: ts,
        source: "stream",
      };
    case 2:
      return { type: "order.accepted", ts, clientOrderId: `hean-t-${i}`, venueOrderId: `v-${i}` };
    default:
      return { type: "order.submitted", ts, clientOrderId: `hean-t-${i}`, attempt: 1 };
  }
}
