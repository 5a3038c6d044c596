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

function unpacked(path: string): Readable {
  const raw = createReadStream(path);
  if (path.endsWith(".zip")) return firstZipEntry(raw, path);
  if (!path.endsWith(".gz")) return raw;
  const gunzip = createGunzip();
  raw.on("error", (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
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

function readError(path: string, afterLine: number, e: Error): HeanError {
  if (e instanceof HeanError) return e;
  const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e.message;
  return new HeanError("DATA_MALFORMED", `${path}: cannot be read after line ${afterLine}: ${reason}`, { file: path, afterLine, reason });
}
