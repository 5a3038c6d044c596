/**
 * Reading records out of a file SQLite reports as damaged: in seq order, a page at a time until a
 * page hits damage, then one row at a time so every row before the damage is still seen. Junk
 * rows (damaged pages can yield them) are left for the caller's chain verification to refuse.
 */
import type { DatabaseSync } from "node:sqlite";
import { isPhysicalCorruption } from "./sqlite-errors.ts";

export type LooseRow = [seq: unknown, ts: unknown, type: unknown, payload: unknown, checksum: unknown];

const PAGE = 256;

/** A reader: the first row with seq ≥ `from`, `undefined` past the end, or why reading failed. */
export function tolerantRows(db: DatabaseSync): (from: number) => LooseRow | string | undefined {
  const page = db.prepare(`SELECT seq, ts, type, payload, checksum FROM events WHERE seq >= ? ORDER BY seq LIMIT ${PAGE}`);
  const one = db.prepare("SELECT seq, ts, type, payload, checksum FROM events WHERE seq >= ? ORDER BY seq LIMIT 1");
  page.setReturnArrays(true);
  one.setReturnArrays(true);
  let buffer: LooseRow[] = [];
  let at = 0;
  let rowByRow = false;
  return (from) => {
    while (at < buffer.length) {
      const row = buffer[at++]!;
      if (typeof row[0] !== "number" || row[0] >= from) return row;
    }
    try {
      if (!rowByRow) {
        try {
          buffer = page.all(from) as unknown as LooseRow[];
          at = 0;
          return buffer.length > 0 ? buffer[at++] : undefined;
        } catch (e) {
          if (!isPhysicalCorruption(e)) throw e;
          rowByRow = true;
        }
      }
      return (one.get(from) as unknown as LooseRow | undefined) ?? undefined;
    } catch (e) {
      return `record ${from} is unreadable (${e instanceof Error ? e.message : String(e)})`;
    }
  };
}
