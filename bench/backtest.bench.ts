/**
 * Backtest throughput and memory.
 *
 * - Throughput: trade events per CPU-second (user + system time of the process, so that a machine
 *   shared with other work does not halve the figure) through the whole runtime (`runBacktest`: reader, replay
 *   market, matching engine, engine, journal, risk, router, strategy), beside a bare loop that
 *   reads and parses the same file with the same reader and calls the same strategy on a book
 *   made from each trade. Both in child processes of their own, run in turn (runtime, bare loop,
 *   runtime, …): this host's pace moves by 1.5× from one minute to the next, and the bare loop's
 *   short run moves the most, so the two sides of one pair ran in the same phase. The ratio is
 *   the median of the pairs' ratios; the rates are each side's median.
 * - Warm throughput: the same pairs, each the last of three runs in one process, so that neither
 *   pays V8's compiling (most of a cold run's extra: docs/PERFORMANCE.md). What a long backtest
 *   converges to; the cold row stays the target's measure.
 * - Without orders: the same cold pairs with impulse told never to enter, so that each run shows
 *   how much of the gap is the order path and how much the per-event work (replay, engine, bus,
 *   risk, router on every book).
 * - Memory: peak RSS of a backtest on 1× and on 10× the input (flat memory: the ratio stays near 1).
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchResult } from "./result.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const EVENTS = Number(process.env["HEAN_BENCH_BACKTEST_EVENTS"] ?? 200_000);

/** A seeded random walk of ETHUSDT aggTrades, `n` rows, 20 ms apart. */
export async function writeAggTrades(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const t0 = Date.UTC(2025, 0, 7);
  let cents = 200_000;
  let seed = 12_345;
  const rnd = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  let buf = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n";
  for (let i = 0; i < n; i++) {
    cents += rnd() < 0.5 ? -1 : 1;
    buf += `${i + 1},${(cents / 100).toFixed(2)},${(0.01 + Math.floor(rnd() * 50) / 100).toFixed(3)},${i},${i},${t0 + i * 20},${rnd() < 0.5}\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "close");
}

const FULL = `
import { loadConfig } from "#src/config/config.ts";
import { runBacktest } from "#src/research/backtest/backtest.ts";
const config = loadConfig({ overrides: ["symbols=ETHUSDT", "strategy.name=impulse", ...process.argv.slice(3)] });
let r, c;
for (let i = Number(process.argv[2]); i > 0; i--) {
  const c0 = process.cpuUsage();
  r = await runBacktest({ files: [process.argv[1]], config });
  c = process.cpuUsage(c0);
}
const ms = (c.user + c.system) / 1000;
// One collection can leave garbage that the next one frees (a snapshot's full GC found less than
// one gc() call did): collect until the heap stops shrinking, so the figure is what the run holds.
let heapUsed = Infinity;
for (let i = 0; i < 10; i++) {
  globalThis.gc();
  const used = process.memoryUsage().heapUsed;
  if (used >= heapUsed) break;
  heapUsed = used;
}
console.log(JSON.stringify({ events: r.report.backtest.data.events, ms, maxRssKb: process.resourceUsage().maxRSS, heapAfterGcKb: Math.round(heapUsed / 1024) }));
`;

const BARE = `
import { readMarketFile } from "#src/research/data/reader.ts";
import { createStrategy } from "#src/strategies/registry.ts";
const view = { now: () => 0, positionQty: () => 0, hasWorkingOrders: () => false };
const tick = 10n ** 16n;
let events, c;
for (let i = Number(process.argv[2]); i > 0; i--) {
  const s = createStrategy("impulse", {});
  const c0 = process.cpuUsage();
  events = 0;
  for await (const r of readMarketFile(process.argv[1])) {
    if (r.kind !== "trade") continue;
    events++;
    const bid = r.takerSide === "sell" ? r.price : r.price - tick;
    const book = { type: "market.book", ts: r.ts, symbol: r.symbol, bid, bidQty: r.qty, ask: bid + tick, askQty: r.qty, venueTs: r.ts, afterGap: false };
    s.onTrade?.({ type: "market.trade", ts: r.ts, symbol: r.symbol, price: r.price, qty: r.qty, side: r.takerSide, venueTs: r.ts }, view);
    s.onBook(book, view);
  }
  c = process.cpuUsage(c0);
}
const ms = (c.user + c.system) / 1000;
console.log(JSON.stringify({ events, ms, maxRssKb: process.resourceUsage().maxRSS }));
`;

interface Run {
  readonly events: number;
  readonly ms: number;
  readonly maxRssKb: number;
  readonly heapAfterGcKb?: number;
}

/** One child process running `script` on `file` `runs` times; the figures are its last run's. */
function child(script: string, file: string, runs = 1, overrides: readonly string[] = []): Run {
  const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script, file, String(runs), ...overrides], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`backtest bench child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Run;
}

const rate = (r: Run): number => Math.round((r.events / r.ms) * 1000);
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Pairs {
  readonly full: number;
  readonly bare: number;
  readonly ratio: number;
  readonly fullRuns: readonly Run[];
}

/**
 * `n` runtime/bare-loop pairs run in turn, each child running the file `runs` times (its last run
 * counts); `overrides` are the runtime's configuration beyond impulse on ETHUSDT.
 */
function pairs(file: string, n: number, runs: number, overrides: readonly string[] = []): Pairs {
  const fullRuns: Run[] = [];
  const ratios: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = child(FULL, file, runs, overrides);
    const b = child(BARE, file, runs);
    fullRuns.push(f);
    bare.push(rate(b));
    ratios.push(rate(f) / rate(b));
  }
  return { full: Math.round(median(fullRuns.map(rate))), bare: Math.round(median(bare)), ratio: median(ratios), fullRuns };
}

const row = (name: string, p: Pairs, baselineName: string): BenchResult => ({
  name,
  unit: "events/cpu-s",
  value: p.full,
  baselineName,
  baselineValue: p.bare,
  ratio: Number(p.ratio.toFixed(3)),
});

const PAIRS = 5;

export async function runBacktestBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "hean-bench-bt-"));
  try {
    const one = join(dir, "ETHUSDT-aggTrades-2025-01-07.csv");
    const ten = join(dir, "ETHUSDT-aggTrades-2025-01-08.csv");
    await writeAggTrades(one, EVENTS);
    await writeAggTrades(ten, EVENTS * 10);
    const cold = pairs(one, PAIRS, 1);
    const warm = pairs(one, 3, 3);
    // The same strategy on every trade and book, told never to enter: the runtime's cost per
    // event without the order path (what a row's gap owes to trading, in every bench run).
    const noOrders = pairs(one, 3, 1, ["strategy.params.entryZ=999"]);
    // Peak RSS and heap on 1×: the runtime run with the median rate.
    const full = [...cold.fullRuns].sort((a, b) => rate(a) - rate(b))[cold.fullRuns.length >> 1]!;
    const big = child(FULL, ten);
    const rss1 = Math.round(full.maxRssKb / 1024);
    const rss10 = Math.round(big.maxRssKb / 1024);
    return [
      row(`backtest throughput, trade events through the full runtime (impulse, ${EVENTS} aggTrades; medians of ${PAIRS} pairs run in turn)`, cold, "bare loop: same reader, same strategy, no runtime"),
      row(`backtest throughput warm: the 3rd of 3 runs in one process (impulse, ${EVENTS} aggTrades; medians of 3 pairs)`, warm, "bare loop, its 3rd of 3 runs in one process"),
      row(`backtest throughput without orders: impulse told never to enter (entryZ=999; medians of 3 pairs)`, noOrders, "bare loop: same reader, same strategy, no runtime"),
      {
        name: `backtest peak RSS on 10× input (${EVENTS * 10} aggTrades)`,
        unit: "MB",
        value: rss10,
        baselineName: `peak RSS on 1× input (${EVENTS} aggTrades)`,
        baselineValue: rss1,
        ratio: Number((rss10 / rss1).toFixed(3)),
      },
      {
        // What the run holds (after a full GC at its end): peak RSS above also counts the garbage
        // V8 lets pile up before collecting, which grows with the allocation rate, not the input.
        name: `backtest heap retained after the run on 10× input (${EVENTS * 10} aggTrades)`,
        unit: "MB",
        value: Number(((big.heapAfterGcKb ?? 0) / 1024).toFixed(1)),
        baselineName: `on 1× input (${EVENTS} aggTrades)`,
        baselineValue: Number(((full.heapAfterGcKb ?? 0) / 1024).toFixed(1)),
        ratio: Number(((big.heapAfterGcKb ?? 0) / Math.max(1, full.heapAfterGcKb ?? 1)).toFixed(3)),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
