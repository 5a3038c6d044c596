/**
 * The shared-memory slots between the journal and its writer thread (a BigInt64Array).
 */
import type { WriterConfig } from "./writer.ts";

export const SLOT_DURABLE = 0;
export const SLOT_STATE = 1;

export const WRITER_RUNNING = 0n;
export const WRITER_FAILED = 1n;
export const WRITER_CLOSED = 2n;

export interface WriterThreadData extends WriterConfig {
  readonly shared: SharedArrayBuffer;
}
