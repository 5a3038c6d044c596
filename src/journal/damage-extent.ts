/**
 * How far a journal SQLite finds damaged went: the extent of what the damage cost, for salvage
 * (before cutting) and for the read-only tools (to say how many records are lost).
 */
import type { DatabaseSync } from "node:sqlite";
import { btreeHighWater } from "./btree-high-water.ts";
import { lossFrom } from "./loss.ts";
import type { JournalLoss } from "./types.ts";

/**
 * What the damage cost: every seq after the good prefix up to the highest the damaged file shows
 * existed. Evidence of that: records still readable past the damage (scans stop or return junk at
 * damaged pages, but key lookups reach intact leaves beyond them, so we walk forward by key,
 * leaping further after each miss), snapshots, and the keys in the table's surviving interior
 * pages. Unless the table's rightmost leaf was read, more may have been lost: `atLeast`.
 */
export function lossOfDamage(db: DatabaseSync, path: string, lastSeq: number): JournalLoss {
  const probe = db.prepare("SELECT seq FROM events WHERE seq >= ? ORDER BY seq LIMIT 1");
  let highest = lastSeq;
  let at = lastSeq + 1;
  let leap = 1;
  while (leap <= 1 << 24) {
    let seq: unknown;
    try {
      seq = (probe.get(at) as { seq: unknown } | undefined)?.seq;
    } catch {
      seq = undefined;
    }
    if (typeof seq === "number" && Number.isSafeInteger(seq) && seq >= at) {
      highest = seq;
      at = seq + 1;
      leap = 1;
    } else {
      at += leap;
      leap *= 2;
    }
  }
  highest = Math.max(highest, highestSnapshotSeq(db));
  const water = btreeHighWater(path, eventsRootPage(db));
  if (water.key !== undefined) highest = Math.max(highest, water.key);
  return lossFrom(lastSeq + 1, highest, !water.complete);
}

function highestSnapshotSeq(db: DatabaseSync): number {
  try {
    const seq = (db.prepare("SELECT max(seq) AS seq FROM snapshots").get() as { seq: unknown }).seq;
    return typeof seq === "number" && Number.isSafeInteger(seq) ? seq : 0;
  } catch {
    return 0;
  }
}

function eventsRootPage(db: DatabaseSync): number {
  try {
    const page = (db.prepare("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'events'").get() as { rootpage: unknown } | undefined)
      ?.rootpage;
    return typeof page === "number" ? page : 0;
  } catch {
    return 0;
  }
}

