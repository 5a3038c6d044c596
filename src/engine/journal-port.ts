/** What the engine needs of a journal (the SQLite journal implements it; tests may use others). */
import type { MessagePort } from "node:worker_threads";
import type { HeanEvent } from "../core/events.ts";

export interface JournalRecord {
  readonly seq: number;
  readonly ts: number;
  readonly event: HeanEvent;
}

export interface JournalPort {
  readonly journalId: string;
  readonly path: string;
  /** Buffered append; the returned seq is durable after the next successful flush. */
  append(event: HeanEvent): number;
  /** Resolves when every append so far is durable; rejects (loudly) if durability failed. */
  flush(): Promise<void>;
  /**
   * The same promise for the kill switch: hand the buffered records to the writer now (not at the
   * end of the turn) and observe durability without waiting for a message back. Journals without
   * a faster way simply flush.
   */
  flushUrgent?(): Promise<void>;
  flushSync(): void;
  lastSeq(): number;
  read(fromSeqExclusive?: number): Iterable<JournalRecord>;
  writeSnapshot(seq: number, state: unknown): void;
  /**
   * Pass every record committed from now on to `port` and store the snapshots sent back on it
   * (the snapshot keeper). Journals without a writer thread return false, or lack it.
   */
  tapCommitted?(port: MessagePort): boolean;
  latestSnapshot(): { readonly seq: number; readonly ts: number; readonly state: unknown } | undefined;
  close(): void;
}

/**
 * `journal` with its flushes decided by `flushes`, everything else its own: a backtest's journal
 * that commits in chunks (research/backtest/deferred-commit-journal.ts), a test's failing or slow disk.
 */
export function withFlushes(journal: JournalPort, flushes: Pick<JournalPort, "flush" | "flushUrgent">): JournalPort {
  return {
    journalId: journal.journalId,
    path: journal.path,
    append: (event) => journal.append(event),
    ...flushes,
    flushSync: () => journal.flushSync(),
    lastSeq: () => journal.lastSeq(),
    read: (from) => journal.read(from),
    writeSnapshot: (seq, state) => journal.writeSnapshot(seq, state),
    latestSnapshot: () => journal.latestSnapshot(),
    close: () => journal.close(),
  };
}
