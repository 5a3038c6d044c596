/**
 * Context feeds against a real redis-server: a producer that sends partial and malformed payloads
 * and then goes silent never crashes a strategy; what it sent reaches the strategy and the
 * signal it emits with each field's age; once silent, its fields go stale (absent to the
 * strategy) and the staleness shows in the metrics.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import type { BookEvent, SignalEvent } from "../../src/core/events.ts";
import { loadConfig } from "../../src/config/config.ts";
import { DEFAULT_REDIS_CONFIG } from "../../src/config/redis-config.ts";
import { Secret } from "../../src/core/secrets.ts";
import { publishContext } from "../../src/distributed/context-feed.ts";
import { keys } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createMetrics } from "../../src/control/metrics/metrics.ts";
import { startDistributed } from "../../src/runtime/distributed.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { type ContextReading, contextNumber } from "../../src/strategies/context.ts";
import type { Strategy, StrategyView } from "../../src/strategies/strategy.ts";
import { T0, tempJournal } from "../runtime/helpers.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";
import { contextCommand } from "../../src/cli/context-command.ts";
import { startBybitSimulator } from "../../src/simulator/bybit/server.ts";
import { startBinanceSimulator } from "../../src/simulator/binance/server.ts";
import { toEntries } from "../../src/distributed/stream-reply.ts";

const skip = redisMissing();

/** Reads the context on every book; opens once when it sees a funding rate. */
class ContextReader implements Strategy {
  readonly id = "context-reader";
  readonly seen: ContextReading[] = [];
  opened = false;
  onBook(book: BookEvent, view: StrategyView): SignalEvent | undefined {
    const c = view.context?.(book.symbol) ?? {};
    this.seen.push(c);
    const funding = contextNumber(c, "fundingRate");
    if (funding === undefined || this.opened || book.symbol !== "BTCUSDT") return undefined;
    this.opened = true;
    return { type: "signal", ts: book.ts, strategyId: this.id, symbol: book.symbol, action: "open", side: funding > 0 ? "sell" : "buy", confidence: 0.5, stopDistance: 0.01, reason: "funding" };
  }
}

describe("context feeds", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "producer" }, 10_000);
  });
  after(async () => {
    await link.close();
    await redis.stop();
  });

  it("partial, malformed, then silent: the strategy never crashes, sees fresh fields with ages, and staleness is visible", async () => {
    const j = tempJournal();
    const clock = new SimClock(T0);
    const config = loadConfig({ overrides: [`journal.path=${JSON.stringify(j.path)}`, "sim.jitterMs=0", "strategy.name=none"] });
    const strategy = new ContextReader();
    const journal = SqliteJournal.open(config.journal.path, { durability: "normal", writer: "inline" });
    const rt = await Runtime.start({ config, clock, busMode: "sync", journal, strategies: [strategy] });
    const view = new RuntimeView(rt);
    const signals: SignalEvent[] = [];
    rt.outbox.subscribe("test-signals", (e) => void signals.push(e as SignalEvent), ["signal"]);
    const maxAgeMs = 1_500;
    const d = startDistributed(rt, view, createLogger({ level: "silent" }), { url: new Secret(redis.url), config: { ...DEFAULT_REDIS_CONFIG, engineId: "ctx-1", contextMaxAgeMs: maxAgeMs } });
    const metrics = createMetrics(view, { processMetrics: false, distributed: () => d.facts() });
    const tick = async (): Promise<void> => {
      clock.advance(200);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    };
    try {
      // Partial payloads: one field at a time, some of them broken.
      await publishContext(link, "BTCUSDT", "test", { openInterest: 1234.5 }, Date.now());
      await link.send(["XADD", keys.context("BTCUSDT"), "*", "source", "test", "markPrice", "not a number; DROP", "bad name!", "1", "ts", "yesterday"]);
      await link.send(["XADD", keys.context("BTCUSDT"), "*", "fundingRate", "NaN"]);
      // The first valid funding rate comes with the prediction, so the strategy opens seeing both.
      await publishContext(link, "BTCUSDT", "test", { fundingRate: 0.0001, "prediction.confidence": 0.8, "prediction.direction": "down" }, Date.now());
      // A producer clock an hour ahead: its ts is not trusted, the entry's own time is used.
      await link.send(["XADD", keys.context("BTCUSDT"), "*", "source", "test", "fundingRate", "0.0001", "ts", String(Date.now() + 3_600_000)]);
      // Wait for the evidence: the strategy opening on the funding rate it saw, every entry read.
      const deadline = Date.now() + 30_000;
      const malformedSeen = (): number => d.context.malformed.get("BTCUSDT") ?? 0;
      while ((!strategy.opened || malformedSeen() < 4) && Date.now() < deadline) await tick();
      assert.ok(strategy.opened, "the strategy saw the funding rate");
      const fresh = d.context.read("BTCUSDT");
      assert.equal(fresh["openInterest"]?.value, 1234.5);
      assert.equal(fresh["fundingRate"]?.value, 0.0001);
      assert.equal(fresh["markPrice"], undefined, "a malformed value is absent, not garbage");
      assert.ok(fresh["fundingRate"]!.ageMs >= 0);
      assert.ok(malformedSeen() >= 4, `malformed counted: ${malformedSeen()}`);
      const signal = signals.find((e) => e.strategyId === "context-reader");
      assert.ok(signal !== undefined);
      const feed = signal.context?.["feed"] as Record<string, { value: unknown; ageMs: number }>;
      assert.equal(feed["fundingRate"]!.value, 0.0001);
      assert.equal(typeof feed["fundingRate"]!.ageMs, "number");
      assert.deepEqual(signal.context?.prediction, { confidence: 0.8, direction: "down" });

      // Silent producer: the fields age past maxAgeMs and disappear for the strategy.
      while (Object.keys(d.context.read("BTCUSDT")).length > 0 && Date.now() < deadline + 30_000) await tick();
      await tick();
      assert.deepEqual(strategy.seen.at(-1), {}, "stale context is absent");
      const text = await metrics.render();
      const age = /hean_context_age_seconds\{symbol="BTCUSDT",field="fundingRate"\} ([\d.]+)/.exec(text);
      assert.ok(age !== null, text);
      assert.ok(Number(age[1]) * 1000 > maxAgeMs, "the metric shows how stale it is");
      assert.match(text, /hean_redis_up\{engine="ctx-1"\} 1/);
      assert.equal(rt.trading.contextProblems, 0);
    } finally {
      metrics.close();
      const stopping = rt.stop("test done");
      let done = false;
      void stopping.finally(() => (done = true));
      while (!done) await tick();
      await d.close();
      j.cleanup();
    }
  });

  for (const venue of ["bybit", "binance"] as const) {
    it(`hean context --venue ${venue} publishes funding rate, open interest and mark from the simulator's REST`, async () => {
      const sim = venue === "bybit" ? await startBybitSimulator({ seed: 3 }) : await startBinanceSimulator({ seed: 3 });
      try {
        await link.send(["DEL", keys.context("ETHUSDT")]);
        const code = await contextCommand(["--venue", venue, "--symbols", "ETHUSDT", "--rest-url", sim.url, "--redis-url", redis.url, "--once"]);
        assert.equal(code, 0);
        const [entry] = toEntries(await link.send(["XRANGE", keys.context("ETHUSDT"), "-", "+"]));
        assert.ok(entry !== undefined);
        assert.equal(entry.fields["source"], venue);
        for (const field of ["fundingRate", "openInterest", "markPrice"]) assert.match(entry.fields[field] ?? "", /^-?\d+(\.\d+)?(e-?\d+)?$/, `${field}: ${JSON.stringify(entry.fields)}`);
        assert.ok(Number(entry.fields["markPrice"]) > 0);
      } finally {
        await sim.close();
      }
    });
  }
});
