/**
 * Boot-time check of the journal's tail: every record after the newest valid snapshot (or all
 * of them when there is none) must continue the sequence and the checksum chain and decode.
 * A bad record means records are lost: unless the caller has the operator's word ("cut"), the
 * open is refused and nothing changes. With it, the first bad record and everything after it are
 * cut off in one transaction, so a bad record is never applied and appends continue right after
 * the last good one.
 */
import type { DatabaseSync } from "node:sqlite";
import { ChainVerifier } from "./chain-verifier.ts";
import { lossFrom, lossUnconfirmed } from "./loss.ts";
import { RecordReader } from "./record-reader.ts";
import { latestValidSnapshot } from "./snapshots.ts";
import type { JournalProblem, LossPolicy, Recovery } from "./types.ts";

export interface TailState {
  readonly lastSeq: number;
  readonly lastChecksum: number;
  readonly recovery: Recovery;
}

export function recoverTail(
  db: DatabaseSync,
  seed: number,
  onSnapshotProblem: (p: JournalProblem) => void,
  onLoss: LossPolicy,
  path: string,
): TailState {
  const anchor = latestValidSnapshot(db, Number.MAX_SAFE_INTEGER, onSnapshotProblem);
  const startSeq = anchor?.snapshot.seq ?? 0;
  const verifier = new ChainVerifier(anchor?.recordChecksum ?? seed, startSeq + 1);
  let problem: JournalProblem | undefined;
  for (const row of new RecordReader(db).rows(startSeq + 1)) {
    const checked = verifier.check(row[0], row[1], row[2], row[3], row[4]);
    if (typeof checked === "string") {
      problem = { seq: row[0], reason: checked };
      break;
    }
  }
  const lastSeq = verifier.nextSeq - 1;
  const lastChecksum = verifier.prevChecksum;
  if (problem === undefined) return { lastSeq, lastChecksum, recovery: { status: "clean" } };
  const fromSeq = verifier.nextSeq;
  const lost = lossFrom(fromSeq, highestSeq(db), false);
  const reason = `record ${problem.seq}: ${problem.reason}`;
  if (onLoss === "refuse") throw lossUnconfirmed(path, lost, reason);
  const removedSnapshots = cutFrom(db, fromSeq);
  return { lastSeq, lastChecksum, recovery: { status: "truncated", fromSeq, lost, reason, removedSnapshots } };
}

/** The highest seq the file holds a record or a snapshot of: the journal went at least this far. */
function highestSeq(db: DatabaseSync): number {
  const row = db.prepare("SELECT max(coalesce((SELECT max(seq) FROM events), 0), coalesce((SELECT max(seq) FROM snapshots), 0)) AS seq").get() as {
    seq: number | null;
  };
  return row.seq ?? 0;
}

function cutFrom(db: DatabaseSync, fromSeq: number): number {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.prepare("DELETE FROM events WHERE seq >= ?").run(fromSeq);
    const removedSnapshots = Number(db.prepare("DELETE FROM snapshots WHERE seq >= ?").run(fromSeq).changes);
    db.exec("COMMIT");
    return removedSnapshots;
  } catch (e) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  }
}
