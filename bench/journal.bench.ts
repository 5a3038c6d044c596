/**
 * Journal benchmarks, each figure beside a baseline measured in the same process:
 *
 * - durable appends one at a time (append + await flush) vs a raw loop that encodes each event,
 *   writeSyncs it and fdatasyncs: what one fsync per record costs through SQLite and the writer thread;
 * - group commit (batches of 100 and 1000 per flush) vs the same raw loop with one fdatasync per
 *   batch (targets: ≥ 100k events/s).
 *   Both sides get the same events, built before the clock starts (building them is the caller's
 *   work, not the journal's), and both encode them with the journal's codec: a log of these
 *   events cannot skip serializing them, so the raw loop is the least durable work per event.
 *   The two take turns in rounds (raw first in even rounds, the journal first in odd ones) and
 *   each side's time is summed over its rounds: on a shared machine the disk's fsync latency
 *   drifts several-fold within a minute, and timing one whole side after the other measured
 *   the drift as much as the journal (ratios of 0.65-1.76 between back-to-back runs);
 * - the kill switch's durable step as latency (append one record + flushUrgent, p50 and p99) vs one
 *   raw encode + writeSync + fdatasync, alternating record by record;
 * - event-loop lag p99 while journaling 50k events/s with the worker writer, vs the same tick
 *   loop idle; and, for contrast, the inline writer (fsync on the event loop) under the same load;
 * - replay of 1M events (read, verify, decode, apply) vs plain JSON.parse of the same 1M
 *   payloads (target: < 3 s); and the boot-time tail check of the same journal without snapshots.
 *
 * Run alone with `node bench/journal.bench.ts`; `node bench/run.ts journal` runs it with the rest.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import type hdr from "hdr-histogram-js";
import { dec, type Dec } from "../src/core/decimal.ts";
import type { HeanEvent } from "../src/core/events.ts";
import { encodeEvent } from "../src/journal/codec.ts";
import { SqliteJournal } from "../src/journal/sqlite-journal.ts";
import type { WriterMode } from "../src/journal/types.ts";
import { microsecondHistogram } from "./histogram.ts";
import type { BenchResult } from "./result.ts";

const ONE_AT_A_TIME = 2_000;
/** Urgent commits timed one by one (each beside a raw fdatasync): 20 samples above the p99. */
const URGENT_SAMPLES = 2_000;
const GROUP_EVENTS = { 100: 100_000, 1000: 200_000 } as const;
/** Group commit and its raw baseline take turns this many times (each round a multiple of 1000 events). */
const GROUP_ROUNDS = 10;
const LAG_MS = 1_500;
const LAG_EVENTS_PER_TICK = 50; // one tick per ms: 50k events/s offered
const REPLAY_EVENTS = 1_000_000;

const result = (name: string, unit: string, value: number, baselineName: string, baselineValue: number): BenchResult => ({
  name,
  unit,
  value,
  baselineName,
  baselineValue,
  ratio: value / baselineValue,
});

/** A realistic mix: half marks, then fills, intents, acks and sends (~200 bytes encoded on average). */
function benchEvent(i: number): HeanEvent {
  const ts = 1_767_225_600_000 + i;
  const k = i % 10;
  if (k < 5) return { type: "mark", ts, symbol: "BTCUSDT", bid: dec(`${64000 + (i % 97)}.4`), ask: dec(`${64000 + (i % 97)}.5`) };
  if (k < 7) {
    return {
      type: "order.filled",
      ts,
      fillId: `exec-${i}`,
      clientOrderId: `hean-impulse-${i}`,
      venueOrderId: `v-${i}`,
      symbol: "BTCUSDT",
      side: k === 5 ? "buy" : "sell",
      price: dec("64123.5"),
      qty: dec("0.012"),
      fee: dec("-0.00012345"),
      liquidity: "maker",
      venueTs: ts,
      source: "stream",
    };
  }
  if (k < 8) {
    return {
      type: "order.intent",
      ts,
      clientOrderId: `hean-impulse-${i}`,
      strategyId: "impulse",
      symbol: "BTCUSDT",
      side: "buy",
      orderType: "limit",
      qty: dec("0.012"),
      price: dec("64123.5"),
      timeInForce: "POST_ONLY",
      reduceOnly: false,
      purpose: "entry",
      arrivalMid: dec("64123.45"),
    };
  }
  if (k < 9) return { type: "order.accepted", ts, clientOrderId: `hean-impulse-${i}`, venueOrderId: `v-${i}` };
  return { type: "order.submitted", ts, clientOrderId: `hean-impulse-${i}`, attempt: 1 };
}

// ------------------------------------------------------------------ baselines: raw file + fdatasync

/** Events 0..count, built ahead so that neither side times building them. */
function benchEvents(count: number): HeanEvent[] {
  return Array.from({ length: count + 1 }, (_, i) => benchEvent(i));
}

/** Encode, writeSync each record, one fdatasync per `perSync` records: events[1..]. */
function rawDurableRecordsPerSecond(path: string, events: readonly HeanEvent[], perSync: number): number {
  const fd = openSync(path, "w");
  const records = events.length - 1;
  try {
    const started = performance.now();
    for (let i = 1; i <= records; i += perSync) {
      for (let k = 0; k < perSync; k++) writeSync(fd, encodeEvent(events[i + k]!) + "\n");
      fdatasyncSync(fd);
    }
    return records / ((performance.now() - started) / 1000);
  } finally {
    closeSync(fd);
  }
}

// ------------------------------------------------------------------ journal throughput

async function durableOneAtATime(path: string, events: readonly HeanEvent[]): Promise<number> {
  const journal = SqliteJournal.open(path);
  const records = events.length - 1;
  try {
    await journal.appendDurable(events[0]!); // the writer thread is up
    const started = performance.now();
    for (let i = 1; i <= records; i++) {
      journal.append(events[i]!);
      await journal.flush();
    }
    return records / ((performance.now() - started) / 1000);
  } finally {
    journal.close();
  }
}

/**
 * The kill switch's durable step on its own, as latency: one record appended and `flushUrgent()`
 * awaited (the urgent file written and fdatasynced on this thread, urgent-log.ts), beside one
 * record encoded, written and fdatasynced by hand on the same disk. The two alternate record by record, so that
 * the disk's drift lands on both. This is the floor under "kill-switch reaction p99 with
 * durability=full": the reaction cannot be faster than the commit that must precede the close.
 */
async function urgentCommitLatency(dir: string, events: readonly HeanEvent[]): Promise<{ journal: hdr.Histogram; raw: hdr.Histogram }> {
  const journalHist = microsecondHistogram();
  const rawHist = microsecondHistogram();
  const journal = SqliteJournal.open(join(dir, "urgent.db"), { durability: "full" });
  const fd = openSync(join(dir, "urgent-raw.log"), "w");
  const us = (fromMs: number): number => Math.max(1, Math.round((performance.now() - fromMs) * 1000));
  try {
    await journal.appendDurable(events[0]!); // the writer thread is up
    for (let i = 1; i < events.length; i++) {
      let t = performance.now();
      journal.append(events[i]!);
      await journal.flushUrgent();
      journalHist.recordValue(us(t));
      t = performance.now();
      writeSync(fd, encodeEvent(events[i]!) + "\n");
      fdatasyncSync(fd);
      rawHist.recordValue(us(t));
      // The writer commits the same record too: a kill switch meets a writer that is mostly idle,
      // so the next sample waits a moment (without its fsync sharing the disk with this one's).
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return { journal: journalHist, raw: rawHist };
  } finally {
    closeSync(fd);
    journal.close();
  }
}

/**
 * events[1..] through the journal (`batch` appends, then await flush) and through the raw loop
 * (`batch` × encode + writeSync, then fdatasync), in alternating rounds; events/s for each side.
 */
async function groupCommitAndRaw(dir: string, events: readonly HeanEvent[], batch: number): Promise<{ journal: number; raw: number }> {
  const total = events.length - 1;
  const perRound = total / GROUP_ROUNDS;
  if (!Number.isInteger(perRound / batch)) throw new Error(`${total} events do not split into ${GROUP_ROUNDS} rounds of whole batches of ${batch}`);
  const fd = openSync(join(dir, `raw-group-${batch}.log`), "w");
  const journal = SqliteJournal.open(join(dir, `group-${batch}.db`));
  let rawMs = 0;
  let journalMs = 0;
  const rawRound = (from: number, to: number): void => {
    const started = performance.now();
    for (let i = from; i < to; i += batch) {
      for (let k = 0; k < batch; k++) writeSync(fd, encodeEvent(events[i + k]!) + "\n");
      fdatasyncSync(fd);
    }
    rawMs += performance.now() - started;
  };
  const journalRound = async (from: number, to: number): Promise<void> => {
    const started = performance.now();
    for (let i = from; i < to; i += batch) {
      for (let k = 0; k < batch; k++) journal.append(events[i + k]!);
      await journal.flush();
    }
    journalMs += performance.now() - started;
  };
  try {
    await journal.appendDurable(events[0]!); // the writer thread is up
    for (let round = 0; round < GROUP_ROUNDS; round++) {
      const from = 1 + round * perRound;
      const to = from + perRound;
      if (round % 2 === 0) {
        rawRound(from, to);
        await journalRound(from, to);
      } else {
        await journalRound(from, to);
        rawRound(from, to);
      }
    }
    return { journal: total / (journalMs / 1000), raw: total / (rawMs / 1000) };
  } finally {
    closeSync(fd);
    journal.close();
  }
}

// ------------------------------------------------------------------ event-loop lag

/** p99 event-loop lag (ms) over LAG_MS of 1 ms ticks, each doing `work`. */
async function lagWhile(work: (() => void) | undefined): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await new Promise<void>((resolve) => {
    const started = performance.now();
    const tick = setInterval(() => {
      work?.();
      if (performance.now() - started >= LAG_MS) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  histogram.disable();
  // Each sample spans the whole timer interval: the lag is what exceeds the 1 ms resolution.
  return Math.max(0, histogram.percentile(99) / 1e6 - 1);
}

async function lagJournaling(path: string, writer: WriterMode): Promise<{ lagMs: number; events: number }> {
  const journal = SqliteJournal.open(path, { writer });
  let i = 0;
  try {
    await journal.appendDurable(benchEvent(i++));
    const lagMs = await lagWhile(() => {
      for (let k = 0; k < LAG_EVENTS_PER_TICK; k++) journal.append(benchEvent(i++));
      void journal.flush();
    });
    await journal.flush();
    return { lagMs, events: i };
  } finally {
    journal.close();
  }
}

// ------------------------------------------------------------------ replay

/** Writes REPLAY_EVENTS records fast (inline writer, big batches, no fsync per commit). */
function buildReplayJournal(path: string): void {
  const journal = SqliteJournal.open(path, { writer: "inline", durability: "normal" });
  try {
    for (let i = 1; i <= REPLAY_EVENTS; i++) {
      journal.append(benchEvent(i));
      if (i % 20_000 === 0) journal.flushSync();
    }
  } finally {
    journal.close();
  }
}

/** What a replay does with each record, minimally: positions from fills, last marks, counts. */
class ReplayState {
  readonly position = new Map<string, Dec>();
  readonly marks = new Map<string, { bid: Dec; ask: Dec }>();
  readonly intents = new Set<string>();
  events = 0;

  apply(event: HeanEvent): void {
    this.events++;
    switch (event.type) {
      case "order.filled": {
        const signed = event.side === "buy" ? event.qty : ((-event.qty) as Dec);
        this.position.set(event.symbol, ((this.position.get(event.symbol) ?? 0n) + signed) as Dec);
        break;
      }
      case "mark":
        this.marks.set(event.symbol, { bid: event.bid, ask: event.ask });
        break;
      case "order.intent":
        this.intents.add(event.clientOrderId);
        break;
      default:
        break;
    }
  }
}

function replaySeconds(path: string): { openSeconds: number; replaySeconds: number } {
  const openStarted = performance.now();
  const journal = SqliteJournal.open(path, { writer: "inline" });
  const openSeconds = (performance.now() - openStarted) / 1000;
  try {
    const started = performance.now();
    const state = new ReplayState();
    for (const record of journal.read()) state.apply(record.event);
    const replaySeconds = (performance.now() - started) / 1000;
    if (state.events !== REPLAY_EVENTS) throw new Error(`replayed ${state.events} of ${REPLAY_EVENTS}`);
    return { openSeconds, replaySeconds };
  } finally {
    journal.close();
  }
}

function plainParseSeconds(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  let payloads: string[];
  try {
    const statement = db.prepare("SELECT payload FROM events ORDER BY seq");
    statement.setReturnArrays(true);
    payloads = (statement.all() as unknown as [string][]).map((row) => row[0]);
  } finally {
    db.close();
  }
  const started = performance.now();
  let keys = 0;
  for (const payload of payloads) keys += (JSON.parse(payload) as { ts: number }).ts > 0 ? 1 : 0;
  const seconds = (performance.now() - started) / 1000;
  if (keys !== payloads.length) throw new Error("parse check failed");
  return seconds;
}

// ------------------------------------------------------------------ all

export async function runJournalBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "hean-journal-bench-"));
  const at = (name: string): string => join(dir, name);
  try {
    const results: BenchResult[] = [];

    const singles = benchEvents(ONE_AT_A_TIME);
    const rawSingle = rawDurableRecordsPerSecond(at("raw-single.log"), singles, 1);
    const single = await durableOneAtATime(at("single.db"), singles);
    results.push(
      result("journal durable appends one at a time (append + await flush)", "events/s", single, "raw encode + writeSync + fdatasync per record", rawSingle),
    );

    const urgent = await urgentCommitLatency(dir, benchEvents(URGENT_SAMPLES));
    const ms = (h: hdr.Histogram, p: number): number => h.getValueAtPercentile(p) / 1000;
    results.push(
      result("journal urgent commit p50 (append 1 + flushUrgent, durability=full): the kill switch's durable step", "ms", ms(urgent.journal, 50), "raw encode + writeSync + fdatasync p50, same disk", ms(urgent.raw, 50)),
      result("journal urgent commit p99 (append 1 + flushUrgent, durability=full): the kill switch's durable step", "ms", ms(urgent.journal, 99), "raw encode + writeSync + fdatasync p99, same disk", ms(urgent.raw, 99)),
    );

    for (const batch of [100, 1000] as const) {
      const { journal, raw } = await groupCommitAndRaw(dir, benchEvents(GROUP_EVENTS[batch]), batch);
      results.push(
        result(
          `journal group commit, ${batch} appends per flush (target ≥ 100k)`,
          "events/s",
          journal,
          `raw ${batch} × (encode + writeSync) + 1 fdatasync`,
          raw,
        ),
      );
    }

    const idle = await lagWhile(undefined);
    const worker = await lagJournaling(at("lag-worker.db"), "worker");
    const inline = await lagJournaling(at("lag-inline.db"), "inline");
    const offered = `${LAG_EVENTS_PER_TICK}k events/s`;
    results.push(
      result(`event-loop lag p99 while journaling ${offered} (worker writer)`, "ms", worker.lagMs, "idle event loop, same 1 ms ticks", idle),
      result(`event-loop lag p99 while journaling ${offered} (inline writer, fsync on the loop)`, "ms", inline.lagMs, "idle event loop, same 1 ms ticks", idle),
    );

    const replayPath = at("replay.db");
    buildReplayJournal(replayPath);
    const parse = plainParseSeconds(replayPath);
    const { openSeconds, replaySeconds: replay } = replaySeconds(replayPath);
    results.push(
      result("journal replay of 1M events: read + verify + decode + apply (target < 3 s)", "s", replay, "plain JSON.parse of the same 1M payloads", parse),
      result("journal open of 1M events without snapshot: tail check", "s", openSeconds, "plain JSON.parse of the same 1M payloads", parse),
    );
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { formatTable } = await import("./run.ts");
  process.stdout.write(formatTable(await runJournalBench()) + "\n");
}
