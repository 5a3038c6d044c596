/**
 * Reading historical market data: one file as a stream of records, several merged by time.
 *
 * A malformed row is reported with file, line and reason: `strict` stops on it, the default skips
 * it and counts it. Time going backwards is an error either way: a silent sort would hide a
 * broken file and reorder what a backtest sees.
 */
import { HeanError } from "../../core/errors.ts";
import { DATA_FORMATS, type DataFormat, FORMATS, type TimeUnit, recogniseFile, timeUnitOf } from "./formats.ts";
import { type BytesCounter, readLineBatches } from "./lines.ts";
import type { MarketRecord } from "./records.ts";

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

const PROBLEMS_KEPT = 100;

export function newFileReport(file: string): FileReport {
  return { file, format: undefined, timeUnit: undefined, rows: 0, records: 0, skipped: 0, problems: [] };
}

function formatOf(file: string, options: ReadOptions): { format: DataFormat; symbol: string | undefined } {
  const known = recogniseFile(file);
  const format = options.format ?? known?.format;
  if (format === undefined) {
    throw new HeanError("DATA_MALFORMED", `${file}: cannot tell the file's layout from its name; say it with a format (${DATA_FORMATS.join(", ")})`, { file });
  }
  const symbol = options.symbol ?? known?.symbol;
  if (FORMATS[format].needsSymbol && symbol === undefined) {
    throw new HeanError("DATA_MALFORMED", `${file}: the rows carry no symbol and the file name does not say it; give the symbol`, { file, format });
  }
  return { format, symbol };
}

/** The records of one file, in file order. `report` is filled in as they are read. */
export async function* readMarketFile(file: string, options: ReadOptions = {}, report: FileReport = newFileReport(file)): AsyncGenerator<MarketRecord, void, undefined> {
  for await (const batch of readMarketBatches(file, options, report)) yield* batch;
}

/**
 * The records of one file in runs (one per chunk read), in file order: a consumer that needs no
 * await per record (a backtest) goes much faster. A problem that stops the read (strict, time
 * going back) is thrown after the records before it in its run have been yielded.
 */
export async function* readMarketBatches(file: string, options: ReadOptions = {}, report: FileReport = newFileReport(file)): AsyncGenerator<MarketRecord[], void, undefined> {
  const { format, symbol } = formatOf(file, options);
  const spec = FORMATS[format];
  report.format = format;
  let unit: TimeUnit | undefined;
  let lastTs = -Infinity;
  const skip = (line: number, reason: string): void => {
    if (options.strict === true) throw new HeanError("DATA_MALFORMED", `${file}:${line}: ${reason}`, { file, line, reason });
    report.skipped++;
    if (report.problems.length < PROBLEMS_KEPT) report.problems.push({ line, reason });
  };
  for await (const { first, lines } of readLineBatches(file, options.bytesRead)) {
    const out: MarketRecord[] = [];
    let stop: unknown;
    try {
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        const n = first + i;
        if (text.trim() === "") continue;
        const fields = text.split(",");
        // A header row; hean's recordings open with a `#hean-market {…}` line.
        if (n === 1 && (isHeader(fields, spec.header) || text.startsWith("#"))) continue;
        report.rows++;
        if (fields.length < spec.minColumns) {
          skip(n, `${fields.length} columns, ${format} has ${spec.minColumns}`);
          continue;
        }
        unit ??= report.timeUnit = timeUnitOf(fields[spec.timeColumn]!);
        const record = spec.parse(fields, { symbol, timeUnit: unit });
        if (typeof record === "string") {
          skip(n, record);
          continue;
        }
        if (record.ts < lastTs) {
          throw new HeanError("DATA_OUT_OF_ORDER", `${file}:${n}: time goes back from ${new Date(lastTs).toISOString()} to ${new Date(record.ts).toISOString()}`, { file, line: n, previous: lastTs, ts: record.ts });
        }
        lastTs = record.ts;
        if ((options.from !== undefined && record.ts < options.from) || (options.to !== undefined && record.ts >= options.to)) continue;
        report.records++;
        out.push(record);
      }
    } catch (e) {
      stop = e;
    }
    if (out.length > 0) yield out;
    if (stop !== undefined) throw stop;
  }
}

function isHeader(fields: readonly string[], header: readonly string[]): boolean {
  const first = fields[0]?.trim().toLowerCase() ?? "";
  // A data row starts with a number; a header with a name (checked against the layout's own).
  return first !== "" && !/^[\d.]+$/.test(first) && header.some((h) => h.toLowerCase() === first);
}

/**
 * Several files merged in time order, in runs (ties keep the order the files were given): one
 * file passes its runs through as they are; several are merged record by record, memory holding
 * one run per file.
 */
export async function* mergeMarketBatches(files: readonly string[], options: ReadOptions = {}, reports: FileReport[] = []): AsyncGenerator<MarketRecord[], void, undefined> {
  const sources = files.map((file) => {
    const report = newFileReport(file);
    reports.push(report);
    return readMarketBatches(file, options, report);
  });
  if (sources.length === 1) {
    yield* sources[0]!;
    return;
  }
  const runs: (MarketRecord[] | undefined)[] = await Promise.all(sources.map(async (s) => (await s.next()).value ?? undefined));
  const at = sources.map(() => 0);
  try {
    for (;;) {
      const out: MarketRecord[] = [];
      // Merge while every open file still has records in hand; refill the one that ran out.
      let refill = -1;
      while (refill < 0) {
        let pick = -1;
        for (let i = 0; i < runs.length; i++) {
          const run = runs[i];
          if (run !== undefined && (pick < 0 || run[at[i]!]!.ts < runs[pick]![at[pick]!]!.ts)) pick = i;
        }
        if (pick < 0) break;
        out.push(runs[pick]![at[pick]!]!);
        if (++at[pick]! === runs[pick]!.length) refill = pick;
      }
      if (out.length > 0) yield out;
      if (refill < 0) return;
      runs[refill] = (await sources[refill]!.next()).value ?? undefined;
      at[refill] = 0;
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}

/**
 * Several files merged into one stream in time order (ties keep the order the files were given),
 * each still read as a stream: memory holds one record per file.
 */
export async function* mergeMarketFiles(files: readonly string[], options: ReadOptions = {}, reports: FileReport[] = []): AsyncGenerator<MarketRecord, void, undefined> {
  const sources = files.map((file) => {
    const report = newFileReport(file);
    reports.push(report);
    return readMarketFile(file, options, report);
  });
  const heads: (MarketRecord | undefined)[] = await Promise.all(sources.map(async (s) => (await s.next()).value ?? undefined));
  try {
    for (;;) {
      let pick = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (pick < 0 || h.ts < heads[pick]!.ts)) pick = i;
      }
      if (pick < 0) return;
      yield heads[pick]!;
      heads[pick] = (await sources[pick]!.next()).value ?? undefined;
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}
