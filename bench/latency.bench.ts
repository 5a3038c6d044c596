/**
 * End-to-end latency through the real runtime (bus, engine, risk, journal with its worker,
 * simulated venue):
 *
 * - tick-to-intent: from the moment a top-of-book tick was due (offered load fixed at 20k
 *   ticks/s, so queueing counts: no coordinated omission) to the moment the order intent it
 *   caused is recorded. Baseline: the same ticks dispatched through a bare EventEmitter to the
 *   same strategy function (what the machine gives for "receive a tick, decide").
 * - kill-switch reaction: from the tick that breaches the hard-stop threshold to the first close
 *   order handed to the venue, while market data floods in. Baseline: tick-to-intent p50 of an
 *   ordinary entry (the same path without the kill switch).
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type hdr from "hdr-histogram-js";
import { type Dec, dec, fromNumber, mul } from "../src/core/decimal.ts";
import type { BookEvent, SignalEvent } from "../src/core/events.ts";
import { loadConfig } from "../src/config/config.ts";
import { RuntimeView } from "../src/runtime/engine-view-impl.ts";
import { Runtime, type RuntimeOptions } from "../src/runtime/runtime.ts";
import type { Strategy, StrategyView } from "../src/strategies/strategy.ts";
import type { SimVenue } from "../src/venues/sim/sim-venue.ts";
import { allocatedBytes } from "./allocation.ts";
import { microsecondHistogram } from "./histogram.ts";
import type { BenchResult } from "./result.ts";

const RATE = 20_000;
/** Tick-to-intent runs until it has this many samples (after warm-up), or MAX_RUN_MS. */
const MIN_SAMPLES = 10_000;
const MAX_RUN_MS = 40_000;
const WARMUP_MS = 1_000;
/**
 * The bench strategy crosses the spread on every round trip and so loses a little each time: with
 * the default ladder the governor would reach QUARANTINE after ~1.4 s and size every open to 0 (the
 * old bench's ~200 samples). The ladder is moved out of reach so that the run samples the path,
 * not the governor's verdict on a losing strategy.
 */
const GOVERNOR_OUT_OF_REACH = [
  "risk.softBrakeDrawdownPct=97",
  "risk.quarantineDrawdownPct=98",
  "risk.hardStopDrawdownPct=99",
  "risk.dailyLossSoftPct=97",
  "risk.dailyLossQuarantinePct=98",
  "risk.dailyLossHardStopPct=99",
];
const SYMBOLS = ["BTCUSDT", "ETHUSDT"] as const;

/** Opens when flat, closes when long: one intent per round trip, forever, within any limit. */
class PingPong implements Strategy {
  readonly id = "bench";
  onBook(book: BookEvent, view: StrategyView): SignalEvent | undefined {
    if (view.hasWorkingOrders(book.symbol)) return undefined;
    const held = view.positionQty(book.symbol);
    return {
      type: "signal",
      ts: book.ts,
      strategyId: this.id,
      symbol: book.symbol,
      action: held === 0 ? "open" : "close",
      side: held === 0 ? "buy" : "sell",
      confidence: 0.5,
      stopDistance: 0.01,
      reason: "bench",
    };
  }
}

class Quiet implements Strategy {
  readonly id = "quiet";
  onBook(): undefined {
    return undefined;
  }
}

/**
 * Microseconds on the monotonic clock, as a double: `process.hrtime.bigint()` made two BigInts
 * (72 B) per call, and the harness calls it on every turn it spins.
 */
const nowUs = (): number => performance.now() * 1000;

interface Flood {
  /**
   * When the tick the engine acts on now was due, counting conflation: a waiting tick that a newer
   * one replaced was due earlier, and the decision it allowed has been waiting since. Measuring from
   * the surviving tick's own due time would hide every stall behind the market lane's conflation
   * (coordinated omission by another name).
   */
  due(book: BookEvent): number | undefined;
  stop(): Promise<void>;
}

/**
 * What the flood remembers per symbol, in one object made once, not per tick: a per-tick
 * `WeakMap` entry for the due time made the runtime's scavenges clear its ephemerons (~20% of
 * each scavenge), a cost the EventEmitter baseline never paid and production does not have.
 */
interface SymbolFeed {
  readonly symbol: string;
  /** Due time (µs) of the oldest injected tick not yet delivered to the engine; NaN when none. */
  oldestWaiting: number;
  /** The last book published and its due time (µs). */
  lastBook: BookEvent | undefined;
  lastDue: number;
  /** The venue's top as last read, when (µs), and the prices derived from it at `factor`. */
  topAt: number;
  topBid: Dec | undefined;
  topAsk: Dec | undefined;
  factor: number;
  bid: Dec;
  ask: Dec;
}

const ONE = dec("1");

/** Publish books into the inbox at RATE per second, priced off the venue's own market. */
function flood(rt: Runtime, venue: SimVenue, priceFactor: () => number, onPublish?: (dueUs: number) => void): Flood {
  const feeds = new Map<string, SymbolFeed>(
    SYMBOLS.map((symbol) => [symbol, { symbol, oldestWaiting: Number.NaN, lastBook: undefined, lastDue: 0, topAt: Number.NEGATIVE_INFINITY, topBid: undefined, topAsk: undefined, factor: Number.NaN, bid: 0n as Dec, ask: 0n as Dec }]),
  );
  const bySymbol = SYMBOLS.map((symbol) => feeds.get(symbol)!);
  // Subscribed after the engine: runs once the engine (and the strategies behind it) saw the tick.
  const unsubscribe = rt.inbox.subscribe("bench-delivered", (e) => {
    if (e.type !== "market.book") return;
    const feed = feeds.get(e.symbol);
    if (feed !== undefined) feed.oldestWaiting = Number.NaN;
  }, ["market.book"]);
  const start = nowUs();
  let sent = 0;
  let running = true;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  /**
   * Prices off the venue's top, read at most once a millisecond per symbol (its market moves once
   * a second here) and converted only when the top or the factor moved. Read per tick, the
   * simulator's merged book was ~0.8 KB of harness garbage per tick, and the decimal arithmetic
   * and parsing more, that the EventEmitter baseline (fixed prices) does not make: their
   * scavenges landed on the runtime's samples.
   */
  const price = (feed: SymbolFeed, at: number): boolean => {
    if (at - feed.topAt >= 1_000) {
      const top = venue.engine.top(feed.symbol);
      feed.topAt = at;
      feed.topBid = top?.bid?.price;
      feed.topAsk = top?.ask?.price;
      feed.factor = Number.NaN;
    }
    if (feed.topBid === undefined || feed.topAsk === undefined) return false;
    const factor = priceFactor();
    if (factor !== feed.factor) {
      const f = fromNumber(factor);
      feed.bid = roundTick(mul(feed.topBid, f), feed.symbol);
      feed.ask = roundTick(mul(feed.topAsk, f), feed.symbol);
      feed.factor = factor;
    }
    return true;
  };
  const step = (): void => {
    if (!running) return done();
    const now = nowUs();
    const due = Math.floor(((now - start) * RATE) / 1e6);
    for (; sent < due; sent++) {
      const feed = bySymbol[sent % bySymbol.length]!;
      if (!price(feed, now)) continue;
      const book: BookEvent = {
        type: "market.book",
        ts: rt.clock.now(),
        symbol: feed.symbol,
        bid: feed.bid,
        bidQty: ONE,
        ask: feed.ask,
        askQty: ONE,
        venueTs: rt.clock.now(),
        afterGap: false,
      };
      const dueUs = start + (sent * 1e6) / RATE;
      feed.lastBook = book;
      feed.lastDue = dueUs;
      if (Number.isNaN(feed.oldestWaiting)) feed.oldestWaiting = dueUs;
      onPublish?.(dueUs);
      rt.inbox.publish(book);
    }
    setImmediate(step);
  };
  setImmediate(step);
  return {
    due: (book) => {
      const feed = feeds.get(book.symbol);
      if (feed === undefined) return undefined;
      if (!Number.isNaN(feed.oldestWaiting)) return feed.oldestWaiting;
      // Delivered already: only the newest book's due time is known (the engine acts on it).
      return feed.lastBook === book ? feed.lastDue : undefined;
    },
    async stop() {
      running = false;
      await finished;
      unsubscribe();
    },
  };
}

const TICKS: Readonly<Record<string, Dec>> = { BTCUSDT: dec("0.1"), ETHUSDT: dec("0.01") };

function roundTick(price: Dec, symbol: string): Dec {
  const tick = TICKS[symbol]!;
  return ((price / tick) * tick) as Dec;
}

async function startRuntime(dir: string, name: string, strategies: Strategy[], overrides: string[], probes: Pick<RuntimeOptions, "onIntent" | "onHandedToVenue">): Promise<Runtime> {
  const config = loadConfig({
    overrides: [
      `journal.path=${JSON.stringify(join(dir, `${name}.db`))}`,
      "sim.updatesPerSecond=1",
      // Fills come back at once, so the strategy round-trips (and samples) as often as the journal allows.
      "sim.latencyMs=0",
      "sim.jitterMs=0",
      "risk.orderRate.maxOrders=100000",
      "risk.maxOpenOrders=1000",
      "bus.marketCapacity=100000",
      // The path under test is tick → intent; a resting maker leg would measure patience instead.
      'execution.urgency="immediate"',
      'execution.exitUrgency="immediate"',
      ...overrides,
    ],
  });
  return Runtime.start({ config, strategies, ...probes });
}

const toMs = (us: number): number => us / 1000;

export async function tickToIntent(dir: string): Promise<{ hist: hdr.Histogram; baseline: hdr.Histogram }> {
  const hist = microsecondHistogram();
  let f: Flood | undefined;
  let recording = false;
  const rt = await startRuntime(dir, "tick", [new PingPong()], GOVERNOR_OUT_OF_REACH, {
    onIntent: (book: BookEvent) => {
      const due = f?.due(book);
      if (recording && due !== undefined) hist.recordValue(Math.max(1, Math.round(nowUs() - due)));
    },
  });
  const venue = rt.venue as SimVenue;
  await new Promise((r) => setTimeout(r, 300));
  f = flood(rt, venue, () => 1);
  // Warm-up (JIT, first entries per symbol) is run but not sampled.
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  recording = true;
  const started = performance.now();
  while (hist.totalCount < MIN_SAMPLES && performance.now() - started < MAX_RUN_MS) await new Promise((r) => setTimeout(r, 100));
  recording = false;
  await f.stop();
  await rt.stop("bench done");

  // Baseline: the same decision function behind a bare EventEmitter, same offered load.
  const baseline = microsecondHistogram();
  const emitter = new EventEmitter();
  const strategy = new PingPong();
  let held = 0;
  const view: StrategyView = { now: () => Date.now(), positionQty: () => held, hasWorkingOrders: () => false };
  emitter.on("book", (book: BookEvent, due: number) => {
    const s = strategy.onBook(book, view);
    if (s !== undefined) {
      held = held === 0 ? 1 : 0;
      baseline.recordValue(Math.max(1, Math.round(nowUs() - due)));
    }
  });
  const start = nowUs();
  let sent = 0;
  const px = dec("60000");
  await new Promise<void>((resolve) => {
    const step = (): void => {
      const elapsed = nowUs() - start;
      if (elapsed > 3_000_000) return resolve();
      const due = Math.floor((elapsed * RATE) / 1e6);
      for (; sent < due; sent++) {
        const book: BookEvent = { type: "market.book", ts: 0, symbol: "BTCUSDT", bid: px, bidQty: px, ask: px, askQty: px, venueTs: 0, afterGap: false };
        emitter.emit("book", book, start + Math.round((sent * 1e6) / RATE));
      }
      setImmediate(step);
    };
    setImmediate(step);
  });
  return { hist, baseline };
}

/** Each kill-switch run goes on until it has this many crashes measured, or KILL_MAX_RUN_MS. */
const KILL_SAMPLES = 1_000;
const KILL_MAX_RUN_MS = 30_000;
/** The crash comes at a random moment up to this long after the round's setup is durable. */
const KILL_JITTER_MS = 5;

export interface KillSwitchRun {
  readonly hist: hdr.Histogram;
  readonly rounds: number;
}

/**
 * One runtime, many crashes: each round opens a position on both symbols, lets a crash-priced
 * tick breach the hard stop, waits until the close orders have filled, then resets the hard stop
 * and resumes, as an operator would (before the kill switch's venue check, 250 ms later: the
 * figure ends at the first close handed to the venue, and a round every ~250 ms gave ~60 samples,
 * a p99 that was the maximum). The crash is published at a random moment once the round's own
 * setup (entries, fills, the previous reset) is durable, so it meets the flood and the journal in
 * no particular phase, as the old fixed 30 ms wait did.
 */
export async function killSwitchReaction(dir: string, durability: "full" | "normal"): Promise<KillSwitchRun> {
  const hist = microsecondHistogram();
  let crashTickDue: number | undefined;
  let crash = false;
  const rt = await startRuntime(dir, `kill-${durability}`, [new Quiet()], [`journal.durability="${durability}"`, "risk.hardStopDrawdownPct=2", "risk.maxLeverage=5", "risk.maxOrderNotional=20000", "risk.maxPositionNotional=20000", "risk.maxGrossExposure=40000"], {
    onHandedToVenue: (id: string) => {
      const o = rt.engine.state.orders.get(id);
      if (o?.purpose === "kill-switch" && crashTickDue !== undefined) {
        hist.recordValue(Math.max(1, Math.round(nowUs() - crashTickDue)));
        crashTickDue = undefined;
      }
    },
  });
  const venue = rt.venue as SimVenue;
  const view = new RuntimeView(rt);
  await new Promise((r) => setTimeout(r, 300));
  // The first tick priced at the crash level breaches the threshold: remember when it was due.
  let armed = false;
  const f = flood(rt, venue, () => (crash ? 0.5 : 1), (dueUs) => {
    if (crash && armed) {
      crashTickDue = dueUs;
      armed = false;
    }
  });
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const until = async (done: () => boolean, limitMs: number): Promise<boolean> => {
    const started = performance.now();
    while (!done()) {
      if (performance.now() - started > limitMs) return false;
      await sleep(1);
    }
    return true;
  };
  const held = (): number => rt.engine.state.portfolio.openPositions().length;
  const flat = (): boolean => rt.engine.state.killSwitch.active && held() === 0 && rt.engine.state.workingOrders().length === 0;
  const started = performance.now();
  let rounds = 0;
  for (; hist.totalCount < KILL_SAMPLES && performance.now() - started < KILL_MAX_RUN_MS; rounds++) {
    for (const symbol of SYMBOLS) {
      const top = venue.engine.top(symbol);
      if (top?.ask === undefined) continue;
      rt.executor.submit({
        strategyId: "bench",
        symbol,
        side: "buy",
        orderType: "limit",
        qty: symbol === "BTCUSDT" ? dec("0.1") : dec("1"),
        price: roundTick(mul(top.ask.price, dec("1.002")), symbol),
        timeInForce: "IOC",
        reduceOnly: false,
        purpose: "entry",
      });
    }
    await until(() => held() === SYMBOLS.length, 200);
    if (held() === 0) continue;
    await rt.engine.flush();
    await sleep(Math.random() * KILL_JITTER_MS);
    armed = true;
    crash = true;
    await until(flat, 1_000);
    crash = false;
    armed = false;
    crashTickDue = undefined;
    // A tick at the normal price before the reset: the next entries are checked against it.
    await sleep(1);
    await view.submitCommand({ commandId: `reset-${rounds}`, command: "reset-hard-stop", source: "bench", args: {} });
    await view.submitCommand({ commandId: `resume-${rounds}`, command: "resume", source: "bench", args: {} });
  }
  await f.stop();
  await rt.stop("bench done");
  return { hist, rounds };
}

const ALLOC_TICKS = 100_000;

/**
 * Heap bytes allocated per tick on the tick path (inbox → engine → outbox → strategy), no intents:
 * a deterministic figure, unlike latency on a shared machine, so a hot-path allocation or GC
 * regression shows as a number. Baseline: the same loop and ticks through a bare EventEmitter to
 * the same strategy (what the harness itself allocates per tick).
 */
export async function allocationPerTick(dir: string): Promise<{ runtime: number; emitter: number }> {
  const rt = await startRuntime(dir, "alloc", [new Quiet()], [], {});
  const venue = rt.venue as SimVenue;
  await new Promise((r) => setTimeout(r, 300));
  const books = (count: number): BookEvent[][] =>
    Array.from({ length: count / SYMBOLS.length }, (_, i) =>
      SYMBOLS.map((symbol): BookEvent => {
        const top = venue.engine.top(symbol)!;
        return { type: "market.book", ts: rt.clock.now(), symbol, bid: top.bid!.price, bidQty: dec("1"), ask: top.ask!.price, askQty: dec(String(1 + (i % 7))), venueTs: i, afterGap: false };
      }),
    );
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const drive = async (rounds: readonly BookEvent[][], publish: (b: BookEvent) => void, pending: () => number): Promise<void> => {
    for (const round of rounds) {
      for (const b of round) publish(b);
      while (pending() > 0) await nextTurn();
    }
  };
  const warm = books(20_000);
  await drive(warm, (b) => rt.inbox.publish(b), () => rt.inbox.pending());
  const measured = books(ALLOC_TICKS);
  const runtime = (await allocatedBytes(() => drive(measured, (b) => rt.inbox.publish(b), () => rt.inbox.pending()))) / ALLOC_TICKS;
  await rt.stop("bench done");

  const emitter = new EventEmitter();
  const strategy = new Quiet();
  emitter.on("book", (b: BookEvent) => strategy.onBook());
  let waiting = 0;
  const publish = (b: BookEvent): void => {
    waiting++;
    setImmediate(() => {
      emitter.emit("book", b);
      waiting--;
    });
  };
  await drive(warm, publish, () => waiting);
  const base = (await allocatedBytes(() => drive(measured, publish, () => waiting))) / ALLOC_TICKS;
  return { runtime, emitter: base };
}

export async function runLatencyBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "hean-bench-"));
  // Each kill-switch figure is a percentile over up to KILL_SAMPLES crashes (one per round).
  try {
    const { hist, baseline } = await tickToIntent(dir);
    const { hist: kill, rounds: killRounds } = await killSwitchReaction(dir, "full");
    // The same with fsync only at checkpoints (survives a process crash, not a power cut):
    // shows how much of the reaction is the durable commit that must precede the close order.
    const { hist: killNormal } = await killSwitchReaction(dir, "normal");
    const alloc = await allocationPerTick(dir);
    console.error(`  samples: tick-to-intent ${hist.totalCount}, kill switch ${kill.totalCount} (full) / ${killNormal.totalCount} (normal)`);
    const row = (name: string, h: hdr.Histogram, p: number, base: hdr.Histogram, bp: number, baseName: string): BenchResult => {
      const value = toMs(h.getValueAtPercentile(p));
      const baselineValue = toMs(base.getValueAtPercentile(bp));
      return { name, unit: "ms", value, baselineName: baseName, baselineValue, ratio: value / baselineValue };
    };
    const baseName = "EventEmitter → same strategy, same load";
    return [
      row("tick-to-intent p50 @20k ticks/s", hist, 50, baseline, 50, baseName),
      row("tick-to-intent p99 @20k ticks/s", hist, 99, baseline, 99, baseName),
      row("tick-to-intent p99.9 @20k ticks/s", hist, 99.9, baseline, 99.9, baseName),
      // The percentiles above are only as good as their sample count (target ≥ 10,000 within the run).
      { name: "tick-to-intent samples (intents measured)", unit: "samples", value: hist.totalCount, baselineName: baseName, baselineValue: baseline.totalCount, ratio: hist.totalCount / baseline.totalCount },
      { name: "kill-switch reaction samples (crashes measured)", unit: "samples", value: kill.totalCount, baselineName: "crash rounds attempted", baselineValue: killRounds, ratio: kill.totalCount / killRounds },
      {
        name: "heap allocated per tick, tick path (inbox → engine → strategy)",
        unit: "bytes/tick",
        value: alloc.runtime,
        baselineName: "EventEmitter → same strategy, same harness",
        baselineValue: alloc.emitter,
        ratio: alloc.runtime / alloc.emitter,
      },
      row("kill-switch reaction p50 under 20k ticks/s", kill, 50, hist, 50, "tick-to-intent p50"),
      row("kill-switch reaction p99 under 20k ticks/s", kill, 99, hist, 50, "tick-to-intent p50"),
      row("kill-switch reaction p50, journal.durability=normal", killNormal, 50, kill, 50, "same, durability=full"),
      row("kill-switch reaction p99, journal.durability=normal", killNormal, 99, kill, 99, "same, durability=full"),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const r of await runLatencyBench()) console.log(`${r.name}: ${r.value.toFixed(3)} ${r.unit} (baseline ${r.baselineName} ${r.baselineValue.toFixed(3)}, ratio ${r.ratio.toFixed(2)})`);
}
