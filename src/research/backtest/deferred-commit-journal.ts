/**
 * The backtest's journal: the real SQLite journal, the same records in the same order, committed
 * in chunks (every 1,024 records, see sqlite-journal.ts) and at the end rather than before each
 * intent goes out.
 *
 * "Journal before effect" makes an intent durable before it can have an effect outside the
 * process, so that a crash cannot forget an order a venue holds. A backtest's venue lives in the
 * process and dies with it, and a crashed backtest is simply run again from its data: the wait
 * guards nothing there, and one commit per intent was ≈ 6% of a backtest's CPU. A journal that
 * has failed still refuses every flush, so the executor still rejects what it cannot record.
 */
import { type JournalPort, withFlushes } from "../../engine/journal-port.ts";
import type { SqliteJournal } from "../../journal/sqlite-journal.ts";

/** Commits what is still held when it is closed. */
export function deferredCommitJournal(journal: SqliteJournal): JournalPort {
  const answer = (): Promise<void> => (journal.failure === undefined ? Promise.resolve() : Promise.reject(journal.failure));
  return withFlushes(journal, { flush: answer, flushUrgent: answer });
}
