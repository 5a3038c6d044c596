/**
 * The default writer: a worker thread that owns the write connection, so commits and fsyncs
 * never run on the event loop. The main thread posts encoded batches and learns what is durable
 * from shared memory: one `Atomics.waitAsync` watcher while records are outstanding, woken by
 * the writer's notify after each commit (no reply message per commit; see writer-shared.ts).
 */
import { type MessagePort, Worker } from "node:worker_threads";
import { HeanError } from "../core/errors.ts";
import type { JournalWriter, WriterConfig, WriterListener } from "./writer.ts";
import {
  SHARED_SLOTS,
  SLOT_COMMITS,
  SLOT_DURABLE,
  SLOT_STATE,
  SLOT_URGENT,
  WRITER_CLOSED,
  WRITER_FAILED,
  WRITER_RUNNING,
  type WriterThreadData,
} from "./writer-shared.ts";
import type { WriteJob, WriterCommand, WriterReport } from "./write-jobs.ts";

/** How long a blocking wait may take before we call the writer lost (a stuck disk, a dead thread). */
const SYNC_WAIT_LIMIT_MS = 30_000;
const SYNC_WAIT_SLICE_MS = 50;

export class WorkerWriter implements JournalWriter {
  readonly #worker: Worker;
  readonly #shared: BigInt64Array;
  readonly #listener: WriterListener;
  readonly #path: string;
  #submittedSeq: number;
  #durableSeq: number;
  #commitsSeen = 0n;
  /** An Atomics.waitAsync on SLOT_DURABLE is pending (at most one). */
  #watching = false;
  #pendingSnapshots = 0;
  #referenced = false;
  #closing = false;
  #failure: HeanError | undefined;

  constructor(config: WriterConfig, listener: WriterListener) {
    this.#listener = listener;
    this.#path = config.path;
    this.#submittedSeq = config.lastSeq;
    this.#durableSeq = config.lastSeq;
    const shared = new SharedArrayBuffer(SHARED_SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
    this.#shared = new BigInt64Array(shared);
    this.#shared[SLOT_DURABLE] = BigInt(config.lastSeq);
    this.#shared[SLOT_URGENT] = BigInt(config.lastSeq);
    const workerData: WriterThreadData = { ...config, shared };
    this.#worker = new Worker(new URL("./writer-thread.ts", import.meta.url), {
      workerData,
      name: "hean-journal-writer",
    });
    // The thread keeps the process alive only while it owes us a commit.
    this.#worker.unref();
    this.#worker.on("message", (report: WriterReport) => this.#onReport(report));
    this.#worker.on("error", (e: Error) => this.#fail(`the journal writer thread crashed: ${e.message}`, e));
    this.#worker.on("messageerror", (e: Error) => this.#fail(`a message to the journal writer was lost: ${e.message}`, e));
    this.#worker.on("exit", (code: number) => {
      if (!this.#closing) this.#fail(`the journal writer thread exited (code ${code})`);
    });
  }

  /** Snapshots may be handed over serialized: this writer's thread encodes them. */
  readonly encodesSnapshots = true;

  /** A long turn's records go over in chunks, so the thread inserts while the caller still encodes. */
  readonly streams = true;

  submit(job: WriteJob): void {
    if (this.#failure !== undefined || this.#closing) return;
    if (job.kind === "events") this.#submittedSeq = job.firstSeq + job.payloads.length - 1;
    else this.#pendingSnapshots++;
    if (!this.#referenced) {
      this.#referenced = true;
      this.#worker.ref();
    }
    this.#worker.postMessage(job satisfies WriterCommand);
    if (job.kind === "events") this.#watch();
  }

  tap(port: MessagePort): void {
    if (this.#failure !== undefined || this.#closing) return;
    this.#worker.postMessage({ kind: "tap", port } satisfies WriterCommand, [port]);
  }

  refresh(): void {
    this.#catchUp();
  }

  /** Ask the writer to commit through `seq` ahead of its usual grouping (and of a due checkpoint). */
  expedite(seq: number): void {
    const target = BigInt(seq);
    if (Atomics.load(this.#shared, SLOT_URGENT) < target) Atomics.store(this.#shared, SLOT_URGENT, target);
  }

  waitDurableSync(seq: number): void {
    const target = BigInt(seq);
    const deadline = performance.now() + SYNC_WAIT_LIMIT_MS;
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      const durable = Atomics.load(this.#shared, SLOT_DURABLE);
      if (durable >= target) return;
      if (Atomics.load(this.#shared, SLOT_STATE) !== WRITER_RUNNING) {
        const failed = Atomics.load(this.#shared, SLOT_STATE) === WRITER_FAILED;
        throw new HeanError(
          "JOURNAL_IO",
          `the journal writer ${failed ? "failed" : "closed"} before seq ${seq} was durable (durable: ${durable})`,
          { path: this.#path, seq, durable: Number(durable) },
        );
      }
      if (performance.now() > deadline) {
        throw new HeanError("JOURNAL_IO", `seq ${seq} was not durable after ${SYNC_WAIT_LIMIT_MS} ms`, {
          path: this.#path,
          seq,
          durable: Number(durable),
        });
      }
      Atomics.wait(this.#shared, SLOT_DURABLE, durable, SYNC_WAIT_SLICE_MS);
    }
  }

  close(): "drained" | "abandoned" {
    if (this.#closing) return "abandoned";
    this.#closing = true;
    let drained = false;
    if (this.#failure === undefined) {
      // The thread commits everything queued before the close, then flags CLOSED.
      this.#worker.postMessage({ kind: "close" } satisfies WriterCommand);
      const deadline = performance.now() + SYNC_WAIT_LIMIT_MS;
      while (Atomics.load(this.#shared, SLOT_STATE) === WRITER_RUNNING && performance.now() < deadline) {
        Atomics.wait(this.#shared, SLOT_DURABLE, Atomics.load(this.#shared, SLOT_DURABLE), SYNC_WAIT_SLICE_MS);
      }
      drained = Atomics.load(this.#shared, SLOT_STATE) === WRITER_CLOSED;
    }
    void this.#worker.terminate();
    return drained ? "drained" : "abandoned";
  }

  async kill(): Promise<void> {
    await this.#worker.terminate();
  }

  /**
   * Keep one Atomics.waitAsync on the durable slot while submitted records are not yet durable,
   * and tell the listener each time it moves. The wait compares the slot atomically, so a commit
   * between our load and the wait cannot be missed; a failed or closed writer notifies too.
   */
  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.#onDurableSlot();
  }

  readonly #onDurableSlot = (): void => {
    for (;;) {
      const seen = this.#catchUp();
      if (this.#failure !== undefined || this.#durableSeq >= this.#submittedSeq || Atomics.load(this.#shared, SLOT_STATE) !== WRITER_RUNNING) {
        this.#watching = false;
        this.#releaseIfIdle();
        return;
      }
      // On the value just read from the slot (not our copy): "not-equal" then always means it moved.
      const wait = Atomics.waitAsync(this.#shared, SLOT_DURABLE, seen);
      if (wait.async) {
        void wait.value.then(this.#onDurableSlot);
        return;
      }
      // "not-equal": the slot moved meanwhile; read it again
    }
  };

  /** What shared memory says is durable now, passed on to the listener once; returns the slot's value as read. */
  #catchUp(): bigint {
    const slot = Atomics.load(this.#shared, SLOT_DURABLE);
    const durable = Number(slot);
    const commits = Atomics.load(this.#shared, SLOT_COMMITS);
    if (durable <= this.#durableSeq && commits === this.#commitsSeen) return slot;
    const newCommits = Number(commits - this.#commitsSeen);
    this.#commitsSeen = commits;
    if (durable > this.#durableSeq) this.#durableSeq = durable;
    if (this.#failure === undefined) this.#listener.durable(this.#durableSeq, newCommits);
    return slot;
  }

  #releaseIfIdle(): void {
    if (this.#referenced && this.#durableSeq >= this.#submittedSeq && this.#pendingSnapshots === 0) {
      this.#referenced = false;
      this.#worker.unref();
    }
  }

  #onReport(report: WriterReport): void {
    if (report.t === "failed") {
      this.#fail(`journal commit failed: ${report.message}`);
      return;
    }
    // The snapshots' commit is in shared memory too (and with it every record before them).
    this.#catchUp();
    for (const id of report.snapshots) {
      this.#pendingSnapshots--;
      this.#listener.snapshotWritten(id);
    }
    for (const { id, message } of report.refused ?? []) {
      this.#pendingSnapshots--;
      this.#listener.snapshotRefused(id, message);
    }
    this.#releaseIfIdle();
  }

  #fail(message: string, cause?: unknown): void {
    if (this.#failure !== undefined) return;
    const durable = Math.max(this.#durableSeq, Number(Atomics.load(this.#shared, SLOT_DURABLE)));
    this.#failure = new HeanError(
      "JOURNAL_IO",
      `${message}; records after seq ${durable} are not durable`,
      { path: this.#path, durableSeq: durable },
      cause === undefined ? undefined : { cause },
    );
    if (this.#referenced) {
      this.#referenced = false;
      this.#worker.unref();
    }
    this.#listener.failed(this.#failure);
  }
}
