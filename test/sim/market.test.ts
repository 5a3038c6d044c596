import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { dec, fromUnits, toNumber } from "../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS } from "../../src/core/instrument.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { SyntheticMarket, type MarketObserver } from "../../src/venues/sim/market/synthetic-market.ts";
import { SyntheticBook } from "../../src/venues/sim/market/synthetic-book.ts";
import type { Side } from "../../src/core/events.ts";

function recorder(market: SyntheticMarket) {
  const log: string[] = [];
  const observer: MarketObserver = {
    onTrade: (b: SyntheticBook, side: Side, tick: number, lots: number, ts: number) => log.push(`T ${b.symbol} ${side} ${tick} ${lots} ${ts}`),
    onUpdate: (b: SyntheticBook, ts: number) =>
      log.push(`B ${b.symbol} ${b.bids.best} ${b.bids.sizeAtLevel(0)} ${b.asks.best} ${b.asks.sizeAtLevel(0)} ${ts}`),
  };
  market.observe(observer);
  return log;
}

function run(seed: number, scenario: "calm" | "trend" | "flash-crash" | "stale", ms: number) {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, seed, scenario });
  const log = recorder(market);
  market.start();
  clock.advance(ms);
  return { log, market, clock };
}

test("same seed, scenario and start time: identical updates and trades", () => {
  for (const scenario of ["calm", "trend", "flash-crash", "stale"] as const) {
    const a = run(11, scenario, 45_000).log;
    const b = run(11, scenario, 45_000).log;
    assert.ok(a.length > 500);
    assert.deepEqual(a, b, scenario);
  }
  assert.notDeepEqual(run(11, "calm", 5_000).log, run(12, "calm", 5_000).log);
});

test("the book is full, uncrossed, tick/lot exact, with a spread of a few ticks, every update", () => {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, seed: 3, scenario: "flash-crash" });
  let checked = 0;
  market.observe({
    onTrade: (_b, _s, tick, lots) => assert.ok(Number.isInteger(tick) && Number.isInteger(lots) && lots >= 1),
    onUpdate: (b) => {
      assert.ok(b.bids.count >= 50 && b.asks.count >= 50, "at least 50 levels a side");
      const spread = b.asks.best - b.bids.best;
      assert.ok(spread >= 1 && spread <= 3, `spread ${spread} ticks`);
      for (let i = 0; i < b.bids.count; i++) {
        assert.ok(Number.isInteger(b.bids.sizeAtLevel(i)) && b.bids.sizeAtLevel(i) >= 1);
        assert.ok(Number.isInteger(b.asks.sizeAtLevel(i)) && b.asks.sizeAtLevel(i) >= 1);
      }
      checked++;
    },
  });
  market.start();
  clock.advance(40_000);
  assert.equal(checked, 2 * 400);
  const btc = market.book("BTCUSDT")!;
  // Realistic sizes: a BTC level near the touch holds between a few thousandths and a few BTC.
  const touch = toNumber(btc.qtyOf(btc.bids.sizeAtLevel(0)));
  assert.ok(touch > 0.001 && touch < 5, `touch ${touch} BTC`);
});

test("calm: a small mean-reverting walk around the start price", () => {
  const { market } = run(21, "calm", 300_000);
  const fair = market.fairPrice("BTCUSDT")!;
  assert.ok(Math.abs(fair / 60_000 - 1) < 0.01, `BTC at ${fair}`);
  assert.ok(Math.abs(market.fairPrice("ETHUSDT")! / 3_000 - 1) < 0.01);
});

test("flash-crash: about 30 % down within a few seconds of 10 s, then a partial recovery", () => {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, seed: 5, scenario: "flash-crash" });
  const mids: { t: number; mid: number }[] = [];
  const start = clock.now();
  market.observe({
    onTrade: () => {},
    onUpdate: (b) => {
      if (b.symbol === "BTCUSDT") mids.push({ t: clock.now() - start, mid: ((b.bids.best + b.asks.best) / 2) * 0.1 });
    },
  });
  market.start();
  clock.advance(60_000);
  const at = (ms: number) => mids.find((m) => m.t >= ms)!.mid;
  const before = at(9_900);
  const low = Math.min(...mids.filter((m) => m.t >= 10_000 && m.t <= 15_000).map((m) => m.mid));
  const lowAt = mids.find((m) => m.mid === low)!.t;
  assert.ok(Math.abs(before / 60_000 - 1) < 0.01, `before ${before}`);
  assert.ok(low / before < 0.73 && low / before > 0.67, `fell to ${low / before}`);
  assert.ok(lowAt >= 12_000 && lowAt <= 14_000, `bottom at ${lowAt} ms`);
  const after = at(50_000);
  assert.ok(after > low * 1.1 && after < before * 0.95, `recovered to ${after / before}`);
});

test("stale: nothing at all for 30 s from 10 s, then updates resume", () => {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, seed: 8, scenario: "stale" });
  const times: number[] = [];
  const start = clock.now();
  market.observe({ onTrade: () => times.push(clock.now() - start), onUpdate: () => times.push(clock.now() - start) });
  market.start();
  clock.advance(60_000);
  const inside = times.filter((t) => t >= 10_000 && t < 40_000);
  assert.deepEqual(inside, []);
  assert.ok(times.some((t) => t < 10_000 && t >= 9_900));
  assert.ok(times.some((t) => t >= 40_000 && t <= 40_100));
  // Timers kept running: the silence ends by itself.
  assert.equal(market.silent, false);
});

test("trend: drifts clearly away from the start price, with noise", () => {
  let up = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const { market } = run(seed, "trend", 120_000);
    const change = market.fairPrice("BTCUSDT")! / 60_000 - 1;
    if (change > 0.004) up++;
  }
  assert.ok(up >= 4, `${up} of 5 seeds drifted up by more than 0.4 % in 2 minutes`);
});

test("setPrice moves the book at once (passed levels trade) and the walk continues from there", () => {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, seed: 2 });
  const trades: { side: Side; tick: number }[] = [];
  market.observe({ onTrade: (_b, side, tick) => trades.push({ side, tick }), onUpdate: () => {} });
  assert.deepEqual(market.setPrice("BTCUSDT", dec("61000")), { ok: true });
  const book = market.book("BTCUSDT")!;
  assert.ok(Math.abs(book.bids.best * 0.1 - 61_000) < 1);
  assert.ok(trades.length > 0 && trades.every((t) => t.side === "buy"), "the asks in the way were lifted");
  market.start();
  clock.advance(10_000);
  assert.ok(Math.abs(market.fairPrice("BTCUSDT")! / 61_000 - 1) < 0.01);
  assert.equal(market.setPrice("NOPE", 1).ok, false);
  assert.equal(market.setPrice("BTCUSDT", Number.NaN).ok, false);
  assert.equal(market.setPrice("BTCUSDT", -5).ok, false);
});

test("startPrices and startMs resume a market where a previous run left it", () => {
  const clock = new SimClock();
  const market = new SyntheticMarket({
    clock,
    instruments: BUILTIN_INSTRUMENTS,
    startPrices: { BTCUSDT: dec("58123.4"), ETHUSDT: 2950 },
  });
  assert.ok(Math.abs(market.book("BTCUSDT")!.bids.best * 0.1 - 58_123.4) < 0.5);
  assert.ok(Math.abs(market.book("ETHUSDT")!.asks.best * 0.01 - 2_950) < 0.05);
  // A flash-crash market resumed 60 s into its run is past the crash: no fall after restart.
  const late = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, scenario: "flash-crash", startMs: clock.now() - 60_000 });
  late.start();
  clock.advance(20_000);
  assert.ok(late.fairPrice("BTCUSDT")! > 60_000 * 0.95);
});

test("the update rate is configurable and time-exact on the clock", () => {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, symbols: ["BTCUSDT"], updatesPerSecond: 2_500 });
  let n = 0;
  market.observe({ onTrade: () => {}, onUpdate: () => n++ });
  market.start();
  clock.advance(2_000);
  assert.equal(n, 5_000);
});

test("bad configuration is refused with CONFIG_INVALID", () => {
  const clock = new SimClock();
  const bad = [
    { scenario: "boom" as never },
    { updatesPerSecond: 0 },
    { depth: 0 },
    { symbols: ["XRPUSDT"] },
    { startPrices: { BTCUSDT: -1 } },
  ];
  for (const extra of bad) {
    assert.throws(() => new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, ...extra }), (e) => isHeanError(e, "CONFIG_INVALID"));
  }
});

test("a book's prices and sizes from ticks and lots are exact, asked again and past the memo's size", () => {
  const eth = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "ETHUSDT")!;
  const book = new SyntheticBook(eth, 5, 50_000);
  for (let round = 0; round < 2; round++) {
    for (let n = 0; n < 10_000; n += 1 + (n % 3)) {
      assert.equal(book.priceOf(n * 7 + 1), fromUnits(BigInt(n * 7 + 1), eth.tickSize));
      assert.equal(book.qtyOf(n), fromUnits(BigInt(n), eth.lotSize));
    }
  }
  assert.throws(() => book.priceOf(1.5));
});
