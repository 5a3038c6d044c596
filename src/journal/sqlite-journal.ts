/**
 * The journal: an append-only, gapless, checksum-chained log of state-changing events in one
 * SQLite file (WAL mode), with snapshots for fast boots.
 *
 * Appends are encoded on the caller's thread and buffered; everything appended in one turn of
 * the event loop goes to the writer as one batch, and the writer commits whatever has queued in
 * one transaction (group commit). With the default worker writer, commits and fsyncs run on a
 * worker thread and never stall the event loop. `flush()` resolves once everything appended so
 * far is durable; an order intent must be flushed before it goes on the wire. The kill switch's
 * `flushUrgent()` makes records durable in a small file beside the journal instead of waiting for
 * the writer (urgent-log.ts); a journal opened after a crash first takes in what that file holds.
 *
 * A journal that cannot make records durable says so loudly: `flush()` rejects, `append()`
 * throws, `onFailure` is called once. Nothing is ever dropped silently.
 */
import { rmSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { serialize } from "node:v8";
import type { MessagePort } from "node:worker_threads";
import type { Clock } from "../core/clock.ts";
import { HeanError } from "../core/errors.ts";
import type { HeanEvent } from "../core/events.ts";
import { ChainVerifier } from "./chain-verifier.ts";
import { chainSeed } from "./checksum.ts";
import { encodeEvent, encodeValue } from "./codec.ts";
import { DurableWaiters, ignore, rejected } from "./durable-waiters.ts";
import { InlineWriter } from "./inline-writer.ts";
import type { JournalLock } from "./journal-lock.ts";
import { type OpenedFile, openJournalFile, type ResolvedOptions, resolveOptions } from "./open-journal.ts";
import { PAGE, RecordReader } from "./record-reader.ts";
import { latestValidSnapshot } from "./snapshots.ts";
import { journalIoError } from "./sqlite-errors.ts";
import type { JournalOptions, JournalProblem, JournalRecord, JournalStats, Recovery, Snapshot } from "./types.ts";
import { UrgentLog, urgentLogPath } from "./urgent-log.ts";
import { WorkerWriter } from "./worker-writer.ts";
import type { JournalWriter, WriterConfig, WriterListener } from "./writer.ts";
import type { EventBatch } from "./write-jobs.ts";

/**
 * Records appended in one turn go to a streaming writer in chunks of this many, so its thread
 * inserts them while the caller is still encoding the rest; they all commit together at the
 * end of the turn (one fsync, as before). What the writer still has to do after the turn's last
 * batch (deserialize, wake, insert) is on the flush's critical path: with 256, a 100-record
 * flush got no overlap at all and a 1000-record one left 232 rows for the end. 64 leaves at most
 * 63 (two multi-row INSERTs' worth, see batch-committer.ts) for one extra message per 64
 * records; 32 cost ~50 µs more CPU per 100-record turn than 256, 64 ~10 µs.
 */
const STREAM_CHUNK = 64;

/** With `commitAt: "flush"`: records held before they go to the writer unasked (bounds the memory they take). */
const HELD_CHUNK = 1024;

/**
 * The id a journal shows its users (client order ids derive from it) instead of the stored one:
 * a backtest shows a fixed one, so that two runs of it give the same ids. The stored id and the
 * records' checksum chain are the file's own either way.
 */
export interface PresentedIdentity {
  readonly journalId?: string;
}

export class SqliteJournal {
  readonly path: string;
  readonly journalId: string;
  readonly createdAt: number;
  readonly configFingerprint: string | undefined;
  /** What opening found at the tail and cut off, if anything. */
  readonly recovery: Recovery;
  /** Records a crash had left only in the urgent file, committed by this open (urgent-log.ts). */
  readonly urgentRestored: number;

  readonly #db: DatabaseSync;
  readonly #lock: JournalLock;
  readonly #reader: RecordReader;
  readonly #writer: JournalWriter;
  readonly #clock: Clock;
  readonly #seed: number;
  readonly #onFailure: ((error: HeanError) => void) | undefined;
  /** Commit what a turn appended at the turn's end (`commitAt: "turn"`), or hold it for the next flush. */
  readonly #commitEachTurn: boolean;
  readonly #snapshotProblems: JournalProblem[];
  #lastSeq: number;
  /** Durable in the journal or in the urgent file: what `flush()` promises. */
  #durableSeq: number;
  /** The kill switch's own durable write (worker writer only: the inline writer commits at once anyway). */
  #urgentLog: UrgentLog | undefined;
  /** With `durability: "full"` the urgent file is fdatasynced; with "normal" a write (it survives a process crash) is enough. */
  readonly #syncUrgent: boolean;
  /** Batches posted to the writer and not yet committed: what an urgent write must hold. Kept only with an urgent file. */
  #inFlight: EventBatch[] = [];
  /** A chunk of this turn went to the writer with `more`: the turn's last batch must follow, even empty. */
  #streaming = false;
  #pendingTs: number[] = [];
  #pendingTypes: string[] = [];
  #pendingPayloads: string[] = [];
  #postScheduled = false;
  readonly #waiters = new DurableWaiters();
  readonly #snapshotWaiters = new Map<number, { resolve: () => void; reject: (e: HeanError) => void }>();
  #nextSnapshotId = 1;
  #batches = 0;
  #commits = 0;
  #failure: HeanError | undefined;
  #closed = false;

  /**
   * Open (or create) the journal at `path` and verify its tail. Throws JOURNAL_LOCKED while
   * another process (or another open journal here) holds it, and JOURNAL_LOSS_UNCONFIRMED for a
   * damaged journal unless `onLoss: "cut"` accepts cutting it back to its good prefix.
   */
  static open(path: string, options: JournalOptions & PresentedIdentity = {}): SqliteJournal {
    const resolved = resolveOptions(options);
    return new SqliteJournal(openJournalFile(path, resolved), resolved, options.onFailure, options.journalId);
  }

  /** Use `SqliteJournal.open`. */
  private constructor(opened: OpenedFile, options: ResolvedOptions, onFailure: ((error: HeanError) => void) | undefined, presentedId?: string) {
    this.path = opened.path;
    this.journalId = presentedId ?? opened.meta.journalId;
    this.createdAt = opened.meta.createdAt;
    this.configFingerprint = opened.meta.configFingerprint;
    this.recovery = opened.recovery;
    this.urgentRestored = opened.urgentRestored;
    this.#db = opened.db;
    this.#lock = opened.lock;
    this.#reader = new RecordReader(opened.db);
    this.#clock = options.clock;
    this.#seed = chainSeed(opened.meta.journalId);
    this.#onFailure = onFailure;
    this.#commitEachTurn = options.commitAt === "turn";
    this.#snapshotProblems = opened.snapshotProblems;
    this.#lastSeq = opened.tail.lastSeq;
    this.#durableSeq = opened.tail.lastSeq;
    this.#syncUrgent = options.durability === "full";
    const listener: WriterListener = {
      durable: (seq, commits) => {
        this.#commits += commits;
        this.#onCommitted(seq);
      },
      snapshotWritten: (id) => this.#onSnapshotWritten(id),
      snapshotRefused: (id, message) => this.#onSnapshotRefused(id, message),
      failed: (error) => this.#fail(error),
    };
    const config: WriterConfig = {
      path: opened.path,
      durability: options.durability,
      busyTimeoutMs: options.busyTimeoutMs,
      keepSnapshots: options.keepSnapshots,
      lastSeq: opened.tail.lastSeq,
      lastChecksum: opened.tail.lastChecksum,
    };
    this.#urgentLog = prepareUrgentLog(opened.path, opened.meta.journalId, options.writer === "worker");
    try {
      this.#writer = options.writer === "inline" ? new InlineWriter(config, listener) : new WorkerWriter(config, listener);
    } catch (e) {
      this.#urgentLog?.close(false);
      opened.db.close();
      opened.lock.release();
      throw e;
    }
  }

  /** Assign the next seq and buffer the record; durable after the next `flush()` resolves. */
  append(event: HeanEvent): number {
    this.#assertWritable();
    const payload = encodeEvent(event); // throws EVENT_INVALID before anything changes
    const seq = ++this.#lastSeq;
    this.#pendingTs.push(event.ts);
    this.#pendingTypes.push(event.type);
    this.#pendingPayloads.push(payload);
    if (!this.#commitEachTurn) {
      if (this.#pendingPayloads.length >= HELD_CHUNK) this.#post();
      return seq;
    }
    if (!this.#postScheduled) {
      this.#postScheduled = true;
      queueMicrotask(this.#postTask); // the turn's last batch, which commits
    }
    if (this.#pendingPayloads.length >= STREAM_CHUNK && this.#writer.streams === true) this.#post(true);
    return seq;
  }

  /** Append and wait until the record is durable (what an order intent needs before the wire). */
  async appendDurable(event: HeanEvent): Promise<number> {
    const seq = this.append(event);
    await this.flush();
    return seq;
  }

  /** Resolves when everything appended so far is durable; rejects if the journal has failed. */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return rejected(this.#failure);
    if (this.#closed) return rejected(closedError(this.path));
    const target = this.#lastSeq;
    if (this.#durableSeq >= target) return Promise.resolve();
    this.#post();
    if (this.#failure !== undefined) return rejected(this.#failure);
    if (this.#durableSeq >= target) return Promise.resolve(); // the inline writer commits during #post
    return this.#waiters.waitFor(target);
  }

  /**
   * The kill switch's commit path. Same guarantee as `flush()`: resolves only once everything
   * appended so far is durable. With an urgent file (worker writer), everything the writer has
   * not committed is written there and synced on this thread, and the promise is already
   * resolved: the caller waits for no other thread (urgent-log.ts); the writer then commits the
   * same records as usual. Otherwise, or when that write fails or does not fit, what is buffered
   * goes to the writer at once (ahead of the end-of-turn batch), marked urgent so that the writer
   * commits it on its own, without grouping it with later batches or checkpointing first.
   */
  flushUrgent(): Promise<void> {
    if (this.#failure !== undefined) return rejected(this.#failure);
    if (this.#closed) return rejected(closedError(this.path));
    const target = this.#lastSeq;
    if (this.#durableSeq >= target) return Promise.resolve();
    // The urgent file first, the writer after: its commit's fsync would compete with this one.
    if (this.#urgentLog !== undefined && this.#writeUrgent(this.#urgentLog)) {
      this.#post();
      this.#onDurable(target);
      return Promise.resolve();
    }
    // Marked before the records are posted: the writer may be draining its queue right now.
    this.#writer.expedite?.(target);
    return this.flush();
  }

  /** True when every record not yet committed (posted or still buffered) is in the urgent file now. */
  #writeUrgent(log: UrgentLog): boolean {
    this.#writer.refresh?.(); // what the writer has committed meanwhile need not be written again
    const buffered = this.#pendingPayloads.length;
    const batches =
      buffered === 0
        ? this.#inFlight
        : [...this.#inFlight, { kind: "events" as const, firstSeq: this.#lastSeq - buffered + 1, ts: this.#pendingTs, types: this.#pendingTypes, payloads: this.#pendingPayloads }];
    try {
      return log.write(batches, this.#syncUrgent);
    } catch (e) {
      // The urgent file failed (a full disk, an I/O error): the records still become durable
      // through the writer, the slower way, and the file is not written again (what a failed
      // sync left in it is unknown; a slot that is whole holds records of this journal in order,
      // which an open after a crash may add, as the writer would have).
      urgentFileWarning(urgentLogPath(this.path), "failed", e);
      this.#urgentLog = undefined;
      try {
        log.close(false);
      } catch {
        // nothing more to lose
      }
      return false;
    }
  }

  /** Blocks until everything appended so far is durable. For shutdown paths (SIGTERM) and tests. */
  flushSync(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw closedError(this.path);
    const target = this.#lastSeq;
    if (this.#durableSeq >= target) return;
    this.#post();
    try {
      this.#writer.waitDurableSync(target);
    } catch (e) {
      const error = journalIoError("flushSync failed", this.path, e);
      this.#fail(error);
      throw this.#failure ?? error;
    }
    this.#onCommitted(target);
  }

  /** The seq of the last appended record (durable or not); 0 for an empty journal. */
  lastSeq(): number {
    return this.#lastSeq;
  }

  /** The seq up to which every record is known durable. */
  durableSeq(): number {
    return this.#durableSeq;
  }

  /** Records in the journal, counting buffered ones (seqs run 1..lastSeq without gaps). */
  count(): number {
    return this.#lastSeq;
  }

  /** Counters for metrics: batches handed to the writer and commits it reported (group commit makes commits ≤ batches). */
  stats(): JournalStats {
    return {
      lastSeq: this.#lastSeq,
      durableSeq: this.#durableSeq,
      backlog: this.#lastSeq - this.#durableSeq,
      batches: this.#batches,
      commits: this.#commits,
    };
  }

  /** Why the journal stopped accepting records, if it has. */
  get failure(): HeanError | undefined {
    return this.#failure;
  }

  /** Damaged snapshots found (at open or by `latestSnapshot`) and passed over. */
  get snapshotProblems(): readonly JournalProblem[] {
    return this.#snapshotProblems;
  }

  /**
   * Durable records after `fromSeqExclusive`, decoded, each verified (sequence, chain, payload)
   * before it is yielded. A bad record throws JOURNAL_CORRUPT: it is never handed out.
   * Records still buffered or being committed are not visible; flush first to see them.
   */
  *read(fromSeqExclusive = 0): Generator<JournalRecord, void, undefined> {
    if (!Number.isSafeInteger(fromSeqExclusive) || fromSeqExclusive < 0) {
      throw new HeanError("JOURNAL_ARGUMENT", `read() needs a seq ≥ 0, got ${String(fromSeqExclusive)}`, {});
    }
    if (this.#closed) throw closedError(this.path);
    let prev = this.#seed;
    if (fromSeqExclusive > 0) {
      const row = this.#db.prepare("SELECT checksum FROM events WHERE seq = ?").get(fromSeqExclusive) as
        | { checksum: number }
        | undefined;
      if (row === undefined) {
        if (fromSeqExclusive >= this.#durableSeq) return;
        throw new HeanError("JOURNAL_CORRUPT", `record ${fromSeqExclusive} is missing`, { seq: fromSeqExclusive });
      }
      prev = row.checksum;
    }
    const verifier = new ChainVerifier(prev, fromSeqExclusive + 1);
    // Pages read here directly: one generator instead of two per record (replay is hot).
    for (;;) {
      const page = this.#reader.page(verifier.nextSeq);
      for (const row of page) {
        const event = verifier.check(row[0], row[1], row[2], row[3], row[4]);
        if (typeof event === "string") {
          throw new HeanError("JOURNAL_CORRUPT", `record ${row[0]}: ${event}`, { seq: row[0], reason: event });
        }
        yield { seq: row[0], ts: row[1], event };
      }
      if (page.length < PAGE) return;
    }
  }

  /**
   * Store the state as of record `seq` (JSON-able, may hold `Dec`s). Resolves when durable.
   * Throws EVENT_INVALID for state that would not read back the same, JOURNAL_ARGUMENT for a
   * seq that was never appended.
   */
  writeSnapshot(seq: number, state: unknown): Promise<void> {
    if (this.#failure !== undefined) return rejected(this.#failure);
    if (this.#closed) return rejected(closedError(this.path));
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > this.#lastSeq) {
      throw new HeanError("JOURNAL_ARGUMENT", `a snapshot needs the seq of an appended record (1..${this.#lastSeq}), got ${String(seq)}`, {
        seq: String(seq),
        lastSeq: this.#lastSeq,
      });
    }
    // The worker writer encodes on its thread (the refusal of state that would not read back the
    // same then rejects the returned promise instead of throwing here); the inline writer here.
    const encoded = this.#writer.encodesSnapshots === true ? serializeSnapshot(state) : encodeValue(state);
    const id = this.#nextSnapshotId++;
    const done = new Promise<void>((resolve, reject) => this.#snapshotWaiters.set(id, { resolve, reject }));
    done.catch(ignore); // callers may fire and forget (the engine does); failures reach `onFailure`
    this.#post(); // the records the snapshot describes go first
    this.#writer.submit({ kind: "snapshot", id, seq, ts: this.#clock.now(), state: encoded });
    return done;
  }

  /**
   * Pass every record committed from now on (`EventBatch[]` per commit, after it is durable) to
   * `port`, and store the snapshots with encoded state sent back on it (write-jobs.ts
   * `TapCommand`). Records appended before the call may be passed too: the other side skips
   * what it has. False when this journal's writer cannot (the inline writer).
   */
  tapCommitted(port: MessagePort): boolean {
    this.#assertWritable();
    if (this.#writer.tap === undefined) return false;
    this.#post(); // what is buffered goes first, so nothing after the tap's start is missed
    this.#writer.tap(port);
    return true;
  }

  /** The newest snapshot that verifies and decodes; damaged ones are skipped and reported in `snapshotProblems`. */
  latestSnapshot(): Snapshot | undefined {
    if (this.#closed) throw closedError(this.path);
    const found = latestValidSnapshot(this.#db, this.#durableSeq, (problem) => {
      if (!this.#snapshotProblems.some((p) => p.seq === problem.seq && p.reason === problem.reason)) {
        this.#snapshotProblems.push(problem);
      }
    });
    return found?.snapshot;
  }

  /** Flush, stop the writer and release the file. Throws (after releasing) if the flush failed. */
  close(): void {
    if (this.#closed) return;
    let flushError: unknown;
    if (this.#failure === undefined) {
      try {
        this.flushSync();
      } catch (e) {
        flushError = e;
      }
    }
    this.#closed = true;
    const outcome = this.#writer.close();
    this.#db.close();
    // A drained writer committed everything the urgent file holds; otherwise the next open needs it.
    try {
      this.#urgentLog?.close(outcome === "drained" && this.#failure === undefined);
    } catch {
      // left in place: the next open finds records it already has, and skips them
    }
    this.#urgentLog = undefined;
    // Only after the writer is done: nobody else may write while our commits are still landing.
    this.#lock.release();
    const closed = this.#failure ?? closedError(this.path);
    this.#waiters.rejectAll(closed);
    // A drained writer committed every snapshot it was given, even if we never heard back.
    for (const waiter of this.#snapshotWaiters.values()) {
      if (outcome === "drained" && this.#failure === undefined) waiter.resolve();
      else waiter.reject(closed);
    }
    this.#snapshotWaiters.clear();
    if (flushError !== undefined) throw flushError;
  }

  /** Fault injection for tests: the writer stops as if its thread had died. */
  async simulateWriterDeath(): Promise<void> {
    await this.#writer.kill();
  }

  readonly #postTask = (): void => {
    this.#postScheduled = false;
    if (this.#failure === undefined && !this.#closed) this.#post();
  };

  #post(more = false): void {
    if (this.#pendingPayloads.length === 0 && !this.#streaming) return;
    const batch = {
      kind: "events" as const,
      firstSeq: this.#lastSeq - this.#pendingPayloads.length + 1,
      ts: this.#pendingTs,
      types: this.#pendingTypes,
      payloads: this.#pendingPayloads,
      more,
    };
    this.#streaming = more;
    this.#pendingTs = [];
    this.#pendingTypes = [];
    this.#pendingPayloads = [];
    if (!more) this.#batches++; // a turn streamed in chunks is still one batch to commit
    if (this.#urgentLog !== undefined) this.#inFlight.push(batch);
    this.#writer.submit(batch);
  }

  /** The writer committed through `seq`: those batches need no urgent copy any more. */
  #onCommitted(seq: number): void {
    let done = 0;
    while (done < this.#inFlight.length && this.#inFlight[done]!.firstSeq + this.#inFlight[done]!.payloads.length - 1 <= seq) done++;
    if (done > 0) this.#inFlight.splice(0, done);
    this.#onDurable(seq);
  }

  #onDurable(seq: number): void {
    if (seq <= this.#durableSeq) return;
    this.#durableSeq = seq;
    this.#waiters.resolveUpTo(seq);
  }

  #onSnapshotWritten(id: number): void {
    const waiter = this.#snapshotWaiters.get(id);
    this.#snapshotWaiters.delete(id);
    waiter?.resolve();
  }

  #onSnapshotRefused(id: number, message: string): void {
    const waiter = this.#snapshotWaiters.get(id);
    this.#snapshotWaiters.delete(id);
    const error = new HeanError("EVENT_INVALID", message, { snapshotId: id });
    // The engine fires and forgets its snapshots: a refusal must still be heard.
    process.emitWarning(`journal snapshot not stored: ${message}`, { code: "HEAN_SNAPSHOT_REFUSED" });
    waiter?.reject(error);
  }

  #fail(error: HeanError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#waiters.rejectAll(error);
    for (const waiter of this.#snapshotWaiters.values()) waiter.reject(error);
    this.#snapshotWaiters.clear();
    if (this.#onFailure !== undefined) {
      try {
        this.#onFailure(error);
      } catch {
        // a failing handler must not hide the failure it was told about
        process.emitWarning(error.message, { code: "HEAN_JOURNAL_FAILED" });
      }
    } else {
      process.emitWarning(error.message, { code: "HEAN_JOURNAL_FAILED" });
    }
  }

  #assertWritable(): void {
    if (this.#closed) throw closedError(this.path);
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** V8's structured serialization: a tenth of the cost of encoding; what cannot be cloned at all is refused here. */
function serializeSnapshot(state: unknown): Uint8Array {
  try {
    return serialize(state);
  } catch (e) {
    throw new HeanError("EVENT_INVALID", `cannot journal this snapshot: ${(e as Error).message}`, {}, { cause: e });
  }
}

/**
 * The worker writer's urgent file, emptied; none for the inline writer, which commits at once
 * (a file a crash left is removed: the open has taken in what it held). Only now, after the open
 * committed its records. A file that cannot be prepared costs speed, not safety: a warning, and
 * the kill switch's closes wait for the writer as before.
 */
function prepareUrgentLog(path: string, journalId: string, wanted: boolean): UrgentLog | undefined {
  try {
    if (wanted) return UrgentLog.create(path, journalId);
    rmSync(urgentLogPath(path), { force: true });
  } catch (e) {
    urgentFileWarning(urgentLogPath(path), "could not be prepared", e);
  }
  return undefined;
}

function urgentFileWarning(file: string, what: string, e: unknown): void {
  process.emitWarning(`the journal's urgent file ${file} ${what} (${(e as Error).message}): kill-switch closes wait for the journal's writer thread`, {
    code: "HEAN_URGENT_FILE",
  });
}

function closedError(path: string): HeanError {
  return new HeanError("JOURNAL_IO", "the journal is closed", { path });
}
