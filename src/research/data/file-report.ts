/**
 * What reading one market data file was asked to do and what it found: shared by the text reader
 * (reader.ts) and the byte-level row reader (row-reader.ts).
 */
import type { DataFormat, TimeUnit } from "./formats.ts";
import type { BytesCounter } from "./lines.ts";

export interface ReadOptions {
  /** Stop at the first malformed row instead of skipping it. */
  readonly strict?: boolean;
  /** The file's layout, when its name does not follow the venue's. */
  readonly format?: DataFormat;
  /** The symbol of a file whose rows carry none and whose name does not say. */
  readonly symbol?: string;
  /** Only records with from ≤ ts < to. */
  readonly from?: number;
  readonly to?: number;
  /** Counts the file bytes read, across files (progress). */
  readonly bytesRead?: BytesCounter;
}

export interface RowProblem {
  readonly line: number;
  readonly reason: string;
}

/** What reading a file found; filled in as the file is read. */
export interface FileReport {
  readonly file: string;
  format: DataFormat | undefined;
  timeUnit: TimeUnit | undefined;
  rows: number;
  records: number;
  skipped: number;
  /** The first problems (all are counted in `skipped`). */
  readonly problems: RowProblem[];
}

export function newFileReport(file: string): FileReport {
  return { file, format: undefined, timeUnit: undefined, rows: 0, records: 0, skipped: 0, problems: [] };
}
