/**
 * The journal's file format: tables, connection settings and the meta row.
 *
 * Format version 1:
 * - meta(key, value): format_version, journal_id (random, created once), created_at (ms),
 *   config_fingerprint (optional).
 * - events(seq, ts, type, payload, checksum): seq is the rowid, 1, 2, 3, … with no gaps.
 * - snapshots(seq, ts, state, checksum): state as of the record with the same seq.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";

export const FORMAT_VERSION = 1;

export type Durability = "full" | "normal";

export interface JournalMeta {
  readonly formatVersion: number;
  readonly journalId: string;
  readonly createdAt: number;
  readonly configFingerprint: string | undefined;
}

const CREATE_TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  ts REAL NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  checksum INTEGER NOT NULL
) STRICT;
CREATE TABLE snapshots (
  seq INTEGER PRIMARY KEY,
  ts REAL NOT NULL,
  state TEXT NOT NULL,
  checksum INTEGER NOT NULL
) STRICT;
`;

/** Settings every read-write connection needs (synchronous is per connection, not per file). */
export function configureConnection(db: DatabaseSync, durability: Durability, busyTimeoutMs: number): void {
  // First: a connection closing elsewhere (a checkpoint) briefly locks the file, even for the WAL switch.
  db.exec(`PRAGMA busy_timeout=${Math.max(0, Math.floor(busyTimeoutMs))}`);
  const mode = db.prepare("PRAGMA journal_mode=WAL").get() as { journal_mode?: unknown } | undefined;
  if (mode?.journal_mode !== "wal") {
    throw new HeanError("JOURNAL_IO", `could not switch the journal to WAL mode (got ${String(mode?.journal_mode)})`, {});
  }
  db.exec(`PRAGMA synchronous=${durability === "full" ? "FULL" : "NORMAL"}`);
  // Catches damaged pages as soon as they are read instead of returning garbage cells.
  db.exec("PRAGMA cell_size_check=ON");
  // After a checkpoint the WAL file is cut back to this size instead of keeping its peak.
  db.exec("PRAGMA journal_size_limit=67108864");
}

/** Create the tables on a new file; on an existing one check it is a journal this code can read. */
export function ensureSchema(
  db: DatabaseSync,
  createdAt: number,
  configFingerprint: string | undefined,
): JournalMeta {
  db.exec("BEGIN IMMEDIATE");
  try {
    if (!hasTable(db, "meta")) {
      const others = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
      if (others.n > 0) {
        throw new HeanError("JOURNAL_VERSION", "the file is an SQLite database but not a hean journal", {});
      }
      createTables(db, { formatVersion: FORMAT_VERSION, journalId: randomUUID(), createdAt, configFingerprint });
    }
    const meta = readMeta(db);
    checkVersion(meta);
    if (configFingerprint !== undefined) {
      if (meta.configFingerprint === undefined) {
        db.prepare("INSERT INTO meta (key, value) VALUES ('config_fingerprint', ?)").run(configFingerprint);
      } else if (meta.configFingerprint !== configFingerprint) {
        throw new HeanError(
          "JOURNAL_CONFIG_MISMATCH",
          `the journal was written under config ${meta.configFingerprint}, this run has ${configFingerprint}`,
          { journal: meta.configFingerprint, current: configFingerprint },
        );
      }
    }
    db.exec("COMMIT");
    return configFingerprint !== undefined ? { ...meta, configFingerprint } : meta;
  } catch (e) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  }
}

/** Create the tables of an empty file with the given meta (a new journal, or a salvage copy of an old one). */
export function createTables(db: DatabaseSync, meta: JournalMeta): void {
  db.exec(CREATE_TABLES);
  const put = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
  put.run("format_version", String(meta.formatVersion));
  put.run("journal_id", meta.journalId);
  put.run("created_at", String(meta.createdAt));
  if (meta.configFingerprint !== undefined) put.run("config_fingerprint", meta.configFingerprint);
}

export function readMeta(db: DatabaseSync): JournalMeta {
  const rows = db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[];
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const journalId = map.get("journal_id");
  const version = Number(map.get("format_version"));
  if (journalId === undefined || !Number.isInteger(version)) {
    throw new HeanError("JOURNAL_CORRUPT", "the journal's meta table lacks its id or format version", {
      keys: [...map.keys()],
    });
  }
  return {
    formatVersion: version,
    journalId,
    createdAt: Number(map.get("created_at") ?? "0"),
    configFingerprint: map.get("config_fingerprint"),
  };
}

export function checkVersion(meta: JournalMeta): void {
  if (meta.formatVersion !== FORMAT_VERSION) {
    throw new HeanError(
      "JOURNAL_VERSION",
      `journal format ${meta.formatVersion} is not the format this build reads (${FORMAT_VERSION})`,
      { found: meta.formatVersion, supported: FORMAT_VERSION },
    );
  }
}

export function hasTable(db: DatabaseSync, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
