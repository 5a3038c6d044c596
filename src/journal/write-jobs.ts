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
}

export interface SnapshotJob {
  readonly kind: "snapshot";
  readonly id: number;
  readonly seq: number;
  readonly ts: number;
  readonly state: string;
}

export type WriteJob = EventBatch | SnapshotJob;

/** Messages from the writer thread back to the journal. */
export type WriterReport =
  | { readonly t: "durable"; readonly seq: number; readonly snapshots: readonly number[] }
  | { readonly t: "failed"; readonly message: string; readonly code: string | undefined };

/** What the journal posts to the writer thread: jobs in order, then a close. */
export type WriterCommand = WriteJob | { readonly kind: "close" };
