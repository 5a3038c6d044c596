import type { MessagePort } from "node:worker_threads";

/**
 * What the journal hands its writer: batches of already-encoded records and snapshots, in order.
 * Plain data, so the same objects travel to the writer thread by structured clone.
 */
export interface EventBatch {
  readonly kind: "events";
  readonly firstSeq: number;
  readonly ts: readonly number[];
  readonly types: readonly string[];
  readonly payloads: readonly string[];
  /**
   * The same turn's records continue in the next batch (a streaming writer's head start): the
   * writer may insert this one but commits only with a batch that has no `more`.
   */
  readonly more?: boolean;
}

export interface SnapshotJob {
  readonly kind: "snapshot";
  readonly id: number;
  readonly seq: number;
  readonly ts: number;
  /**
   * The encoded state, or (worker writer) the state in V8's structured serialization, which the
   * writer thread encodes: encoding a multi-megabyte state on the event loop stalled it for
   * 50–280 ms per snapshot (docs/PERFORMANCE.md); serializing costs a tenth of that.
   */
  readonly state: string | Uint8Array;
}

export type WriteJob = EventBatch | SnapshotJob;

/** Messages from the writer thread back to the journal. */
export type WriterReport =
  | {
      readonly t: "durable";
      readonly seq: number;
      readonly snapshots: readonly number[];
      /** Snapshots the writer refused to store because they would not read back the same (EVENT_INVALID). */
      readonly refused?: readonly { readonly id: number; readonly message: string }[];
    }
  | { readonly t: "failed"; readonly message: string; readonly code: string | undefined };

/**
 * Hand the writer one end of a channel: from then on it posts a `TapCommit` there after each
 * commit (once durability is published), and stores the `SnapshotJob`s with encoded state that
 * come back on it. The other end is a thread that keeps its own copy of the state from the records
 * and snapshots it, so that neither the caller's thread nor the commit path stalls for a snapshot.
 * Snapshots from a tap have a negative id: nobody waits for them.
 */
export interface TapCommand {
  readonly kind: "tap";
  readonly port: MessagePort;
}

/** What a commit stored, as the writer tells its tap: the records in order, and the seqs of the tap's snapshots. */
export interface TapCommit {
  readonly batches: readonly EventBatch[];
  readonly snapshots: readonly number[];
}

/** What the journal posts to the writer thread: jobs in order, then a close. */
export type WriterCommand = WriteJob | TapCommand | { readonly kind: "close" };
