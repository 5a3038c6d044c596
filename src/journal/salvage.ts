/**
 * Salvage of a journal file SQLite itself reports as damaged (torn or truncated pages, an
 * overwritten region). SQLite refuses to read such a file at all, so hean copies every record
 * it can still read and verify, in order, up to the first unreadable or bad one, into a fresh
 * file, keeps the damaged file beside it for forensics, and puts the copy in its place. That is
 * done only once the loss is accepted; before, the loss is measured read-only and reported.
 *
 * Crash safety: the copy is complete and closed before any rename; the damaged file's WAL is
 * moved before the file itself, so a stale WAL can never be paired with the new file; and
 * `finishInterruptedSalvage` completes or discards a salvage a crash interrupted.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";
import { ChainVerifier } from "./chain-verifier.ts";
import { chainSeed } from "./checksum.ts";
import { lossOfDamage } from "./damage-extent.ts";
import { lossUnconfirmed } from "./loss.ts";
import { checkVersion, configureConnection, createTables, readMeta, type JournalMeta } from "./schema.ts";
import { checkSnapshot } from "./snapshots.ts";
import { tolerantRows } from "./tolerant-reader.ts";
import type { LossPolicy, Recovery } from "./types.ts";

const COPY_BATCH = 10_000;

const salvageFile = (path: string): string => `${path}.salvage`;

/** Call before opening: a salvage interrupted after the copy was complete is finished, an earlier one discarded. */
export function finishInterruptedSalvage(path: string, stamp: number): void {
  const copy = salvageFile(path);
  if (!existsSync(copy)) return;
  if (existsSync(path)) {
    removeDatabaseFiles(copy);
    return;
  }
  moveAside(`${path}-wal`, `${path}.stale-${stamp}-wal`);
  rmSync(`${path}-shm`, { force: true });
  renameSync(copy, path);
  syncDirectory(path);
}

/**
 * Copy the good prefix of a file SQLite reports damaged into a fresh file that takes its place,
 * or, when the loss is not accepted ("refuse"), only measure it and throw: the file stays as found.
 */
export function salvage(path: string, damage: unknown, stamp: number, onLoss: LossPolicy): Recovery {
  const copy = salvageFile(path);
  const source = openDamaged(path, damage);
  let recovery: Omit<Extract<Recovery, { status: "truncated" }>, "corruptCopy">;
  try {
    const meta = readSalvageMeta(source, path, damage);
    if (onLoss === "refuse") {
      const walked = copyRecords(source, undefined, meta);
      const lost = lossOfDamage(source, path, walked.lastSeq);
      throw lossUnconfirmed(path, lost, `the file is damaged (${describe(damage)}); ${walked.stopReason}`);
    }
    removeDatabaseFiles(copy);
    const target = new DatabaseSync(copy);
    try {
      configureConnection(target, "full", 5000);
      target.exec("BEGIN");
      createTables(target, meta);
      target.exec("COMMIT");
      const copied = copyRecords(source, target, meta);
      const snapshots = copySnapshots(source, target, copied.lastSeq);
      recovery = {
        status: "truncated",
        fromSeq: copied.lastSeq + 1,
        lost: lossOfDamage(source, path, copied.lastSeq),
        reason: `the journal file is damaged (${describe(damage)}); ${copied.stopReason}`,
        removedSnapshots: snapshots.dropped,
      };
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
  const corruptCopy = `${path}.corrupt-${stamp}`;
  moveAside(`${path}-wal`, `${corruptCopy}-wal`);
  rmSync(`${path}-shm`, { force: true });
  renameSync(path, corruptCopy);
  renameSync(copy, path);
  syncDirectory(path);
  return { ...recovery, corruptCopy };
}

function openDamaged(path: string, damage: unknown): DatabaseSync {
  try {
    // Read-only, so the damaged file stays exactly as found; writable_schema (allowed only with
    // the defensive flag off) makes SQLite read a file shorter than its header says.
    const db = new DatabaseSync(path, { readOnly: true, defensive: false });
    db.exec("PRAGMA writable_schema=ON");
    return db;
  } catch (e) {
    throw beyondSalvage(path, damage, e);
  }
}

function readSalvageMeta(db: DatabaseSync, path: string, damage: unknown): JournalMeta {
  let meta: JournalMeta;
  try {
    meta = readMeta(db);
  } catch (e) {
    throw beyondSalvage(path, damage, e);
  }
  checkVersion(meta);
  return meta;
}

/** Walk the verified prefix, copying it into `target` when there is one. */
function copyRecords(source: DatabaseSync, target: DatabaseSync | undefined, meta: JournalMeta): { lastSeq: number; stopReason: string } {
  const verifier = new ChainVerifier(chainSeed(meta.journalId), 1);
  const insert = target?.prepare("INSERT INTO events (seq, ts, type, payload, checksum) VALUES (?, ?, ?, ?, ?)");
  const rows = tolerantRows(source);
  let stopReason = "every readable record was kept";
  let inBatch = 0;
  target?.exec("BEGIN");
  for (;;) {
    const next = rows(verifier.nextSeq);
    if (typeof next === "string") {
      stopReason = next;
      break;
    }
    if (next === undefined) break;
    const checked = verifier.check(next[0], next[1], next[2], next[3], next[4]);
    if (typeof checked === "string") {
      stopReason = `record ${String(next[0])}: ${checked}`;
      break;
    }
    const [seq, ts, type, payload, checksum] = next as [number, number, string, string, number]; // checked above
    if (target === undefined || insert === undefined) continue;
    insert.run(seq, ts, type, payload, checksum);
    if (++inBatch === COPY_BATCH) {
      target.exec("COMMIT");
      target.exec("BEGIN");
      inBatch = 0;
    }
  }
  target?.exec("COMMIT");
  return { lastSeq: verifier.nextSeq - 1, stopReason };
}

function copySnapshots(source: DatabaseSync, target: DatabaseSync, lastSeq: number): { dropped: number } {
  let seqs: number[];
  try {
    seqs = (source.prepare("SELECT seq FROM snapshots ORDER BY seq").all() as { seq: number }[]).map((r) => r.seq);
  } catch {
    return { dropped: 0 };
  }
  const read = source.prepare("SELECT seq, ts, state, checksum FROM snapshots WHERE seq = ?");
  const insert = target.prepare("INSERT INTO snapshots (seq, ts, state, checksum) VALUES (?, ?, ?, ?)");
  let dropped = 0;
  for (const seq of seqs) {
    let row: { seq: number; ts: number; state: string; checksum: number } | undefined;
    try {
      row = read.get(seq) as typeof row;
    } catch {
      row = undefined;
    }
    if (row === undefined || row.seq > lastSeq || typeof checkSnapshot(target, row) === "string") {
      dropped++;
      continue;
    }
    insert.run(row.seq, row.ts, row.state, row.checksum);
  }
  return { dropped };
}

function beyondSalvage(path: string, damage: unknown, e: unknown): HeanError {
  return new HeanError(
    "JOURNAL_CORRUPT",
    `the journal file is damaged beyond salvage (${describe(damage)}; then ${describe(e)}): restore ${path} from a backup`,
    { path },
    { cause: e },
  );
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function moveAside(from: string, to: string): void {
  if (existsSync(from)) renameSync(from, to);
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}

function syncDirectory(path: string): void {
  const fd = openSync(dirname(path), "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
