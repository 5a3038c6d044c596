/**
 * Reading historical market data: one file as a stream of records, several merged by time.
 *
 * A malformed row is reported with file, line and reason: `strict` stops on it, the default skips
 * it and counts it. Time going backwards is an error either way: a silent sort would hide a
 * broken file and reorder what a backtest sees.
 */
import { HeanError } from "../../core/errors.ts";
import { type DataFormat, FORMATS, NAMEABLE_FORMATS, type TimeUnit, recogniseFile, unreplayedError, unreplayedFile } from "./formats.ts";
import { type BytesCounter, readError, unpacked } from "./lines.ts";
import { type FileReport, type ReadOptions, newFileReport } from "./file-report.ts";
import { RowReader } from "./row-reader.ts";
import type { MarketRecord } from "./records.ts";

/**
 * Refuse a file whose name shows data hean does not replay (`unreplayedFile`): one error naming
 * the file, what it is and what to replay instead, before any row is read. Read as the layout
 * its name resembles, every row would be malformed, and a wall of row errors says none of that.
 */
export function refuseUnreplayed(file: string): void {
  const unreplayed = unreplayedFile(file);
  if (unreplayed !== undefined) throw unreplayedError(file, unreplayed, "name");
}

/** The layout and symbol a file is read with: its venue's own name decides, else `format`/`symbol`. */
export function formatOf(file: string, options: ReadOptions): { format: DataFormat; symbol: string | undefined } {
  // A name that shows data hean does not replay is refused whatever --format says.
  refuseUnreplayed(file);
  // A venue's own file name decides: one --format for several files must not misread the ones it names.
  const known = recogniseFile(file);
  const format = known?.format ?? options.format;
  if (format === undefined) {
    throw new HeanError("DATA_MALFORMED", `${file}: cannot tell the file's layout from its name (the venues' own names say it); give it with --format: ${NAMEABLE_FORMATS.join(", ")}`, { file });
  }
  const symbol = known?.symbol ?? options.symbol;
  if (FORMATS[format].needsSymbol && symbol === undefined) {
    throw new HeanError("DATA_MALFORMED", `${file}: the rows carry no symbol and the file name does not say it; give it with --symbols (one symbol)`, { file, format });
  }
  return { format, symbol };
}

/** The records of one file, in file order. `report` is filled in as they are read. */
export function readMarketFile(file: string, options: ReadOptions = {}, report: FileReport = newFileReport(file)): AsyncIterableIterator<MarketRecord> & { return(): Promise<IteratorResult<MarketRecord>> } {
  return new RecordIterator(readMarketBatches(file, options, report));
}

/**
 * The records of runs one at a time. A plain iterator rather than an async generator that
 * `yield*`s each run: a generator's yield costs several promise turns per record, this costs one
 * (a record already in hand is a resolved promise). One caller at a time, as `for await` is.
 */
class RecordIterator implements AsyncIterableIterator<MarketRecord> {
  readonly #runs: AsyncGenerator<MarketRecord[], void, undefined>;
  #run: readonly MarketRecord[] = [];
  #at = 0;

  constructor(runs: AsyncGenerator<MarketRecord[], void, undefined>) {
    this.#runs = runs;
  }

  next(): Promise<IteratorResult<MarketRecord>> {
    if (this.#at < this.#run.length) return Promise.resolve({ value: this.#run[this.#at++]!, done: false });
    return this.#nextRun();
  }

  async #nextRun(): Promise<IteratorResult<MarketRecord>> {
    for (;;) {
      const r = await this.#runs.next();
      if (r.done === true) {
        this.#run = [];
        this.#at = 0;
        return { value: undefined, done: true };
      }
      if (r.value.length === 0) continue;
      this.#run = r.value;
      this.#at = 1;
      return { value: r.value[0]!, done: false };
    }
  }

  async return(): Promise<IteratorResult<MarketRecord>> {
    this.#run = [];
    this.#at = 0;
    await this.#runs.return(undefined);
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * The records of one file in runs (one per chunk read), in file order: a consumer that needs no
 * await per record (a backtest) goes much faster. A problem that stops the read (strict, time
 * going back) is thrown after the records before it in its run have been yielded. The chunks are
 * parsed as bytes (`RowReader`): no string per line for the common trade rows.
 */
export async function* readMarketBatches(file: string, options: ReadOptions = {}, report: FileReport = newFileReport(file)): AsyncGenerator<MarketRecord[], void, undefined> {
  const { format, symbol } = formatOf(file, options);
  const rows = new RowReader(file, format, symbol, options, report);
  const input = unpacked(file, options.bytesRead);
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let chunk: IteratorResult<Buffer>;
      try {
        // The same chunks as the stream delivers (the runs a backtest commits between).
        chunk = await chunks.next();
      } catch (e) {
        throw readError(file, rows.lines, e as Error);
      }
      const out: MarketRecord[] = [];
      let stop: unknown;
      try {
        if (chunk.done === true) rows.end(out);
        else rows.push(chunk.value, out);
      } catch (e) {
        stop = e;
      }
      if (out.length > 0) yield out;
      if (stop !== undefined) throw stop;
      if (chunk.done === true) return;
    }
  } finally {
    input.destroy();
  }
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
