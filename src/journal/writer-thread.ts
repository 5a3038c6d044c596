/**
 * The writer thread: owns the journal's only write connection, commits whatever has queued up
 * since its last commit in one transaction (group commit across event-loop turns of the main
 * thread), and reports the durable seq in shared memory (writer-shared.ts): `flushSync` blocks on
 * it, `flush()` watches it with Atomics.waitAsync. Messages go back only for snapshot outcomes and
 * failure. An urgent flush (the kill switch) gets its own commit as soon as its records are in
 * hand, and no checkpoint starts while it waits. Snapshots are committed on their own, when no
 * urgent flush waits; with a tap (write-jobs.ts `TapCommand`) they come encoded from another
 * thread that keeps the state from the committed records.
 */
import { DatabaseSync } from "node:sqlite";
import { deserialize } from "node:v8";
import { isHeanError } from "../core/errors.ts";
import { encodeValue } from "./codec.ts";
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { BatchCommitter } from "./batch-committer.ts";
import { configureConnection } from "./schema.ts";
import {
  completesUrgent,
  SLOT_COMMITS,
  SLOT_DURABLE,
  SLOT_STATE,
  SLOT_URGENT,
  WRITER_CLOSED,
  WRITER_FAILED,
  type WriterThreadData,
} from "./writer-shared.ts";
import type { EventBatch, SnapshotJob, TapCommit, WriteJob, WriterCommand, WriterReport } from "./write-jobs.ts";

/** Committed text after which the WAL is checkpointed (~3 MB of WAL with page overhead; SQLite's own default is 4 MB). */
const CHECKPOINT_BYTES = 2 * 1024 * 1024;
/** Past this, a checkpoint goes ahead even with commits waiting: the WAL must not grow without bound under steady load. */
const CHECKPOINT_LIMIT_BYTES = 8 * CHECKPOINT_BYTES;

const port = parentPort;
if (port === null) throw new Error("writer-thread.ts must run as a worker thread");
const data = workerData as WriterThreadData;
const shared = new BigInt64Array(data.shared);

let db: DatabaseSync | undefined;
let committer: BatchCommitter | undefined;
let stopped = false;
let checkpointedAt = 0;
/** Where committed batches go (write-jobs.ts `TapCommand`), once the journal has given one. */
let tap: MessagePort | undefined;
/** Batches inserted into the open transaction (a turn streaming in), told to the tap once it commits. */
let uncommittedBatches: EventBatch[] = [];
/** Encoded snapshots waiting for an idle moment (`holdSnapshot`). */
let heldSnapshots: SnapshotJob[] = [];

function report(message: WriterReport): void {
  port!.postMessage(message);
}

function stop(state: bigint): void {
  stopped = true;
  try {
    db?.close();
  } catch {
    // closing after a failure may fail too; the state below is what matters
  }
  db = undefined;
  tap?.close();
  Atomics.store(shared, SLOT_STATE, state);
  Atomics.notify(shared, SLOT_DURABLE);
  port!.close();
}

function fail(e: unknown): void {
  if (stopped) return;
  const error = e as { message?: unknown; code?: unknown };
  report({
    t: "failed",
    message: typeof error?.message === "string" ? error.message : String(e),
    code: typeof error?.code === "string" ? error.code : undefined,
  });
  stop(WRITER_FAILED);
}

/**
 * Commit what is queued, then checkpoint when due; a command that arrived meanwhile goes next.
 * Held snapshots are stored when nothing else waits, each in a commit of its own.
 */
function run(first: WriterCommand | undefined): void {
  let next = first;
  for (;;) {
    if (next !== undefined) {
      handle(next);
      next = stopped ? undefined : checkpointIfDue();
    }
    if (stopped) return;
    if (next === undefined) {
      if (!storeHeldSnapshot()) return;
      next = receive();
    }
  }
}

/**
 * A snapshot (several megabytes once the state's windows fill) waits for a moment when no urgent
 * flush is pending and no turn is streaming in, and is then committed alone: an urgent commit
 * (the kill switch) never carries one, and records never wait behind one they did not queue after.
 * The tap's newest snapshot replaces its older one still held.
 */
function holdSnapshot(job: SnapshotJob): void {
  if (job.id < 0) heldSnapshots = heldSnapshots.filter((held) => held.id >= 0);
  heldSnapshots.push(job);
}

/** Commits the oldest held snapshot if the writer is idle; true when it did. */
function storeHeldSnapshot(): boolean {
  if (heldSnapshots.length === 0 || db!.isTransaction || urgentPending()) return false;
  commit([heldSnapshots.shift()!], []);
  return true;
}

function receive(): WriterCommand | undefined {
  return (receiveMessageOnPort(port!) as { message: WriterCommand } | undefined)?.message;
}

/** A PASSIVE checkpoint when the WAL has grown enough and nothing is waiting (up to the limit); returns what was waiting. */
function checkpointIfDue(): WriterCommand | undefined {
  const grown = committer!.bytesCommitted - checkpointedAt;
  if (grown < CHECKPOINT_BYTES || db!.isTransaction) return undefined; // mid-turn: the rest of it comes first
  // An urgent flush is on its way or queued: its commit goes first, the checkpoint waits for the next idle moment.
  if (urgentPending()) return receive();
  const waiting = receive();
  if (waiting !== undefined && grown < CHECKPOINT_LIMIT_BYTES) return waiting;
  db!.exec("PRAGMA wal_checkpoint(PASSIVE)");
  checkpointedAt = committer!.bytesCommitted;
  return waiting;
}

/** An urgent flush waits for a seq not yet durable. */
function urgentPending(): boolean {
  return Atomics.load(shared, SLOT_URGENT) > Atomics.load(shared, SLOT_DURABLE);
}

function handle(first: WriterCommand): void {
  const jobs: EventBatch[] = [];
  const refused: { id: number; message: string }[] = [];
  let close = false;
  // Take everything already queued: one transaction, one fsync for all of it.
  for (let command: WriterCommand | undefined = first; command !== undefined; ) {
    if (command.kind === "close") close = true;
    else if (command.kind === "tap") openTap(command.port);
    else if (command.kind === "snapshot") {
      const encoded = typeof command.state === "string" ? command.state : encodeSnapshot(command.state);
      if (typeof encoded === "string") holdSnapshot({ ...command, state: encoded });
      else refused.push({ id: command.id, message: encoded.message });
    } else {
      jobs.push(command);
      // Later batches would only make the urgent commit bigger (and slower): they go in the next one.
      if (completesUrgent(command, Atomics.load(shared, SLOT_URGENT), Atomics.load(shared, SLOT_DURABLE))) break;
    }
    command = receive();
  }
  const last = jobs[jobs.length - 1];
  if (last?.more === true) {
    // The rest of the caller's turn is on its way: insert now, commit with it.
    committer!.insert(jobs);
    if (tap !== undefined) uncommittedBatches.push(...jobs);
    if (refused.length > 0) report({ t: "durable", seq: committer!.lastSeq, snapshots: [], refused });
  } else if (jobs.length > 0 || refused.length > 0) {
    commit(jobs, refused);
  }
  if (close) {
    // Every snapshot handed over before the close is stored (the journal promises it).
    while (heldSnapshots.length > 0) commit([heldSnapshots.shift()!], []);
    stop(WRITER_CLOSED);
  }
}

/** Commit `jobs` with what the open transaction holds, publish durability, then tell the journal and the tap. */
function commit(jobs: readonly WriteJob[], refused: readonly { id: number; message: string }[]): void {
  const seq = jobs.length > 0 ? committer!.commit(jobs) : committer!.lastSeq;
  if (jobs.length > 0) Atomics.add(shared, SLOT_COMMITS, 1n);
  Atomics.store(shared, SLOT_DURABLE, BigInt(seq));
  Atomics.notify(shared, SLOT_DURABLE);
  const snapshots: number[] = [];
  const tapSnapshots: number[] = [];
  for (const job of jobs) {
    if (job.kind === "events") {
      if (tap !== undefined) uncommittedBatches.push(job);
    } else if (job.id >= 0) snapshots.push(job.id);
    else tapSnapshots.push(job.seq);
  }
  // Records' durability is in shared memory already; only snapshot outcomes need a message.
  if (snapshots.length > 0 || refused.length > 0) {
    report(refused.length > 0 ? { t: "durable", seq, snapshots, refused } : { t: "durable", seq, snapshots });
  }
  // After durability is published: the tap never delays a commit's waiters.
  if (tap !== undefined && (uncommittedBatches.length > 0 || tapSnapshots.length > 0)) {
    tap.postMessage({ batches: uncommittedBatches, snapshots: tapSnapshots } satisfies TapCommit);
  }
  uncommittedBatches = [];
}

/**
 * From now on, committed batches go to `port`, and snapshots with encoded state come back on it.
 * Its snapshots are inserted like the journal's own (same checksum, same pruning) when the writer
 * is idle; encoding them was done on the other side.
 */
function openTap(port: MessagePort): void {
  tap?.close();
  tap = port;
  port.on("message", (job: SnapshotJob) => {
    // Only the tap's own kind of job, for a record already committed (the state it describes exists).
    if (stopped || job?.kind !== "snapshot" || typeof job.state !== "string" || !(job.id < 0) || !(job.seq <= committer!.lastSeq)) return;
    holdSnapshot(job);
    try {
      run(undefined);
    } catch (e) {
      fail(e);
    }
  });
  // The other side may stop (or fail) on its own: the journal does not depend on it.
  port.on("close", () => {
    if (tap === port) tap = undefined;
  });
  port.unref();
}

/** The snapshot's journal text, or why it cannot be stored (it would not read back the same). */
function encodeSnapshot(serialized: Uint8Array): string | { message: string } {
  try {
    return encodeValue(deserialize(serialized));
  } catch (e) {
    if (isHeanError(e, "EVENT_INVALID")) return { message: e.message };
    throw e;
  }
}

process.on("uncaughtException", fail);

try {
  db = new DatabaseSync(data.path, { timeout: data.busyTimeoutMs });
  configureConnection(db, data.durability, data.busyTimeoutMs);
  db.exec("PRAGMA wal_autocheckpoint=0"); // checkpointIfDue instead
  committer = new BatchCommitter(db, data.lastSeq, data.lastChecksum, data.keepSnapshots);
  port.on("message", (command: WriterCommand) => {
    try {
      run(command);
    } catch (e) {
      fail(e);
    }
  });
} catch (e) {
  fail(e);
}
