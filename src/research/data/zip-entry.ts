/**
 * The first entry of a .zip archive as a stream, without reading the archive into memory: the
 * venues' daily files are zips holding one CSV. Reads the local file header, then inflates the
 * entry's data as it arrives (a deflate stream ends by itself, so the central directory after it
 * is never read); a stored entry passes through, up to its size.
 */
import { PassThrough, type Readable, Transform, type TransformCallback } from "node:stream";
import { createInflateRaw } from "node:zlib";
import { HeanError } from "../../core/errors.ts";

const LOCAL_HEADER = 0x04034b50;
const FIXED_HEADER_BYTES = 30;
const STORED = 0;
const DEFLATE = 8;
/** General-purpose flag bit 3: sizes follow the data instead of standing in the header. */
const SIZES_AFTER_DATA = 0x08;
const NOT_A_ZIP = "not a zip archive (no local file header at the start)";

type Header = { readonly method: typeof STORED | typeof DEFLATE; readonly storedSize: number };

/** Strips the local file header and passes on the entry's bytes (for a stored entry, only those). */
class EntryBody extends Transform {
  #buffered: Buffer | null = Buffer.alloc(0);
  #headerBytes = FIXED_HEADER_BYTES;
  #left = Infinity;
  readonly #file: string;
  readonly #onHeader: (h: Header) => void;

  constructor(file: string, onHeader: (h: Header) => void) {
    super();
    this.#file = file;
    this.#onHeader = onHeader;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#buffered === null) return done(null, this.#take(chunk));
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    if (this.#buffered.length < FIXED_HEADER_BYTES) return done();
    if (this.#headerBytes === FIXED_HEADER_BYTES) {
      const h = this.#buffered;
      if (h.readUInt32LE(0) !== LOCAL_HEADER) return done(zipError(this.#file, NOT_A_ZIP));
      const method = h.readUInt16LE(8);
      if (method !== STORED && method !== DEFLATE) return done(zipError(this.#file, `compression method ${method} is not supported (only stored and deflate)`));
      if (method === STORED && (h.readUInt16LE(6) & SIZES_AFTER_DATA) !== 0) return done(zipError(this.#file, "a stored entry without its size in the header is not supported"));
      this.#headerBytes = FIXED_HEADER_BYTES + h.readUInt16LE(26) + h.readUInt16LE(28);
      if (method === STORED) this.#left = h.readUInt32LE(18);
      this.#onHeader({ method, storedSize: this.#left });
    }
    if (this.#buffered.length < this.#headerBytes) return done();
    const rest = this.#buffered.subarray(this.#headerBytes);
    this.#buffered = null;
    done(null, this.#take(rest));
  }

  override _flush(done: TransformCallback): void {
    const b = this.#buffered;
    if (b === null) return done();
    done(zipError(this.#file, b.length < 4 || b.readUInt32LE(0) !== LOCAL_HEADER ? NOT_A_ZIP : "the archive ends inside its first header"));
  }

  #take(chunk: Buffer): Buffer {
    if (this.#left === Infinity) return chunk;
    const part = chunk.subarray(0, Math.min(chunk.length, this.#left));
    this.#left -= part.length;
    return part;
  }
}

/** The uncompressed bytes of the first entry of the zip `source` (named `file` in errors). */
export function firstZipEntry(source: Readable, file: string): Readable {
  const out = new PassThrough();
  const fail = (e: Error): void => void out.destroy(e);
  const body = new EntryBody(file, ({ method }) => {
    if (method === STORED) {
      body.pipe(out);
      return;
    }
    const inflate = createInflateRaw();
    inflate.on("error", (e) => fail(zipError(file, `the entry does not inflate: ${e.message}`)));
    body.pipe(inflate).pipe(out);
  });
  source.on("error", fail);
  body.on("error", fail);
  source.pipe(body);
  return out;
}

const zipError = (file: string, reason: string): HeanError => new HeanError("DATA_MALFORMED", `${file}: ${reason}`, { file, reason });
