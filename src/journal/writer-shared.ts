/**
 * The shared-memory slots between the journal and its writer thread (a BigInt64Array).
 *
 * Durability travels through these slots, not through messages: the writer stores the durable
 * seq and notifies, and the journal's one `Atomics.waitAsync` watcher wakes. A reply message per
 * commit cost ~80–150 µs of CPU on each thread (structured clone, port dispatch), which at 100
 * appends per flush was a third of the per-batch budget. Messages remain for what is rare and
 * carries data: snapshot outcomes and the writer's failure.
 */
import type { WriteJob } from "./write-jobs.ts";
import type { WriterConfig } from "./writer.ts";

/** The highest seq committed and synced as the durability setting asks. */
export const SLOT_DURABLE = 0;
/** WRITER_RUNNING, WRITER_FAILED or WRITER_CLOSED. */
export const SLOT_STATE = 1;
/** Transactions committed so far (for the journal's stats; includes snapshot-only commits). */
export const SLOT_COMMITS = 2;
/**
 * The highest seq an urgent flush (the kill switch) waits for. While it is above SLOT_DURABLE the
 * writer commits as soon as it holds that seq, without taking in later batches, and starts no
 * WAL checkpoint.
 */
export const SLOT_URGENT = 3;
export const SHARED_SLOTS = 4;

export const WRITER_RUNNING = 0n;
export const WRITER_FAILED = 1n;
export const WRITER_CLOSED = 2n;

export interface WriterThreadData extends WriterConfig {
  readonly shared: SharedArrayBuffer;
}

/**
 * True when `job`, taken into the writer's transaction, completes what an urgent flush waits for
 * (`urgent` above `durable`, and the job is a turn's last batch reaching that seq): the writer
 * then commits at once instead of draining later batches into the same, bigger commit.
 */
export function completesUrgent(job: WriteJob, urgent: bigint, durable: bigint): boolean {
  if (job.kind !== "events" || job.more === true || urgent <= durable) return false;
  return BigInt(job.firstSeq + job.payloads.length - 1) >= urgent;
}
