/**
 * `hean run --fresh`: start a new journal without losing the old one. The old journal (with its
 * side files) is renamed beside itself with a timestamp, never deleted, and only while
 * hean holds its lock: a journal another process has open is refused (JOURNAL_LOCKED) and left
 * exactly as it was. The lock's side file stays where it is (it belongs to the path, not to the
 * data: see journal-lock.ts).
 */
import { existsSync, renameSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { HeanError } from "../core/errors.ts";
import { JournalLock } from "./journal-lock.ts";
import { URGENT_SUFFIX } from "./urgent-log.ts";

/** The database file's companions (SQLite's, and the urgent file), renamed with it so that none is left behind or meets another journal. */
const SIDE_SUFFIXES = ["-wal", "-shm", URGENT_SUFFIX] as const;

/** `data/hean.db` at 2026-12-05T05:20:01.123Z → `data/hean.2026-12-05T05-20-01-123Z.db` (a free name). */
export function asideName(path: string, now: number, exists: (p: string) => boolean = existsSync): string {
  const ext = extname(path);
  const stem = basename(path, ext);
  const stamp = new Date(now).toISOString().replace(/[:.]/g, "-");
  for (let n = 0; ; n++) {
    const candidate = join(dirname(path), `${stem}.${stamp}${n === 0 ? "" : `-${n}`}${ext}`);
    if (!exists(candidate) && SIDE_SUFFIXES.every((s) => !exists(candidate + s))) return candidate;
  }
}

/** Renames the journal at `path` aside; returns the new path, or undefined when there was none. */
export function setJournalAside(path: string, now: number): string | undefined {
  const absolute = resolve(path);
  if (!existsSync(absolute)) return undefined;
  const lock = JournalLock.acquire(absolute, now);
  try {
    const target = asideName(absolute, now);
    try {
      renameSync(absolute, target);
      for (const suffix of SIDE_SUFFIXES) if (existsSync(absolute + suffix)) renameSync(absolute + suffix, target + suffix);
    } catch (e) {
      throw new HeanError("JOURNAL_IO", `could not set the journal ${path} aside as ${target}: ${(e as Error).message}`, { path, target });
    }
    return target;
  } finally {
    lock.release();
  }
}
