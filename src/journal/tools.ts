/**
 * Looking at a journal without running the engine (`hean journal verify | inspect | replay`).
 *
 * All open the file read-only and never change it, so they are safe on a journal a running
 * engine is writing (they take no lock: WAL readers do not block the writer) and on a damaged
 * one, which stays as found for forensics. Verify reads everything and reports every problem it
 * finds (it does not stop at the first, as boot recovery does) and how many records they cost;
 * inspect decodes records for printing, with decimals as strings.
 */
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";
import { ALL_EVENT_TYPES } from "../core/events.ts";
import { ChainVerifier } from "./chain-verifier.ts";
import { chainSeed } from "./checksum.ts";
import { decodeValue, toPlain } from "./codec.ts";
import { lossOfDamage } from "./damage-extent.ts";
import { FORMAT_VERSION, hasTable, readMeta, type JournalMeta } from "./schema.ts";
import { checkSnapshot } from "./snapshots.ts";
import { tolerantRows } from "./tolerant-reader.ts";
import { readUrgentLog, urgentLogPath } from "./urgent-log.ts";

const MAX_PROBLEMS = 100;

export interface VerifyProblem {
  readonly where: "file" | "record" | "snapshot";
  /** The record's or snapshot's seq; null for problems of the file as a whole. */
  readonly seq: number | null;
  readonly reason: string;
}

export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

/** Records damaged, missing or unreadable. */
export interface LostRecords {
  readonly records: number;
  /** True when damage hides how far the journal went: more may be lost than counted. */
  readonly atLeast: boolean;
  readonly ranges: readonly SeqRange[];
}

export interface SnapshotSummary {
  readonly seq: number;
  readonly ts: number;
  readonly bytes: number;
  readonly ok: boolean;
}

export interface VerifyReport {
  readonly path: string;
  /** True when the file, every record and every snapshot check out. */
  readonly ok: boolean;
  readonly journalId: string | null;
  readonly formatVersion: number | null;
  readonly createdAt: number | null;
  readonly configFingerprint: string | null;
  /** Records read (including bad ones). */
  readonly records: number;
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  readonly snapshots: readonly SnapshotSummary[];
  /** SQLite's own page-level check: "ok" or what it found. */
  readonly sqliteIntegrity: string;
  readonly problems: readonly VerifyProblem[];
  /** Problems found beyond the first MAX_PROBLEMS, counted but not listed. */
  readonly problemsOmitted: number;
  /** What the problems cost in records (none lost: 0 and no ranges). */
  readonly lost: LostRecords;
  /** The last seq of the verified prefix: a replay of this file stops there. */
  readonly goodThrough: number;
  /**
   * Records only the urgent file beside the journal holds, past its last record (a crash after a
   * kill-switch flush, urgent-log.ts): durable, and added by the next writable open.
   */
  readonly urgentPending: number;
}

export interface InspectOptions {
  /** First seq to show (inclusive). Default 1. */
  readonly from?: number;
  /** At most this many records. Default 100. */
  readonly limit?: number;
  /** Only records of this event type. */
  readonly type?: string;
}

export type InspectedRecord =
  | { readonly seq: number; readonly ts: number; readonly type: string; readonly event: unknown }
  | { readonly seq: number; readonly ts: number; readonly type: string; readonly error: string; readonly payload: string };

/** Read the whole journal and report everything wrong with it. Never throws for a damaged journal. */
export function verifyJournal(path: string): VerifyReport {
  const problems = new ProblemList();
  const report = {
    path,
    journalId: null as string | null,
    formatVersion: null as number | null,
    createdAt: null as number | null,
    configFingerprint: null as string | null,
    records: 0,
    firstSeq: null as number | null,
    lastSeq: null as number | null,
    snapshots: [] as SnapshotSummary[],
    sqliteIntegrity: "not checked",
    lost: NOTHING_LOST as LostRecords,
    goodThrough: 0,
    urgentPending: 0,
  };
  if (!existsSync(path)) {
    problems.add({ where: "file", seq: null, reason: `no journal at ${path}` });
    return finish(report, problems);
  }
  let db: DatabaseSync;
  try {
    db = openForReading(path);
  } catch (e) {
    problems.add({ where: "file", seq: null, reason: `cannot open: ${message(e)}` });
    return finish(report, problems);
  }
  try {
    // One read transaction: a running engine's later commits (records, and a snapshot past the
    // records already scanned) stay out of this report instead of looking like damage.
    db.exec("BEGIN");
    report.sqliteIntegrity = integrity(db);
    if (report.sqliteIntegrity !== "ok") problems.add({ where: "file", seq: null, reason: `sqlite: ${report.sqliteIntegrity}` });
    const meta = metaOf(db, problems);
    if (meta === undefined) return finish(report, problems);
    report.journalId = meta.journalId;
    report.formatVersion = meta.formatVersion;
    report.createdAt = meta.createdAt;
    report.configFingerprint = meta.configFingerprint ?? null;
    if (meta.formatVersion !== FORMAT_VERSION) {
      problems.add({ where: "file", seq: null, reason: `format ${meta.formatVersion}, this build reads ${FORMAT_VERSION}` });
      return finish(report, problems);
    }
    const lost = new LossTally();
    scanRecords(db, path, meta, report, problems, lost);
    report.snapshots = scanSnapshots(db, report.lastSeq ?? 0, problems);
    // Snapshots past the last record: the log once went that far (its tail rows were deleted).
    const lastSnapshot = report.snapshots.at(-1)?.seq ?? 0;
    if (lastSnapshot > (report.lastSeq ?? 0)) lost.add((report.lastSeq ?? 0) + 1, lastSnapshot, true);
    report.lost = lost.result();
    report.goodThrough = lost.firstSeq() === undefined ? (report.lastSeq ?? 0) : lost.firstSeq()! - 1;
    try {
      report.urgentPending = readUrgentLog(path, meta.journalId).filter((r) => r.seq > (report.lastSeq ?? 0)).length;
    } catch (e) {
      // The next open would refuse too: it cannot tell what the file holds.
      problems.add({ where: "file", seq: null, reason: `cannot read ${urgentLogPath(path)}: ${message(e)}` });
    }
  } finally {
    if (db.isTransaction) db.exec("ROLLBACK");
    db.close();
  }
  return finish(report, problems);
}

/** Decoded records for printing (decimals as strings). Throws JOURNAL_IO/JOURNAL_ARGUMENT for bad input. */
export function inspectJournal(path: string, options: InspectOptions = {}): InspectedRecord[] {
  const from = options.from ?? 1;
  const limit = options.limit ?? 100;
  if (!Number.isSafeInteger(from) || from < 0) throw new HeanError("JOURNAL_ARGUMENT", `from must be a seq ≥ 0, got ${from}`, {});
  if (!Number.isSafeInteger(limit) || limit < 0) throw new HeanError("JOURNAL_ARGUMENT", `limit must be ≥ 0, got ${limit}`, {});
  if (options.type !== undefined && !(ALL_EVENT_TYPES as readonly string[]).includes(options.type)) {
    throw new HeanError("JOURNAL_ARGUMENT", `unknown event type ${JSON.stringify(options.type)}`, { known: ALL_EVENT_TYPES });
  }
  if (!existsSync(path)) throw new HeanError("JOURNAL_IO", `no journal at ${path}`, { path });
  let db: DatabaseSync;
  try {
    db = openForReading(path);
  } catch (e) {
    throw new HeanError("JOURNAL_IO", `cannot open ${path}: ${message(e)}`, { path }, { cause: e });
  }
  try {
    // Row by row past damage (a file SQLite finds damaged still shows what it can); stops where nothing more can be read.
    const rows = tolerantRows(db);
    const out: InspectedRecord[] = [];
    let at = from;
    while (out.length < limit) {
      const row = rows(at);
      if (row === undefined || typeof row === "string" || typeof row[0] !== "number" || row[0] < at) break;
      const [seq, ts, type, payload] = row;
      at = seq + 1;
      if (options.type !== undefined && type !== options.type) continue;
      if (typeof ts !== "number" || typeof type !== "string" || typeof payload !== "string") {
        out.push({ seq, ts: Number(ts), type: String(type), error: "record has columns of the wrong type", payload: String(payload) });
        continue;
      }
      try {
        out.push({ seq, ts, type, event: toPlain(decodeValue(payload)) });
      } catch (e) {
        out.push({ seq, ts, type, error: message(e), payload });
      }
    }
    return out;
  } catch (e) {
    throw new HeanError("JOURNAL_IO", `cannot read ${path}: ${message(e)}`, { path }, { cause: e });
  } finally {
    db.close();
  }
}

/** A verify report for a terminal. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    `journal ${report.path}: ${report.ok ? "OK" : "PROBLEMS FOUND"}`,
    `  id ${report.journalId ?? "?"}, format ${report.formatVersion ?? "?"}, created ${isoOrUnknown(report.createdAt)}` +
      (report.configFingerprint !== null ? `, config ${report.configFingerprint}` : ""),
    `  records ${report.records}` + (report.firstSeq !== null ? ` (seq ${report.firstSeq}..${report.lastSeq})` : ""),
    `  snapshots ${report.snapshots.length}` +
      (report.snapshots.length > 0 ? `: ${report.snapshots.map((s) => `${s.seq}${s.ok ? "" : " (bad)"}`).join(", ")}` : ""),
    `  sqlite integrity: ${report.sqliteIntegrity}`,
  ];
  if (report.urgentPending > 0) lines.push(`  ${urgentPendingLine(report)}`);
  if (report.lost.records > 0 || report.lost.atLeast) lines.push(`  LOST: ${describeLostRecords(report.lost)}`);
  for (const p of report.problems) lines.push(`  ${p.where}${p.seq !== null ? ` ${p.seq}` : ""}: ${p.reason}`);
  if (report.problemsOmitted > 0) lines.push(`  … and ${report.problemsOmitted} more problems`);
  return lines.join("\n") + "\n";
}

/** Records that are durable but not yet in the journal file itself, said so that nobody takes the journal's end for the run's. */
export function urgentPendingLine(report: VerifyReport): string {
  return `${report.urgentPending} more record(s) after seq ${report.lastSeq ?? 0} are in ${urgentLogPath(report.path)} (made durable by the kill switch before a crash); the next start adds them`;
}

/** One line per record: seq, time, type, the event as JSON (decimals as strings). */
export function formatInspectedRecord(record: InspectedRecord): string {
  const time = isoOrUnknown(record.ts);
  const body = "event" in record ? JSON.stringify(record.event) : `UNDECODABLE (${record.error}) ${record.payload}`;
  return `${String(record.seq).padStart(8)}  ${time}  ${record.type.padEnd(22)}  ${body}`;
}

export function openForReading(path: string): DatabaseSync {
  // Read-only keeps the file as found; writable_schema (with defensive off) lets SQLite read a
  // file shorter than its header claims, so a truncated journal can still be examined.
  const db = new DatabaseSync(path, { readOnly: true, defensive: false, timeout: 5000 });
  try {
    db.exec("PRAGMA writable_schema=ON");
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function integrity(db: DatabaseSync): string {
  try {
    const rows = db.prepare("PRAGMA integrity_check(20)").all() as { integrity_check: string }[];
    const found = rows.map((r) => r.integrity_check);
    return found.length === 1 && found[0] === "ok" ? "ok" : found.join("; ");
  } catch (e) {
    return message(e);
  }
}

function metaOf(db: DatabaseSync, problems: ProblemList): JournalMeta | undefined {
  try {
    if (!hasTable(db, "meta") || !hasTable(db, "events") || !hasTable(db, "snapshots")) {
      problems.add({ where: "file", seq: null, reason: "not a hean journal (tables missing)" });
      return undefined;
    }
    return readMeta(db);
  } catch (e) {
    problems.add({ where: "file", seq: null, reason: `unreadable meta: ${message(e)}` });
    return undefined;
  }
}

function scanRecords(
  db: DatabaseSync,
  path: string,
  meta: JournalMeta,
  report: { records: number; firstSeq: number | null; lastSeq: number | null },
  problems: ProblemList,
  lost: LossTally,
): void {
  const rows = tolerantRows(db);
  const verifier = new ChainVerifier(chainSeed(meta.journalId), 1);
  let after = 0;
  const unreadable = (reason: string): void => {
    problems.add({ where: "record", seq: after + 1, reason: `unreadable from here on: ${reason}` });
    const extent = lossOfDamage(db, path, after);
    lost.add(extent.fromSeq, extent.toSeq, extent.atLeast);
  };
  for (;;) {
    const row = rows(after + 1);
    if (row === undefined) return;
    if (typeof row === "string") return unreadable(row);
    const [seq, ts, type, payload, checksum] = row;
    if (typeof seq !== "number" || seq <= after) return unreadable(`the table returned seq ${String(seq)}`);
    report.records++;
    report.firstSeq ??= seq;
    report.lastSeq = seq;
    const checked = verifier.check(seq, ts, type, payload, checksum);
    if (typeof checked === "string") {
      problems.add({ where: "record", seq, reason: checked });
      // A gap costs the missing seqs; any other bad record costs itself.
      if (seq > after + 1) lost.add(after + 1, seq - 1, false);
      else lost.add(seq, seq, false);
      verifier.resync(seq, typeof checksum === "number" ? checksum : 0);
    }
    after = seq;
  }
}

const NOTHING_LOST: LostRecords = { records: 0, atLeast: false, ranges: [] };

/** Lost seq ranges in the order found (ascending, disjoint: the scan only moves forward). */
class LossTally {
  readonly #ranges: SeqRange[] = [];
  #atLeast = false;

  add(from: number, to: number, atLeast: boolean): void {
    this.#atLeast ||= atLeast;
    if (to < from) return;
    const last = this.#ranges.at(-1);
    if (last !== undefined && last.to + 1 >= from) this.#ranges[this.#ranges.length - 1] = { from: last.from, to: Math.max(last.to, to) };
    else this.#ranges.push({ from, to });
  }

  firstSeq(): number | undefined {
    return this.#ranges[0]?.from;
  }

  result(): LostRecords {
    if (this.#ranges.length === 0 && !this.#atLeast) return NOTHING_LOST;
    return { records: this.#ranges.reduce((n, r) => n + r.to - r.from + 1, 0), atLeast: this.#atLeast, ranges: this.#ranges };
  }
}

/** "90 records (seq 240..329)", "at least 90 records (seq 240..329, and perhaps more after)". */
export function describeLostRecords(lost: LostRecords): string {
  const ranges = lost.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}..${r.to}`)).join(", ");
  const count = `${lost.atLeast ? "at least " : ""}${lost.records} record${lost.records === 1 ? "" : "s"}`;
  return `${count}${ranges !== "" ? ` (seq ${ranges}${lost.atLeast ? ", and perhaps more after" : ""})` : ""}`;
}

function scanSnapshots(db: DatabaseSync, lastSeq: number, problems: ProblemList): SnapshotSummary[] {
  const out: SnapshotSummary[] = [];
  let rows: { seq: number; ts: number; state: string; checksum: number }[];
  try {
    rows = db.prepare("SELECT seq, ts, state, checksum FROM snapshots ORDER BY seq").all() as typeof rows;
  } catch (e) {
    problems.add({ where: "snapshot", seq: null, reason: `unreadable snapshots: ${message(e)}` });
    return out;
  }
  for (const row of rows) {
    let reason = row.seq > lastSeq ? `taken at seq ${row.seq}, after the last record (${lastSeq})` : undefined;
    if (reason === undefined) {
      try {
        const checked = checkSnapshot(db, row);
        if (typeof checked === "string") reason = checked;
      } catch (e) {
        reason = message(e);
      }
    }
    if (reason !== undefined) problems.add({ where: "snapshot", seq: row.seq, reason });
    out.push({ seq: row.seq, ts: row.ts, bytes: typeof row.state === "string" ? row.state.length : 0, ok: reason === undefined });
  }
  return out;
}

class ProblemList {
  readonly listed: VerifyProblem[] = [];
  omitted = 0;

  add(problem: VerifyProblem): void {
    if (this.listed.length < MAX_PROBLEMS) this.listed.push(problem);
    else this.omitted++;
  }
}

function finish<T extends object>(report: T, problems: ProblemList): T & { ok: boolean; problems: VerifyProblem[]; problemsOmitted: number } {
  return { ...report, ok: problems.listed.length === 0, problems: problems.listed, problemsOmitted: problems.omitted };
}

function isoOrUnknown(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "?";
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
