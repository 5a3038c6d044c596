/**
 * What reading one market data file was asked to do and what it found: shared by the text reader
 * (reader.ts) and the byte-level row reader (row-reader.ts).
 */
import type { DataFormat, TimeUnit } from "./formats.ts";
import type { BytesCounter } from "./lines.ts";

export interface ReadOptions {
  /** Stop at the first malformed row instead of skipping it. */
  readonly strict?: boolean;
  /** The layout of a file whose name does not follow the venue's (a name that does decides). */
  readonly format?: DataFormat;
  /** The symbol of a file whose rows carry none and whose name does not say (a name that does decides). */
  readonly symbol?: string;
  /** Only records with from ≤ ts < to. */
  readonly from?: number;
  readonly to?: number;
  /** Counts the file bytes read, across files (progress). */
  readonly bytesRead?: BytesCounter;
}

/** How to read files whose names do not say their layout or symbol. */
export type ReadAs = Pick<ReadOptions, "format" | "symbol">;

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

const REASONS_SHOWN = 3;

/**
 * Why files gave no data, for the error that says so: each file's malformed rows and the first
 * reasons (a wrong --format makes every row malformed, and the reasons say how). Empty when no row
 * was malformed (the files are empty, or nothing falls within --from/--to).
 */
export function malformedRows(reports: readonly FileReport[]): string {
  return reports
    .filter((r) => r.skipped > 0)
    .map((r) => {
      const first = r.problems.slice(0, REASONS_SHOWN).map((p) => `\n    ${r.file}:${p.line}: ${p.reason}`);
      return `\n  ${r.file}: ${r.skipped} of ${r.rows} rows malformed as ${r.format ?? "?"}${r.skipped > first.length ? `, the first ${first.length}` : ""}:${first.join("")}`;
    })
    .join("");
}
