/**
 * The journal's public shapes.
 */
import type { Clock } from "../core/clock.ts";
import type { HeanError } from "../core/errors.ts";
import type { HeanEvent } from "../core/events.ts";
import type { Durability } from "./schema.ts";

export type { Durability } from "./schema.ts";

export interface JournalRecord {
  readonly seq: number;
  readonly ts: number;
  readonly event: HeanEvent;
}

export interface Snapshot {
  readonly seq: number;
  readonly ts: number;
  readonly state: unknown;
}

/** One thing wrong with one record or snapshot. */
export interface JournalProblem {
  readonly seq: number;
  readonly reason: string;
}

/**
 * Records a damaged journal no longer holds in a form that can be trusted: seqs fromSeq..toSeq.
 * Seqs run without gaps, so that is `records` records, whether they were damaged, missing or
 * behind them (a chain cannot continue past a bad link).
 */
export interface JournalLoss {
  readonly fromSeq: number;
  /** The highest seq the file shows existed (fromSeq - 1 when it shows none past the damage). */
  readonly toSeq: number;
  readonly records: number;
  /** True when the damage hides how far the journal went: records after toSeq may be lost too. */
  readonly atLeast: boolean;
}

/** What opening a damaged journal does: refuse (the default: nothing is changed) or cut it back to its good prefix. */
export type LossPolicy = "refuse" | "cut";

/** What opening the journal found and did about its tail. */
export type Recovery =
  | { readonly status: "clean" }
  | {
      readonly status: "truncated";
      /** The first seq that is no longer in the journal; appends continue here. */
      readonly fromSeq: number;
      /** What the cut cost. */
      readonly lost: JournalLoss;
      readonly reason: string;
      /** Snapshots taken at or after `fromSeq`, deleted with the records they describe. */
      readonly removedSnapshots: number;
      /** Set when SQLite found the file damaged: the damaged file was kept here and a clean copy took its place. */
      readonly corruptCopy?: string;
    };

export type WriterMode = "worker" | "inline";

export type CommitPoint = "turn" | "flush";

export interface JournalOptions {
  /** "full" (default): every commit is fsynced. "normal": WAL without fsync per commit (survives a process crash, not a power cut). */
  readonly durability?: Durability;
  /** "worker" (default): commits off the event loop. "inline": synchronous, for tools and small tests. */
  readonly writer?: WriterMode;
  /**
   * When records commit without a flush. "turn" (default): at the end of the turn that appended
   * them, so a crash loses at most one turn. "flush": at the next `flush()` (an order intent),
   * snapshot or close, or once a chunk has piled up: for a backtest's journal, which nobody reads
   * before the run ends and which a crash throws away anyway; the guarantee an intent needs
   * (durable before the wire) is `flush()`'s and does not change.
   */
  readonly commitAt?: CommitPoint;
  /**
   * A journal whose records fail their checks (or a file SQLite finds damaged): "refuse" (default)
   * throws JOURNAL_LOSS_UNCONFIRMED and changes nothing; "cut" keeps the good prefix and reports
   * the loss in `recovery`. Only an operator's decision may turn "cut" on for a trading run.
   */
  readonly onLoss?: LossPolicy;
  /** Refuse to open a journal written under a different configuration (JOURNAL_CONFIG_MISMATCH). */
  readonly configFingerprint?: string;
  /** Time for snapshot and creation timestamps; the real clock by default. */
  readonly clock?: Clock;
  /** How many snapshots to keep (older ones are deleted as new ones are written). Default 3. */
  readonly keepSnapshots?: number;
  /** How long a commit waits for a lock held by another connection before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * Called once when the journal can no longer make records durable. The engine must stop
   * trading: nothing appended after `durableSeq()` is safe. Without a handler a process warning is emitted.
   */
  readonly onFailure?: (error: HeanError) => void;
}

export interface JournalStats {
  readonly lastSeq: number;
  readonly durableSeq: number;
  /** Appended but not yet known durable. */
  readonly backlog: number;
  /** Batches handed to the writer (at most one per event-loop turn, plus one per explicit flush). */
  readonly batches: number;
  /** Transactions the writer committed (snapshot commits included). */
  readonly commits: number;
}
