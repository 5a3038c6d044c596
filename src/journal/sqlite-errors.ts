/**
 * Turning SQLite failures into hean errors, and telling physical damage apart from the rest.
 */
import { HeanError } from "../core/errors.ts";

const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

function primaryCode(e: unknown): number | undefined {
  const code = (e as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" ? code & 0xff : undefined;
}

/** The file's pages are damaged (torn, truncated, overwritten): only a salvage copy can help. */
export function isPhysicalCorruption(e: unknown): boolean {
  return primaryCode(e) === SQLITE_CORRUPT;
}

/** The file is not an SQLite database at all (or its first page is gone). */
export function isNotADatabase(e: unknown): boolean {
  return primaryCode(e) === SQLITE_NOTADB;
}

export function journalIoError(what: string, path: string, e: unknown): HeanError {
  if (e instanceof HeanError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  if (isNotADatabase(e)) {
    return new HeanError("JOURNAL_CORRUPT", `${what}: ${path} is not a readable SQLite journal (${detail})`, { path }, { cause: e });
  }
  return new HeanError("JOURNAL_IO", `${what}: ${detail}`, { path, errcode: primaryCode(e) }, { cause: e });
}
