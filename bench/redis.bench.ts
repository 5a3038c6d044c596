/**
 * The distributed mode on a real redis-server of the bench's own (free port, AOF off):
 *
 * - command round trip, p50 and p99: `sendCommand` → the engine reads it (XREADGROUP), journals
 *   the command and its outcome durably, publishes the outcome, XACKs → the sender reads the
 *   outcome. Baseline: the same four Redis steps with no engine (a raw echo consumer:
 *   XADD → XREADGROUP → XADD reply + XACK → XREAD), in the same run.
 * - events published per second: the journal-fed publisher draining a journal of EVENTS records
 *   onto a fresh stream. Baseline: a raw pipelined XADD loop of the same payloads, same batch size.
 *
 * Skipped (no rows) when redis-server is not installed.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DEFAULT_REDIS_CONFIG } from "../src/config/redis-config.ts";
import { Secret } from "../src/core/secrets.ts";
import { sendCommand, waitOutcomes } from "../src/distributed/command-sender.ts";
import { EventPublisher } from "../src/distributed/event-publisher.ts";
import { RedisLink } from "../src/distributed/redis-link.ts";
import { toPlain } from "../src/journal/codec.ts";
import { SqliteJournal } from "../src/journal/sqlite-journal.ts";
import { createLogger } from "../src/observability/logger.ts";
import { startDistributed } from "../src/runtime/distributed.ts";
import { RuntimeView } from "../src/runtime/engine-view-impl.ts";
import { startTestRuntime, tempJournal } from "../test/runtime/helpers.ts";
import { TestRedis } from "../test/distributed/redis-server.ts";
import type { BenchResult } from "./result.ts";

const ROUND_TRIPS = 300;
const EVENTS = 20_000;

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function engineRoundTrips(redis: TestRedis, link: RedisLink, waitLink: RedisLink): Promise<number[]> {
  const j = tempJournal();
  const t = await startTestRuntime({ journalPath: j.path, overrides: ["strategy.name=none"] });
  const view = new RuntimeView(t.rt);
  const d = startDistributed(t.rt, view, createLogger({ level: "silent" }), { url: new Secret(redis.url), config: { ...DEFAULT_REDIS_CONFIG, engineId: "bench" } });
  const times: number[] = [];
  try {
    for (let i = 0; i < ROUND_TRIPS + 20; i++) {
      const commandId = `rt-${i}`;
      const t0 = performance.now();
      const waiting = waitOutcomes(waitLink, new Map([["bench", commandId]]), "0-0", 30_000);
      await sendCommand(link, "bench", { commandId, command: "cancel-all", args: {}, source: "bench", ttlMs: undefined });
      const got = await waiting;
      if (!got.has("bench")) throw new Error(`no outcome for ${commandId}`);
      if (i >= 20) times.push(performance.now() - t0);
      await link.send(["DEL", "hean:bench:results"]);
    }
  } finally {
    await d.close();
    await t.stop();
    j.cleanup();
  }
  return times;
}

async function rawRoundTrips(link: RedisLink, echo: RedisLink, waitLink: RedisLink): Promise<number[]> {
  await link.send(["XGROUP", "CREATE", "raw:commands", "g", "0", "MKSTREAM"]);
  let stop = false;
  const consumer = (async () => {
    while (!stop) {
      const reply = await echo.send(["XREADGROUP", "GROUP", "g", "c", "COUNT", 10, "BLOCK", 100, "STREAMS", "raw:commands", ">"]).catch(() => null);
      if (!Array.isArray(reply)) continue;
      for (const [, entries] of reply as [string, [string, string[]][]][]) {
        for (const [id, fields] of entries) {
          await echo.send(["XADD", "raw:results", "*", "commandId", fields[1]!]);
          await echo.send(["XACK", "raw:commands", "g", id]);
        }
      }
    }
  })();
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS + 20; i++) {
    const t0 = performance.now();
    const wait = waitLink.send(["XREAD", "BLOCK", 10_000, "STREAMS", "raw:results", "$"]);
    await link.send(["XADD", "raw:commands", "*", "commandId", `raw-${i}`]);
    await wait;
    if (i >= 20) times.push(performance.now() - t0);
  }
  stop = true;
  await consumer;
  return times;
}

async function publisherRate(redis: TestRedis, link: RedisLink): Promise<{ publisher: number; raw: number }> {
  const j = tempJournal();
  const journal = SqliteJournal.open(join(j.path), { writer: "inline", durability: "normal" });
  for (let i = 0; i < EVENTS; i++) journal.append({ type: "alert", ts: i, severity: "info", code: "BENCH", message: `event ${i}`, context: { i } });
  await journal.flush();
  const pubLink = RedisLink.open({ url: new Secret(redis.url), name: "bench-pub" });
  await pubLink.waitUp(5_000);
  const publisher = new EventPublisher({ engineId: "bench-events", link: pubLink, journal, maxLen: EVENTS * 2, pollMs: 1_000_000 });
  const t0 = performance.now();
  while (publisher.lastPublishedSeq < EVENTS) await publisher.pump();
  const publisherRate = (EVENTS / (performance.now() - t0)) * 1000;
  await publisher.close();
  // Baseline: the same payloads, pipelined XADDs in batches of 500, no journal.
  const payloads = [...journal.read()].map((r) => ({ seq: r.seq, ts: r.ts, type: r.event.type, body: JSON.stringify(toPlain(r.event)) }));
  const t1 = performance.now();
  for (let i = 0; i < payloads.length; i += 500) {
    await Promise.all(payloads.slice(i, i + 500).map((p) => link.send(["XADD", "raw:events", "MAXLEN", "~", EVENTS * 2, "*", "seq", p.seq, "ts", p.ts, "type", p.type, "event", p.body])));
  }
  const rawRate = (EVENTS / (performance.now() - t1)) * 1000;
  journal.close();
  await pubLink.close();
  j.cleanup();
  return { publisher: publisherRate, raw: rawRate };
}

export async function runRedisBench(): Promise<BenchResult[]> {
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    process.stderr.write("redis bench SKIPPED: redis-server is not installed\n");
    return [];
  }
  const redis = await TestRedis.start();
  const url = new Secret(redis.url);
  const link = await RedisLink.connect({ url, name: "bench" }, 5_000);
  const waitLink = await RedisLink.connect({ url, name: "bench-wait" }, 5_000);
  const echo = await RedisLink.connect({ url, name: "bench-echo" }, 5_000);
  try {
    const engine = await engineRoundTrips(redis, link, waitLink);
    const raw = await rawRoundTrips(link, echo, waitLink);
    const rate = await publisherRate(redis, link);
    const row = (name: string, value: number, baselineValue: number, unit: string, baselineName: string): BenchResult => ({ name, unit, value, baselineName, baselineValue, ratio: value / baselineValue });
    return [
      row("redis command round trip p50 (add → journaled → acked → outcome)", quantile(engine, 0.5), quantile(raw, 0.5), "ms", "raw XADD/XREADGROUP/XACK echo p50"),
      row("redis command round trip p99", quantile(engine, 0.99), quantile(raw, 0.99), "ms", "raw XADD/XREADGROUP/XACK echo p99"),
      row("redis events published from the journal", rate.publisher, rate.raw, "events/s", "raw pipelined XADD"),
    ];
  } finally {
    await Promise.all([link.close(), waitLink.close(), echo.close()]);
    await redis.stop();
  }
}
