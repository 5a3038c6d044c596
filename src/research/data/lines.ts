/**
 * The lines of a data file, read as a stream whatever its packing: plain, `.gz` or `.zip` (the
 * first entry). Memory stays flat however large the file.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { HeanError } from "../../core/errors.ts";
import { firstZipEntry } from "./zip-entry.ts";

export interface Line {
  /** 1-based line number in the (uncompressed) file. */
  readonly n: number;
  readonly text: string;
}

/** Counts the file bytes read (before unpacking): progress over the input's size. */
export interface BytesCounter {
  value: number;
}

/** The file's bytes, unpacked as its name says (`.gz`, `.zip`'s first entry, else as they are). */
export function unpacked(path: string, counter?: BytesCounter): Readable {
  const raw = createReadStream(path);
  if (counter !== undefined) raw.on("data", (chunk) => (counter.value += chunk.length));
  if (path.endsWith(".zip")) return firstZipEntry(raw, path);
  if (!path.endsWith(".gz")) return raw;
  const gunzip = createGunzip();
  raw.on("error", (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** A run of consecutive lines: `first` is the number of `lines[0]`. */
export interface LineBatch {
  readonly first: number;
  readonly lines: readonly string[];
}

/**
 * The lines of a data file in runs, one per chunk the stream delivers (tens of kilobytes): a
 * consumer that works line by line without an await per line (a backtest) reads much faster.
 * A line split across chunks is joined; a trailing `\r` (CRLF files) is dropped.
 */
export async function* readLineBatches(path: string, counter?: BytesCounter): AsyncGenerator<LineBatch, void, undefined> {
  const input = unpacked(path, counter);
  input.setEncoding("utf8");
  let n = 0;
  let rest = "";
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      if (parts.length === 0) continue;
      for (let i = 0; i < parts.length; i++) if (parts[i]!.endsWith("\r")) parts[i] = parts[i]!.slice(0, -1);
      const first = n + 1;
      n += parts.length;
      yield { first, lines: parts };
    }
  } catch (e) {
    throw readError(path, n, e as Error);
  } finally {
    input.destroy();
  }
  if (rest !== "") yield { first: n + 1, lines: [rest.endsWith("\r") ? rest.slice(0, -1) : rest] };
}

export async function* readLines(path: string): AsyncGenerator<Line, void, undefined> {
  const input = unpacked(path);
  // Whether readline rethrows its input's error or just ends, the first one is what is reported.
  let failure: Error | undefined;
  input.on("error", (e) => (failure ??= e));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      if (failure !== undefined) break;
      yield { n: ++n, text };
    }
  } catch (e) {
    failure ??= e as Error;
  } finally {
    lines.close();
    input.destroy();
  }
  if (failure !== undefined) throw readError(path, n, failure);
}

/** A failure of the file itself (missing, corrupt packing), after `afterLine` complete lines. */
export function readError(path: string, afterLine: number, e: Error): HeanError {
  if (e instanceof HeanError) return e;
  const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e.message;
  return new HeanError("DATA_MALFORMED", `${path}: cannot be read after line ${afterLine}: ${reason}`, { file: path, afterLine, reason });
}
