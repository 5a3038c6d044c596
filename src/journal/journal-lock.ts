/**
 * One process per journal. The lock is an OS file lock that SQLite takes on a small side file
 * (`<journal>.lock`) and that the holder keeps for as long as the journal is open: a write
 * transaction begun and never committed. The operating system drops it when the process ends in
 * any way, SIGKILL and power loss included, so a dead holder never blocks a restart and no pid
 * guessing (pid reuse, other hosts' pids) decides anything. SQLite also sees the lock between
 * connections of one process (worker threads included), so a second open in-process is refused too.
 *
 * The side file also names its holder (pid, host, since) in a row that other processes can read
 * while the lock is held (a pending write blocks writers, not readers), so a refusal says who
 * holds the journal. Only the lock decides; the row is for the message. The file is never
 * deleted: unlinking a lock file lets a newcomer lock a fresh inode while the holder keeps the old one.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { DatabaseSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (ms since the epoch). */
  readonly since: number;
  readonly journal: string;
}

/** How often to retry when another process slipped in between our two transactions (see `acquire`). */
const ATTEMPTS = 5;
/** Writing the holder row waits this long for readers of the row to finish. */
const WRITE_WAIT_MS = 2_000;

const SQLITE_BUSY = 5;

export const lockFileOf = (journalPath: string): string => `${journalPath}.lock`;

export class JournalLock {
  readonly path: string;
  readonly holder: LockHolder;
  #db: DatabaseSync | undefined;

  private constructor(path: string, holder: LockHolder, db: DatabaseSync) {
    this.path = path;
    this.holder = holder;
    this.#db = db;
  }

  /** Take the lock of the journal at `journalPath` (absolute) or throw JOURNAL_LOCKED naming the holder. */
  static acquire(journalPath: string, now: number): JournalLock {
    const path = lockFileOf(journalPath);
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: now, journal: journalPath };
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: 0 });
    } catch (e) {
      throw lockFileError(path, e);
    }
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        // The row is written in a committed transaction (so others can read it), then the lock is
        // taken again and kept. Whoever slipped in between has written its own row: if the row is
        // not ours once we hold the lock, start over, so a refusal always names the real holder.
        const token = randomUUID();
        begin(db, path);
        db.exec("CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, info TEXT NOT NULL)");
        db.prepare("INSERT OR REPLACE INTO holder (id, token, info) VALUES (1, ?, ?)").run(token, JSON.stringify(holder));
        db.exec(`PRAGMA busy_timeout=${WRITE_WAIT_MS}`);
        db.exec("COMMIT");
        begin(db, path);
        const row = db.prepare("SELECT token FROM holder WHERE id = 1").get() as { token: string } | undefined;
        if (row?.token === token) return new JournalLock(path, holder, db);
        db.exec("ROLLBACK");
      }
      throw new HeanError("JOURNAL_LOCKED", `the journal ${journalPath} is being opened by other processes at the same moment; try again`, {
        path: journalPath,
      });
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      db.close();
      if (e instanceof HeanError) throw e;
      throw lockFileError(path, e);
    }
  }

  /** Give the lock up (idempotent). The holder row is cleared first, so a released lock names nobody. */
  release(): void {
    const db = this.#db;
    if (db === undefined) return;
    this.#db = undefined;
    try {
      db.exec("DELETE FROM holder");
      db.exec("COMMIT");
    } catch {
      // a reader of the row kept it from being cleared; the lock itself goes with the connection
    } finally {
      if (db.isTransaction) db.exec("ROLLBACK");
      db.close();
    }
  }
}

/** Who holds the journal's lock, as far as its side file says (undefined when nobody is named). */
export function readLockHolder(journalPath: string): LockHolder | undefined {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(lockFileOf(journalPath), { readOnly: true, timeout: WRITE_WAIT_MS });
    const row = db.prepare("SELECT info FROM holder WHERE id = 1").get() as { info: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.info) as LockHolder);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

function begin(db: DatabaseSync, path: string): void {
  db.exec("PRAGMA busy_timeout=0");
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (e) {
    if ((e as { errcode?: unknown }).errcode !== SQLITE_BUSY) throw e;
    throw lockedError(path.slice(0, -".lock".length));
  }
}

function lockedError(journalPath: string): HeanError {
  const holder = readLockHolder(journalPath);
  const who =
    holder === undefined
      ? "another process (it has not named itself yet)"
      : `pid ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}`;
  return new HeanError(
    "JOURNAL_LOCKED",
    `the journal ${journalPath} is in use by ${who}; stop that process first (a dead process holds no lock)`,
    { path: journalPath, ...(holder !== undefined ? { holder } : {}) },
  );
}

function lockFileError(path: string, e: unknown): HeanError {
  return new HeanError(
    "JOURNAL_IO",
    `cannot use the journal's lock file ${path}: ${e instanceof Error ? e.message : String(e)} (if no hean process uses the journal, remove it)`,
    { path },
    { cause: e },
  );
}
