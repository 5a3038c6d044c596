/**
 * The writer side of the journal, as the journal sees it. Two implementations share the file
 * format through `BatchCommitter`: a worker thread (default: fsync never stalls the event loop)
 * and inline (synchronous, for tools and small tests).
 */
import type { HeanError } from "../core/errors.ts";
import type { Durability } from "./schema.ts";
import type { MessagePort } from "node:worker_threads";
import type { WriteJob } from "./write-jobs.ts";

export interface WriterListener {
  /** Everything up to `seq` is committed and synced as the durability setting asks; `commits` transactions since the last call. */
  durable(seq: number, commits: number): void;
  snapshotWritten(id: number): void;
  /** A snapshot the writer thread could not encode (EVENT_INVALID); nothing of it was stored. */
  snapshotRefused(id: number, message: string): void;
  /** The writer can no longer commit; it will not recover. */
  failed(error: HeanError): void;
}

export interface WriterConfig {
  readonly path: string;
  readonly durability: Durability;
  readonly busyTimeoutMs: number;
  readonly keepSnapshots: number;
  readonly lastSeq: number;
  readonly lastChecksum: number;
}

export interface JournalWriter {
  /** True when `submit` takes snapshot state in V8 serialization and encodes it off the caller's thread. */
  readonly encodesSnapshots?: boolean;
  /** True when `submit` takes a turn's records in several batches (`more`) and commits them as one. */
  readonly streams?: boolean;
  submit(job: WriteJob): void;
  /** Pass every batch committed from now on to `port`, and store the snapshots sent back on it (write-jobs.ts `TapCommand`). */
  tap?(port: MessagePort): void;
  /**
   * Tell the listener now what is committed, without waiting for the usual notice (which needs a
   * turn of the event loop): an urgent write then leaves out what the writer has already committed.
   */
  refresh?(): void;
  /** Block the calling thread until `seq` is durable; throws when the writer has failed. */
  waitDurableSync(seq: number): void;
  /**
   * Commit through `seq` as soon as the writer holds it, ahead of grouping with later batches and
   * of a due checkpoint (the kill switch's close orders wait on it). Durability is reported as usual.
   */
  expedite?(seq: number): void;
  /**
   * Finish what was submitted and release the file. Synchronous so shutdown paths can use it.
   * "drained": every submitted job is committed; "abandoned": some may not be (the writer had failed).
   */
  close(): "drained" | "abandoned";
  /** Fault injection for tests: the writer stops as if its thread had died. */
  kill(): Promise<void>;
}
