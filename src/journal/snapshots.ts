/**
 * Reading snapshots back: the newest one whose checksum (bound to the record it was taken at)
 * verifies and whose state decodes. Damaged ones are reported and skipped, falling back to an
 * older snapshot or, when none is left, to a replay from the first record.
 */
import type { DatabaseSync } from "node:sqlite";
import { snapshotChecksum } from "./checksum.ts";
import { decodeValue } from "./codec.ts";
import type { JournalProblem, Snapshot } from "./types.ts";

export interface VerifiedSnapshot {
  readonly snapshot: Snapshot;
  /** The stored checksum of the record at the snapshot's seq: where the tail's chain continues. */
  readonly recordChecksum: number;
}

interface SnapshotRow {
  seq: number;
  ts: number;
  state: string;
  checksum: number;
}

export function checkSnapshot(db: DatabaseSync, row: SnapshotRow): VerifiedSnapshot | string {
  const record = db.prepare("SELECT checksum FROM events WHERE seq = ?").get(row.seq) as { checksum: number } | undefined;
  if (record === undefined) return `its record ${row.seq} is missing`;
  if (typeof row.state !== "string" || typeof row.ts !== "number") return "snapshot has columns of the wrong type";
  if (snapshotChecksum(record.checksum, row.seq, row.ts, row.state) !== row.checksum) return "snapshot checksum mismatch";
  try {
    return { snapshot: { seq: row.seq, ts: row.ts, state: decodeValue(row.state) }, recordChecksum: record.checksum };
  } catch (e) {
    return `undecodable snapshot state: ${(e as Error).message.replace(/^JOURNAL_CORRUPT: /, "")}`;
  }
}

/** Newest valid snapshot with seq ≤ maxSeq; every damaged one passed over goes to `onProblem`. */
export function latestValidSnapshot(
  db: DatabaseSync,
  maxSeq: number,
  onProblem: (problem: JournalProblem) => void,
): VerifiedSnapshot | undefined {
  // One row at a time: states can be large and we usually need only the newest.
  const next = db.prepare("SELECT seq, ts, state, checksum FROM snapshots WHERE seq < ? ORDER BY seq DESC LIMIT 1");
  let below = maxSeq + 1;
  for (;;) {
    const row = next.get(below) as SnapshotRow | undefined;
    if (row === undefined) return undefined;
    const checked = checkSnapshot(db, row);
    if (typeof checked !== "string") return checked;
    onProblem({ seq: row.seq, reason: checked });
    below = row.seq;
  }
}
