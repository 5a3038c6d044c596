/**
 * A long run: the real runtime (engine, SQLite journal on a temporary file, risk, router,
 * executor, trading loop, the simulated venue's paper account) on a simulated clock for
 * HEAN_BENCH_LONGRUN_DAYS days (default 30), with a strategy that trades all day. Each figure
 * of the last day beside the same figure of day 1 (the warm-up), so a ratio near 1 means the
 * figure does not grow with the age of the run:
 *
 * - journal bytes written per simulated day, and the journal's size;
 * - snapshot time: the engine's own snapshots (every `journal.snapshotEvery` records), each
 *   `Engine.snapshot()` call timed — state copy, encode and SQLite write, all three on the event
 *   loop with the inline writer used here — and the stored snapshot's size;
 * - restart replay: after the snapshot `Runtime.stop` takes, a copy of the journal opened and its
 *   state rebuilt as `Runtime.open` does on boot (`SqliteJournal.open` + `replayJournal`: the
 *   latest snapshot, then the records after it). A restart after a crash also replays the records
 *   since the engine's last snapshot, at most `journal.snapshotEvery` (10,000) of them;
 * - heap used after a full GC, and RSS;
 * - wall time to simulate one day (a per-event cost that grows with the state shows up here).
 *
 * HEAN_BENCH_LONGRUN_HEAPSNAPSHOTS=3,6 writes a heap snapshot after the full GC of those days
 * (into the working directory): compare two in DevTools to see what still grows.
 *
 * Rates, chosen so that 30 days take about two to three minutes on a 2-vCPU machine: the
 * simulated venue moves both books every 5 s of simulated time (`sim.updatesPerSecond=0.2`:
 * 17,280 updates per symbol and day), and `churn` opens a position on each symbol every 2
 * minutes and closes it 30 s later, through the maker-first router (1,440 round trips a day).
 * Every other timer of the runtime runs at its production period (risk watchdog every 250 ms,
 * strategy timer every second, marks journaled with each book while a position is open). The
 * account is large (10 M USDT; orders stay capped at the default 1,000 USDT) so that 30 days of
 * fees never move the risk governor: the run trades on its last day as on its first.
 *
 * The journal uses the inline writer with `durability=normal`, as backtests do: the simulated
 * clock only moves once an intent's commit has resolved, and a writer thread would make every
 * intent wait on a message from another thread in real time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync, backup } from "node:sqlite";
import { writeHeapSnapshot } from "node:v8";
import { SimClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/config/config.ts";
import { replayJournal } from "../src/engine/replay.ts";
import { SqliteJournal } from "../src/journal/sqlite-journal.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { fullGc } from "./full-gc.ts";
import type { BenchResult } from "./result.ts";

const DAYS = Number(process.env["HEAN_BENCH_LONGRUN_DAYS"] ?? 30);
const DAY_MS = 86_400_000;
/** Restart replays timed per measured day (one copy of the journal, opened this many times); the median is kept. */
const REPLAYS = 3;
const HEAP_SNAPSHOT_DAYS = new Set((process.env["HEAN_BENCH_LONGRUN_HEAPSNAPSHOTS"] ?? "").split(",").filter((x) => x !== "").map(Number));

interface DayFigures {
  readonly day: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Bytes of the journal's pages in use (records and the snapshots kept), not its free pages. */
  readonly journalBytes: number;
  /** The same without the snapshots kept: what the records take. */
  readonly recordBytes: number;
  readonly fileBytes: number;
  readonly records: number;
  /** Median time of the engine's snapshots taken during the day (NaN: none was taken). */
  readonly snapshotMs: number;
  readonly snapshots: number;
  readonly snapshotBytes: number;
  /** Undefined on the days the restart is not timed. */
  readonly replay: { readonly ms: number; readonly records: number } | undefined;
  readonly heapMb: number;
  readonly rssMb: number;
  readonly ordersInState: number;
  readonly trades: number;
}

const median = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

export async function runLongrunBench(): Promise<BenchResult[]> {
  if (!Number.isInteger(DAYS) || DAYS < 2) throw new Error(`HEAN_BENCH_LONGRUN_DAYS must be an integer ≥ 2, got ${process.env["HEAN_BENCH_LONGRUN_DAYS"]}`);
  const gc = fullGc();
  const dir = mkdtempSync(join(tmpdir(), "hean-longrun-"));
  const path = join(dir, "journal.db");
  const clock = new SimClock(Date.UTC(2026, 0, 5));
  const config = loadConfig({
    overrides: [
      `journal.path=${JSON.stringify(path)}`,
      'journal.durability="normal"',
      "sim.updatesPerSecond=0.2",
      "sim.jitterMs=0",
      "strategy.name=churn",
      "strategy.params.intervalMs=120000",
      "strategy.params.holdMs=30000",
      'strategy.params.sides="alternate"',
      "initialCash=10000000",
    ],
  });
  const journal = SqliteJournal.open(path, { durability: "normal", writer: "inline" });
  const rt = await Runtime.start({ config, clock, busMode: "sync", journal });

  // Every snapshot the engine takes on its own, timed where it runs.
  const snapshotTimes: number[] = [];
  const takeSnapshot = rt.engine.snapshot.bind(rt.engine);
  rt.engine.snapshot = (): void => {
    const started = performance.now();
    takeSnapshot();
    snapshotTimes.push(performance.now() - started);
  };

  // A second connection reads sizes and takes consistent copies while the runtime keeps the file open.
  const reader = new DatabaseSync(path, { readOnly: true });
  const pragma = (name: string): number => Object.values(reader.prepare(`PRAGMA ${name}`).get()!)[0] as number;
  const pageSize = pragma("page_size");
  const keptSnapshotBytes = (): number => (reader.prepare("SELECT coalesce(sum(length(CAST(state AS BLOB))), 0) AS n FROM snapshots").get() as { n: number }).n;
  const lastSnapshotBytes = (): number => (reader.prepare("SELECT length(state) AS n FROM snapshots ORDER BY seq DESC LIMIT 1").get() as { n: number } | undefined)?.n ?? 0;

  /** An intent waits on its journal commit (a promise) before it reaches the venue: time moves on only once it went out. */
  const letIntentsGoOut = async (): Promise<void> => {
    const started = performance.now();
    while (rt.executor.sending) {
      if (performance.now() - started > 30_000) throw new Error("an intent has waited 30 s of real time for its journal commit");
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Timer by timer up to `target` (as the backtest driver moves), so that what a timer starts goes out at that timer's time. */
  const runUntil = async (target: number): Promise<void> => {
    let fired = 0;
    for (;;) {
      if (rt.executor.sending) await letIntentsGoOut();
      const next = clock.nextDueAt();
      if (next === undefined || next > target) break;
      clock.advanceTo(Math.max(next, clock.now()));
      // Now and then a turn of the event loop, for whatever else waits on one.
      if (++fired % 1024 === 0) await new Promise((r) => setImmediate(r));
    }
    clock.advanceTo(target);
    await letIntentsGoOut();
  };

  /** A clean restart: the snapshot `Runtime.stop` takes, then the journal copied, reopened and replayed. */
  const restartReplay = async (day: number): Promise<{ ms: number; records: number }> => {
    takeSnapshot();
    await rt.engine.flush();
    const copy = join(dir, `restart-day-${day}.db`);
    await backup(reader, copy);
    const times: number[] = [];
    let records = 0;
    try {
      for (let i = 0; i < REPLAYS; i++) {
        const started = performance.now();
        const reopened = SqliteJournal.open(copy, { durability: "normal", writer: "inline" });
        try {
          const { recentTerminalOrders, rememberedOrders, rememberedFillIds } = config.journal;
          records = replayJournal(reopened, config.initialCash, { recentTerminalOrders, rememberedOrders, rememberedFillIds }).report.eventsReplayed;
        } finally {
          reopened.close();
        }
        times.push(performance.now() - started);
      }
    } finally {
      for (const suffix of ["", "-wal", "-shm", ".lock"]) rmSync(copy + suffix, { force: true });
    }
    return { ms: median(times), records };
  };

  const middleDay = Math.ceil(DAYS / 2);
  const days: DayFigures[] = [];
  try {
    const t0 = clock.now();
    for (let day = 1; day <= DAYS; day++) {
      snapshotTimes.length = 0;
      const started = performance.now();
      const cpu = process.cpuUsage();
      await runUntil(t0 + day * DAY_MS);
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - started;
      await rt.engine.flush();
      const replay = day === 1 || day === middleDay || day === DAYS ? await restartReplay(day) : undefined;
      gc();
      if (HEAP_SNAPSHOT_DAYS.has(day)) process.stderr.write(`  heap snapshot: ${writeHeapSnapshot(`longrun-day-${day}.heapsnapshot`)}\n`);
      const memory = process.memoryUsage();
      const journalBytes = (pragma("page_count") - pragma("freelist_count")) * pageSize;
      const f: DayFigures = {
        day,
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        journalBytes,
        recordBytes: journalBytes - keptSnapshotBytes(),
        fileBytes: pragma("page_count") * pageSize,
        records: rt.engine.journal.lastSeq(),
        snapshotMs: median(snapshotTimes),
        snapshots: snapshotTimes.length,
        snapshotBytes: lastSnapshotBytes(),
        replay,
        heapMb: memory.heapUsed / 1e6,
        rssMb: memory.rss / 1e6,
        ordersInState: rt.engine.state.orders.size,
        trades: rt.engine.state.performance.ledger.totals().trades,
      };
      days.push(f);
      process.stderr.write(
        `  day ${day}: ${(wallMs / 1000).toFixed(1)} s (cpu ${(f.cpuMs / 1000).toFixed(1)} s), journal ${(f.journalBytes / 1e6).toFixed(1)} MB in use (records ${(f.recordBytes / 1e6).toFixed(1)} MB) / ${(f.fileBytes / 1e6).toFixed(1)} MB file, ${f.records} records, ` +
          `${f.snapshots} snapshots ${f.snapshotMs.toFixed(0)} ms / ${(f.snapshotBytes / 1e3).toFixed(0)} kB, ` +
          (replay === undefined ? "" : `replay ${replay.ms.toFixed(0)} ms (${replay.records} records after the snapshot), `) +
          `heap ${f.heapMb.toFixed(1)} MB, RSS ${f.rssMb.toFixed(0)} MB, ${f.ordersInState} orders in state, ${f.trades} trades\n`,
      );
    }
  } finally {
    reader.close();
    const stopping = rt.stop("bench done");
    // Shutdown waits on the simulated clock for cancels to settle: keep time moving.
    let done = false;
    void stopping.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      clock.advance(20);
      await new Promise((r) => setImmediate(r));
    }
    await stopping;
    rmSync(dir, { recursive: true, force: true });
  }

  const first = days[0]!;
  const last = days[days.length - 1]!;
  const middle = days[middleDay - 1]!;
  const writtenOn = (i: number): number => days[i]!.recordBytes - (i === 0 ? 0 : days[i - 1]!.recordBytes);
  const label = `long run, ${DAYS} simulated days`;
  const row = (name: string, unit: string, value: number, baselineName: string, baselineValue: number): BenchResult => ({
    name: `${label}: ${name}`,
    unit,
    value: Number(value.toPrecision(4)),
    baselineName,
    baselineValue: Number(baselineValue.toPrecision(4)),
    ratio: baselineValue === 0 ? 0 : Number((value / baselineValue).toFixed(3)),
  });
  return [
    row(`journal bytes of the records written on day ${DAYS}`, "MB/day", writtenOn(days.length - 1) / 1e6, "on day 1", writtenOn(0) / 1e6),
    row(`journal size after day ${DAYS} (pages in use: records and the 3 snapshots kept)`, "MB", last.journalBytes / 1e6, "after day 1", first.journalBytes / 1e6),
    row(`snapshot time on day ${DAYS} (median of the engine's snapshots that day: copy + encode + write)`, "ms", last.snapshotMs, "on day 1", first.snapshotMs),
    row(`snapshot size at the end of day ${DAYS}`, "kB", last.snapshotBytes / 1e3, "at the end of day 1", first.snapshotBytes / 1e3),
    row(`restart replay after day ${DAYS} (open journal + latest snapshot + tail, median of ${REPLAYS})`, "ms", last.replay!.ms, "after day 1", first.replay!.ms),
    row(`heap used after a full GC, end of day ${DAYS}`, "MB", last.heapMb, "end of day 1 (warm-up)", first.heapMb),
    row(`RSS, end of day ${DAYS}`, "MB", last.rssMb, "end of day 1 (warm-up)", first.rssMb),
    // The state's windows (retired orders, fill ids, the ledger's parents) fill over the first
    // days and then hold: the second half of the run shows whether anything still grows.
    row(`snapshot size at the end of day ${DAYS}, beside the middle of the run`, "kB", last.snapshotBytes / 1e3, `at the end of day ${middleDay}`, middle.snapshotBytes / 1e3),
    row(`heap used after a full GC, end of day ${DAYS}, beside the middle of the run`, "MB", last.heapMb, `end of day ${middleDay}`, middle.heapMb),
    row(`wall time to simulate day ${DAYS}`, "s", last.wallMs / 1000, "day 1", first.wallMs / 1000),
  ];
}

if (import.meta.main) {
  const { formatTable } = await import("./run.ts");
  process.stdout.write(formatTable(await runLongrunBench()) + "\n");
}
