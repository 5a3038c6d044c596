/**
 * Bounded under overload: the real runtime fed 10× the normal market rate (200k ticks/s against
 * 20k) for a sustained run, each figure beside the same run at the normal rate:
 * - heap and RSS growth per minute: least-squares slope over samples taken once a second after
 *   warm-up, each right after a forced full GC (≈ 0 when bounded). Sampled without the GC, the
 *   heap is a sawtooth: the old generation fills with promoted garbage (and, in `npm run bench`,
 *   with what earlier modules left) for tens of seconds between mark-compacts, so a 16 s fit
 *   read anything from −15 to +96 MB/min depending on where a mark-compact fell;
 * - share of market ticks conflated (the market lane keeps one waiting tick per symbol);
 * - p99 of a critical probe (a critical-lane event every 10 ms, publish → engine → outbox):
 *   critical events never wait behind market data, so this stays flat while ticks conflate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hdr from "hdr-histogram-js";
import { dec } from "../src/core/decimal.ts";
import type { BookEvent } from "../src/core/events.ts";
import { loadConfig } from "../src/config/config.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import type { Strategy } from "../src/strategies/strategy.ts";
import type { SimVenue } from "../src/venues/sim/sim-venue.ts";
import { fullGc } from "./full-gc.ts";
import type { BenchResult } from "./result.ts";

const NORMAL_RATE = 20_000;
const RUN_MS = Number(process.env["HEAN_BENCH_OVERLOAD_MS"] ?? 25_000);
const WARMUP_MS = 4_000;
const SAMPLE_EVERY_MS = 1_000;
const SYMBOLS = ["BTCUSDT", "ETHUSDT"] as const;

class Quiet implements Strategy {
  readonly id = "quiet";
  onBook(): undefined {
    return undefined;
  }
}

interface Run {
  heapPerMin: number;
  rssPerMin: number;
  conflatedShare: number;
  criticalP99Ms: number;
  heapStartMb: number;
  heapEndMb: number;
  rssStartMb: number;
  rssEndMb: number;
  samples: number;
  /** Probes in flight during a forced GC: the bench's own pause, left out of the p99. */
  probesSkipped: number;
  probes: number;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function run(dir: string, rate: number, gc: () => void): Promise<Run> {
  // What earlier modules (or the previous run) left on the heap is not this run's growth.
  gc();
  const config = loadConfig({ overrides: [`journal.path=${JSON.stringify(join(dir, `overload-${rate}.db`))}`, "sim.updatesPerSecond=1"] });
  const rt = await Runtime.start({ config, strategies: [new Quiet()] });
  const venue = rt.venue as SimVenue;
  await new Promise((r) => setTimeout(r, 300));
  // A pool of ticks per symbol (sizes vary, prices at the venue's touch): the feed allocates nothing itself.
  const pool = SYMBOLS.map((symbol) => {
    const top = venue.engine.top(symbol)!;
    return Array.from({ length: 512 }, (_, i): BookEvent => ({ type: "market.book", ts: 0, symbol, bid: top.bid!.price, bidQty: dec(String(1 + i)), ask: top.ask!.price, askQty: dec("1"), venueTs: 0, afterGap: false }));
  });
  const critical = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const probeSent = new Map<string, number>();
  let lastGcEnd = 0;
  let probesSkipped = 0;
  const unsubscribe = rt.outbox.subscribe("bench-probe", (e) => {
    if (e.type !== "alert" || e.code !== "BENCH_PROBE") return;
    const sent = probeSent.get(e.message);
    probeSent.delete(e.message);
    if (sent === undefined) return;
    if (sent < lastGcEnd) probesSkipped++;
    else critical.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
  }, ["alert"]);
  const start = performance.now();
  let sent = 0;
  let probes = 0;
  let nextProbe = start;
  const heapX: number[] = [];
  const heapY: number[] = [];
  const rssY: number[] = [];
  let nextSample = start + WARMUP_MS;
  const before = rt.inbox.stats().lanes.find((l) => l.lane === "market")!;
  await new Promise<void>((resolve) => {
    const step = (): void => {
      const now = performance.now();
      if (now - start >= RUN_MS) return resolve();
      const due = Math.floor(((now - start) * rate) / 1000);
      for (; sent < due; sent++) rt.inbox.publish(pool[sent & 1]![(sent >> 1) & 511]!);
      if (now >= nextProbe) {
        const id = `p${probes++}`;
        probeSent.set(id, now);
        rt.inbox.publish({ type: "alert", ts: rt.clock.now(), severity: "info", code: "BENCH_PROBE", message: id, context: {} });
        nextProbe += 10;
      }
      if (now >= nextSample) {
        gc();
        const m = process.memoryUsage();
        lastGcEnd = performance.now();
        heapX.push((now - start) / 60_000);
        heapY.push(m.heapUsed / 1e6);
        rssY.push(m.rss / 1e6);
        nextSample += SAMPLE_EVERY_MS;
      }
      setImmediate(step);
    };
    setImmediate(step);
  });
  const market = rt.inbox.stats().lanes.find((l) => l.lane === "market")!;
  unsubscribe();
  await rt.stop("bench done");
  const published = market.published - before.published;
  return {
    heapPerMin: slope(heapX, heapY),
    rssPerMin: slope(heapX, rssY),
    conflatedShare: (market.conflated - before.conflated + market.dropped - before.dropped) / Math.max(1, published),
    criticalP99Ms: critical.getValueAtPercentile(99) / 1000,
    heapStartMb: heapY[0] ?? 0,
    heapEndMb: heapY[heapY.length - 1] ?? 0,
    rssStartMb: rssY[0] ?? 0,
    rssEndMb: rssY[rssY.length - 1] ?? 0,
    samples: heapY.length,
    probesSkipped,
    probes,
  };
}

export async function runOverloadBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "hean-overload-"));
  try {
    const gc = fullGc();
    const normal = await run(dir, NORMAL_RATE, gc);
    const over = await run(dir, NORMAL_RATE * 10, gc);
    for (const [name, r] of [["normal", normal], ["10×", over]] as const) {
      console.error(
        `  ${name}: ${r.samples} post-GC samples, heap MB first/last ${r.heapStartMb.toFixed(1)}/${r.heapEndMb.toFixed(1)}, RSS MB ${r.rssStartMb.toFixed(1)}/${r.rssEndMb.toFixed(1)}; ` +
          `critical probes ${r.probes} (${r.probesSkipped} in flight during a forced GC, left out)`,
      );
    }
    const row = (name: string, unit: string, value: number, baselineValue: number): BenchResult => ({ name, unit, value, baselineName: "same run at 20k ticks/s", baselineValue, ratio: baselineValue === 0 ? 0 : value / baselineValue });
    return [
      row("overload 10× (200k ticks/s): heap growth per minute (target ≈ 0)", "MB/min", over.heapPerMin, normal.heapPerMin),
      row("overload 10× (200k ticks/s): RSS growth per minute (target ≈ 0)", "MB/min", over.rssPerMin, normal.rssPerMin),
      row("overload 10× (200k ticks/s): market ticks conflated", "share", over.conflatedShare, normal.conflatedShare),
      row("overload 10× (200k ticks/s): critical probe p99, publish → outbox", "ms", over.criticalP99Ms, normal.criticalP99Ms),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { formatTable } = await import("./run.ts");
  process.stdout.write(formatTable(await runOverloadBench()) + "\n");
}
