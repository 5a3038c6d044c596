/**
 * Opening a journal file: take the journal's lock (one process per journal), check the options,
 * create or check the schema, verify the tail, and when records are lost, refuse or (with the
 * operator's word) cut off anything bad, salvaging the file first if SQLite reports it damaged;
 * then add what the urgent file holds past the tail (urgent-log.ts).
 */
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Clock, RealClock } from "../core/clock.ts";
import { HeanError } from "../core/errors.ts";
import { chainSeed } from "./checksum.ts";
import { JournalLock } from "./journal-lock.ts";
import { recoverTail, type TailState } from "./recover.ts";
import { finishInterruptedSalvage, salvage } from "./salvage.ts";
import { configureConnection, type Durability, ensureSchema, type JournalMeta } from "./schema.ts";
import { isPhysicalCorruption, journalIoError } from "./sqlite-errors.ts";
import type { CommitPoint, JournalOptions, JournalProblem, LossPolicy, Recovery, WriterMode } from "./types.ts";
import { restoreUrgentRecords } from "./urgent-log.ts";

export interface ResolvedOptions {
  readonly durability: Durability;
  readonly writer: WriterMode;
  readonly commitAt: CommitPoint;
  readonly configFingerprint: string | undefined;
  readonly clock: Clock;
  readonly keepSnapshots: number;
  readonly busyTimeoutMs: number;
  readonly onLoss: LossPolicy;
}

export interface OpenedFile {
  /** The absolute path. */
  readonly path: string;
  readonly db: DatabaseSync;
  readonly meta: JournalMeta;
  readonly tail: TailState;
  readonly recovery: Recovery;
  readonly snapshotProblems: JournalProblem[];
  /** Records the urgent file held past the tail (a crash after a kill-switch flush), now committed (urgent-log.ts). */
  readonly urgentRestored: number;
  /** Held until the journal is closed; the caller releases it. */
  readonly lock: JournalLock;
}

export function resolveOptions(options: JournalOptions): ResolvedOptions {
  const { durability = "full", writer = "worker", commitAt = "turn", configFingerprint, keepSnapshots = 3, busyTimeoutMs = 5000, onLoss = "refuse" } = options;
  const refuse = (what: string, value: unknown): never => {
    throw new HeanError("JOURNAL_ARGUMENT", `journal option ${what} is invalid: ${JSON.stringify(value)}`, { option: what });
  };
  if (durability !== "full" && durability !== "normal") refuse("durability (full | normal)", durability);
  if (writer !== "worker" && writer !== "inline") refuse("writer (worker | inline)", writer);
  if (commitAt !== "turn" && commitAt !== "flush") refuse("commitAt (turn | flush)", commitAt);
  if (configFingerprint !== undefined && (typeof configFingerprint !== "string" || configFingerprint === "")) {
    refuse("configFingerprint", configFingerprint);
  }
  if (!Number.isSafeInteger(keepSnapshots) || keepSnapshots < 1) refuse("keepSnapshots (≥ 1)", keepSnapshots);
  if (!Number.isFinite(busyTimeoutMs) || busyTimeoutMs < 0) refuse("busyTimeoutMs (≥ 0)", busyTimeoutMs);
  if (onLoss !== "refuse" && onLoss !== "cut") refuse("onLoss (refuse | cut)", onLoss);
  return { durability, writer, commitAt, configFingerprint, clock: options.clock ?? new RealClock(), keepSnapshots, busyTimeoutMs, onLoss };
}

export function openJournalFile(path: string, options: ResolvedOptions): OpenedFile {
  if (typeof path !== "string" || path.trim() === "" || path === ":memory:" || path.startsWith("file:")) {
    throw new HeanError("JOURNAL_IO", `a journal needs a plain file path, got ${JSON.stringify(path)}`, {});
  }
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw journalIoError("could not prepare the journal's folder", file, e);
  }
  // First, before anything reads or changes the file: a second process must not even replay.
  // The lock sits beside the real file, so two paths to one journal (a symlink) share it.
  const lock = JournalLock.acquire(realFile(file), options.clock.now());
  try {
    return { ...openLocked(file, options), lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

function realFile(file: string): string {
  try {
    return existsSync(file) ? realpathSync(file) : join(realpathSync(dirname(file)), basename(file));
  } catch (e) {
    throw journalIoError("could not resolve the journal's path", file, e);
  }
}

function openLocked(file: string, options: ResolvedOptions): Omit<OpenedFile, "lock"> {
  try {
    finishInterruptedSalvage(file, options.clock.now());
  } catch (e) {
    throw journalIoError("could not finish an interrupted salvage", file, e);
  }
  try {
    const opened = openAndRecover(file, options);
    return { ...opened, recovery: opened.tail.recovery };
  } catch (e) {
    if (!isPhysicalCorruption(e)) throw journalIoError("could not open the journal", file, e);
    const recovery = salvage(file, e, options.clock.now(), options.onLoss);
    try {
      return { ...openAndRecover(file, options), recovery };
    } catch (again) {
      throw journalIoError("could not open the salvaged journal", file, again);
    }
  }
}

function openAndRecover(path: string, options: ResolvedOptions): Omit<OpenedFile, "recovery" | "lock"> {
  const db = new DatabaseSync(path, { timeout: options.busyTimeoutMs });
  try {
    configureConnection(db, options.durability, options.busyTimeoutMs);
    const meta = ensureSchema(db, options.clock.now(), options.configFingerprint);
    const snapshotProblems: JournalProblem[] = [];
    const checked = recoverTail(db, chainSeed(meta.journalId), (p) => snapshotProblems.push(p), options.onLoss, path);
    const restored = restoreUrgentRecords(db, path, meta.journalId, checked, options.keepSnapshots, options.onLoss);
    const tail = { lastSeq: restored.lastSeq, lastChecksum: restored.lastChecksum, recovery: checked.recovery };
    return { path, db, meta, tail, snapshotProblems, urgentRestored: restored.restored };
  } catch (e) {
    try {
      db.close();
    } catch {
      // the error that made us close is the one to report
    }
    throw e;
  }
}
