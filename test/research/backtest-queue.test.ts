/**
 * The backtest venue's fill model, order by order: a passive order fills only when trades print
 * through its price, after the quantity ahead of it (the displayed size when it joined, from book
 * data, else the assumed touch size) has traded; a trade through its price fills it at once;
 * a taker fills at the touch; latency delays the order's arrival; funding settles the position.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { type Dec, dec, format } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { BUILTIN_INSTRUMENTS } from "../../src/core/instrument.ts";
import type { MarketRecord } from "../../src/research/data/records.ts";
import { BacktestVenue } from "../../src/research/backtest/backtest-venue.ts";

const T0 = Date.UTC(2025, 0, 10);
type Untimed<T> = T extends unknown ? Omit<T, "ts"> : never;
const ETH = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "ETHUSDT")!;

async function rig(options: { touchNotional?: number; ackMs?: number } = {}) {
  const clock = new SimClock(T0);
  const venue = new BacktestVenue({
    clock,
    instruments: [ETH],
    startingBalance: dec("10000"),
    fill: { touchNotional: options.touchNotional ?? 50_000, depthLevels: 5 },
    latency: { ackMs: options.ackMs ?? 5, marketDataMs: 0, jitterMs: 0 },
    seed: 1,
  });
  const events: HeanEvent[] = [];
  await venue.start((e) => void events.push(e));
  const at = (ms: number, r: Untimed<MarketRecord>): void => {
    clock.advanceTo(T0 + ms);
    venue.replay({ ...r, ts: T0 + ms } as MarketRecord);
    clock.advanceTo(T0 + ms);
  };
  const book = (ms: number, bid: string, bidQty: string, ask: string, askQty: string): void =>
    at(ms, { kind: "book-ticker", symbol: "ETHUSDT", bid: dec(bid), bidQty: dec(bidQty), ask: dec(ask), askQty: dec(askQty), afterGap: false });
  const trade = (ms: number, price: string, qty: string, takerSide: "buy" | "sell"): void =>
    at(ms, { kind: "trade", symbol: "ETHUSDT", price: dec(price), qty: dec(qty), takerSide, id: String(ms) });
  const fills = (): string[] => events.flatMap((e) => (e.type === "order.filled" ? [`${e.side} ${format(e.qty)}@${format(e.price)} ${e.liquidity} t+${e.ts - T0}`] : []));
  const order = (id: string, side: "buy" | "sell", qty: string, price: string | undefined, timeInForce: "GTC" | "IOC" = "GTC"): void =>
    venue.submit({ clientOrderId: id, symbol: "ETHUSDT", side, orderType: price === undefined ? "market" : "limit", qty: dec(qty), price: price === undefined ? undefined : (dec(price) as Dec), timeInForce, reduceOnly: false });
  return { clock, venue, events, book, trade, fills, order };
}

test("a passive bid joins behind the displayed size and fills only once trades at its price have eaten it", async () => {
  const r = await rig();
  r.book(0, "2000.00", "5", "2000.01", "4");
  r.order("a", "buy", "1", "2000.00");
  r.clock.advanceTo(T0 + 10); // the order arrives after the 5 ms ack latency and rests behind 5
  assert.deepEqual(r.fills(), []);
  r.trade(20, "2000.00", "3", "sell"); // 3 of the 5 ahead
  assert.deepEqual(r.fills(), []);
  r.trade(30, "2000.00", "2.5", "sell"); // the last 2 ahead, then 0.5 of ours
  assert.deepEqual(r.fills(), ["buy 0.5@2000 maker t+30"]);
  r.trade(40, "2000.01", "9", "buy"); // buys print on the other side: nothing for a bid
  assert.deepEqual(r.fills(), ["buy 0.5@2000 maker t+30"]);
  r.trade(50, "2000.00", "2", "sell");
  assert.deepEqual(r.fills(), ["buy 0.5@2000 maker t+30", "buy 0.5@2000 maker t+50"]);
});

test("a trade through the price fills a resting order at once, at its own price; a bid above the touch has no queue", async () => {
  const r = await rig();
  r.book(0, "2000.00", "5", "2000.05", "4");
  r.order("deep", "buy", "1", "1999.00");
  r.order("improving", "buy", "0.3", "2000.02");
  r.clock.advanceTo(T0 + 10);
  r.trade(20, "1998.50", "2", "sell"); // through both bids: the better-priced first, each at its own price
  assert.deepEqual(r.fills(), ["buy 0.3@2000.02 maker t+20", "buy 1@1999 maker t+20"]);
});

test("with trades only, the assumed touch size is the queue; a taker fills at the touch after the latency", async () => {
  // 10 000 USDT at 2000 → 5 ETH assumed at each level.
  const r = await rig({ touchNotional: 10_000, ackMs: 7 });
  r.trade(0, "2000.00", "1", "sell"); // touch: bid 2000.00, ask 2000.01
  r.order("taker", "buy", "0.2", "2000.50", "IOC");
  r.order("maker", "buy", "1", "2000.00");
  r.clock.advanceTo(T0 + 3);
  assert.deepEqual(r.fills(), [], "not before the 7 ms latency");
  r.clock.advanceTo(T0 + 10);
  assert.deepEqual(r.fills(), ["buy 0.2@2000.01 taker t+7"]);
  r.trade(20, "2000.00", "4.9", "sell");
  assert.deepEqual(r.fills(), ["buy 0.2@2000.01 taker t+7"], "4.9 of the 5 ahead");
  r.trade(30, "2000.00", "0.6", "sell");
  assert.deepEqual(r.fills(), ["buy 0.2@2000.01 taker t+7", "buy 0.5@2000 maker t+30"]);
});

test("funding settles the position held, at the touch's mid price", async () => {
  const r = await rig();
  r.book(0, "2000.00", "5", "2000.02", "4");
  r.order("long", "buy", "0.5", "2001.00", "IOC");
  r.clock.advanceTo(T0 + 10);
  r.trade(1000, "2000.00", "1", "sell"); // book data rules the touch: a trade does not move it
  r.clock.advanceTo(T0 + 1000);
  r.venue.replay({ kind: "funding", ts: T0 + 1000, symbol: "ETHUSDT", rate: dec("0.0001") });
  r.clock.advanceTo(T0 + 1001);
  const funding = r.events.filter((e) => e.type === "funding.paid");
  assert.equal(funding.length, 1);
  const f = funding[0]!;
  assert.ok(f.type === "funding.paid");
  // 0.5 × 2000.01 × 0.0001
  assert.deepEqual([format(f.paid), format(f.positionQty), format(f.markPrice)], ["0.1000005", "0.5", "2000.01"]);
});
