/**
 * How far a damaged journal went, read from the file's own B-tree. When a file loses its end
 * (a truncation, a lost write), the records in the lost pages are gone, but the table's interior
 * pages, written early and kept near the front, still hold the keys that divided them. Walking
 * the rightmost path from the root gives the highest seq the table held, or, when the path
 * breaks off, the highest one it is known to have reached. SQLite offers no query for this on a
 * damaged file (it stops at the first missing page), so the pages are read here directly.
 *
 * The page layout is SQLite's documented file format (https://sqlite.org/fileformat.html, 1.6).
 * Every value read is checked for consistency; a page that does not look right ends the walk.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface HighWater {
  /** The highest key seen on the rightmost path (undefined when nothing could be read). */
  readonly key: number | undefined;
  /** True when the walk reached the rightmost leaf: `key` is the table's highest key. */
  readonly complete: boolean;
}

const INTERIOR_TABLE = 0x05;
const LEAF_TABLE = 0x0d;
const MAX_DEPTH = 32;

/** Highest rowid of the table rooted at `rootPage` in the SQLite file at `path`. Never throws. */
export function btreeHighWater(path: string, rootPage: number): HighWater {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return walk(fd, rootPage);
  } catch {
    return { key: undefined, complete: false };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function walk(fd: number, rootPage: number): HighWater {
  const size = fstatSync(fd).size;
  const header = Buffer.alloc(100);
  if (readSync(fd, header, 0, 100, 0) < 100) return { key: undefined, complete: false };
  const rawSize = header.readUInt16BE(16);
  const pageSize = rawSize === 1 ? 65_536 : rawSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return { key: undefined, complete: false };
  const usable = pageSize - header.readUInt8(20);
  const page = Buffer.alloc(pageSize);
  let best: number | undefined;
  let number = rootPage;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!Number.isInteger(number) || number < 2 || number * pageSize > size) return { key: best, complete: false };
    if (readSync(fd, page, 0, pageSize, (number - 1) * pageSize) < pageSize) return { key: best, complete: false };
    const type = page.readUInt8(0);
    if (type !== INTERIOR_TABLE && type !== LEAF_TABLE) return { key: best, complete: false };
    const headerSize = type === INTERIOR_TABLE ? 12 : 8;
    const cells = page.readUInt16BE(3);
    if (cells === 0 || headerSize + 2 * cells > usable) return { key: best, complete: type === LEAF_TABLE && cells === 0 && best === undefined };
    const keys: number[] = [];
    for (let i = 0; i < cells; i++) {
      const at = page.readUInt16BE(headerSize + 2 * i);
      if (at < headerSize + 2 * cells || at >= usable) return { key: best, complete: false };
      const key = type === INTERIOR_TABLE ? varint(page, at + 4, usable)?.value : leafKey(page, at, usable);
      if (key === undefined || (keys.length > 0 && key <= keys[keys.length - 1]!) || (best !== undefined && key <= best)) {
        return { key: best, complete: false };
      }
      keys.push(key);
    }
    best = keys[keys.length - 1];
    if (type === LEAF_TABLE) return { key: best, complete: true };
    number = page.readUInt32BE(8);
  }
  return { key: best, complete: false };
}

function leafKey(page: Buffer, at: number, end: number): number | undefined {
  const payloadSize = varint(page, at, end);
  if (payloadSize === undefined) return undefined;
  return varint(page, at + payloadSize.length, end)?.value;
}

/** SQLite's varint: big-endian 7-bit groups, the ninth byte whole. Keys past 2^53 are refused. */
function varint(page: Buffer, at: number, end: number): { value: number; length: number } | undefined {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= end) return undefined;
    const byte = page.readUInt8(at + i);
    value = i === 8 ? value * 256 + byte : value * 128 + (byte & 0x7f);
    if (!Number.isSafeInteger(value)) return undefined;
    if (i === 8 || (byte & 0x80) === 0) return { value, length: i + 1 };
  }
  return undefined;
}
