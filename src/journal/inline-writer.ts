/**
 * Commits on the caller's thread, at once. Same file format as the worker writer; it blocks the
 * event loop for every fsync, which is what tools and small tests can afford and the engine cannot.
 */
import { DatabaseSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";
import { BatchCommitter } from "./batch-committer.ts";
import { configureConnection } from "./schema.ts";
import { journalIoError } from "./sqlite-errors.ts";
import type { JournalWriter, WriterConfig, WriterListener } from "./writer.ts";
import type { WriteJob } from "./write-jobs.ts";

export class InlineWriter implements JournalWriter {
  readonly #listener: WriterListener;
  readonly #path: string;
  #db: DatabaseSync | undefined;
  #committer: BatchCommitter | undefined;
  #failure: HeanError | undefined;

  constructor(config: WriterConfig, listener: WriterListener) {
    this.#listener = listener;
    this.#path = config.path;
    const db = new DatabaseSync(config.path, { timeout: config.busyTimeoutMs });
    try {
      configureConnection(db, config.durability, config.busyTimeoutMs);
      this.#committer = new BatchCommitter(db, config.lastSeq, config.lastChecksum, config.keepSnapshots);
    } catch (e) {
      db.close();
      throw journalIoError("could not open the journal for writing", config.path, e);
    }
    this.#db = db;
  }

  submit(job: WriteJob): void {
    if (this.#failure !== undefined) return;
    const committer = this.#committer;
    if (committer === undefined) {
      this.#fail(new HeanError("JOURNAL_IO", "the journal writer is closed", { path: this.#path }));
      return;
    }
    let seq: number;
    try {
      seq = committer.commit([job]);
    } catch (e) {
      this.#fail(journalIoError("journal commit failed", this.#path, e));
      return;
    }
    this.#listener.durable(seq, 1);
    if (job.kind === "snapshot") this.#listener.snapshotWritten(job.id);
  }

  waitDurableSync(seq: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    const durable = this.#committer?.lastSeq ?? 0;
    if (durable < seq) {
      throw new HeanError("JOURNAL_IO", `seq ${seq} was never submitted to the writer (durable ${durable})`, { seq });
    }
  }

  close(): "drained" | "abandoned" {
    this.#committer = undefined;
    this.#db?.close();
    this.#db = undefined;
    return this.#failure === undefined ? "drained" : "abandoned";
  }

  kill(): Promise<void> {
    this.close();
    this.#fail(new HeanError("JOURNAL_IO", "the journal writer was stopped", { path: this.#path }));
    return Promise.resolve();
  }

  #fail(error: HeanError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#listener.failed(error);
  }
}
