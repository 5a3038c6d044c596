/**
 * The kill switch's own durable write. An urgent flush (the kill switch's close orders) writes
 * every record the writer thread has not yet committed, the closes' intents last, to a small file
 * beside the journal and fdatasyncs it on the caller's thread: the closes go out without waiting
 * for the writer thread to wake, commit through SQLite and report back (kill-switch reaction p99
 * 4.4-5.6 ms that way under the bench's market-data flood, 1.5-2.6 ms this way, in alternating
 * runs; docs/PERFORMANCE.md). The journal stays the one record: the writer commits the same
 * records as usual, and a journal opened after a crash first adds what this file holds past its
 * tail, then empties the file. Journal before effect holds either way: a close is sent only once
 * every record before it is in the journal or in this file, synced.
 *
 * Two slots, written in turn: a crash in the middle of a write spoils only the slot being
 * written, and the other still holds the write before, all of whose records the spoilt one
 * repeated (each write holds everything not yet committed). A slot: magic, generation (counts
 * up; the higher valid one is newer), body length, body CRC-32, then the body: the journal's id
 * on the first line, then one line per record, `seq \t ts \t type \t payload` (the payload is the
 * journal's JSON, which holds no raw tab or newline).
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { crc32 } from "node:zlib";
import { BatchCommitter } from "./batch-committer.ts";
import { ChainVerifier } from "./chain-verifier.ts";
import { recordChecksum } from "./checksum.ts";
import { lossFrom, lossUnconfirmed } from "./loss.ts";
import type { LossPolicy } from "./types.ts";
import type { EventBatch } from "./write-jobs.ts";

/** The file beside the journal, like SQLite's own `-wal` and `-shm`. */
export const URGENT_SUFFIX = "-urgent";

const MAGIC = Buffer.from("HEANURG1", "latin1");
const HEADER_BYTES = MAGIC.length + 12; // magic, generation u32, body length u32, body CRC-32 u32
/**
 * Room for ~1,000 records of ~200 B each: what the writer has not committed when the kill switch
 * fires is a turn or two. A write that does not fit goes the slower way (through the writer).
 */
const SLOT_BYTES = 256 * 1024;

/** The urgent file of the journal at `journalPath`. */
export const urgentLogPath = (journalPath: string): string => journalPath + URGENT_SUFFIX;

export class UrgentLog {
  readonly #path: string;
  readonly #journalId: string;
  readonly #fd: number;
  #generation = 0;

  /**
   * Open for writing, emptied: called once the journal's open has taken in what the file held.
   * Both slots are written with zeros and synced now, so that an urgent write later rewrites
   * blocks that exist (its fdatasync then has no file size or allocation to sync with it).
   */
  static create(journalPath: string, journalId: string): UrgentLog {
    const path = urgentLogPath(journalPath);
    const fd = openSync(path, "w");
    try {
      writeSync(fd, Buffer.alloc(2 * SLOT_BYTES), 0, 2 * SLOT_BYTES, 0);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new UrgentLog(path, journalId, fd);
  }

  private constructor(path: string, journalId: string, fd: number) {
    this.#path = path;
    this.#journalId = journalId;
    this.#fd = fd;
  }

  /**
   * Write `batches` (in seq order, every record not yet committed) into the next slot, then
   * fdatasync when `sync`. False when they do not fit (nothing was written); throws on an I/O error.
   */
  write(batches: readonly EventBatch[], sync: boolean): boolean {
    let body = this.#journalId + "\n";
    for (const b of batches) {
      for (let i = 0; i < b.payloads.length; i++) body += `${b.firstSeq + i}\t${b.ts[i]!}\t${b.types[i]!}\t${b.payloads[i]!}\n`;
    }
    const length = Buffer.byteLength(body);
    if (HEADER_BYTES + length > SLOT_BYTES) return false;
    const slot = Buffer.allocUnsafe(HEADER_BYTES + length);
    MAGIC.copy(slot, 0);
    slot.write(body, HEADER_BYTES);
    const generation = ++this.#generation;
    slot.writeUInt32LE(generation >>> 0, MAGIC.length);
    slot.writeUInt32LE(length, MAGIC.length + 4);
    slot.writeUInt32LE(crc32(slot.subarray(HEADER_BYTES)), MAGIC.length + 8);
    writeSync(this.#fd, slot, 0, slot.length, (generation % 2) * SLOT_BYTES);
    if (sync) fdatasyncSync(this.#fd);
    return true;
  }

  /** Close; `remove` deletes the file (the journal holds everything, committed by a drained writer). */
  close(remove: boolean): void {
    closeSync(this.#fd);
    if (remove) rmSync(this.#path, { force: true });
  }
}

export interface UrgentRecord {
  readonly seq: number;
  readonly ts: number;
  readonly type: string;
  readonly payload: string;
}

/** The records of the newest intact slot written by journal `journalId`, or none. */
export function readUrgentLog(journalPath: string, journalId: string): UrgentRecord[] {
  const path = urgentLogPath(journalPath);
  if (!existsSync(path)) return [];
  const fd = openSync(path, "r");
  try {
    let newest: { generation: number; records: UrgentRecord[] } | undefined;
    for (const offset of [0, SLOT_BYTES]) {
      const found = readSlot(fd, offset, journalId);
      if (found !== undefined && (newest === undefined || found.generation > newest.generation)) newest = found;
    }
    return newest?.records ?? [];
  } finally {
    closeSync(fd);
  }
}

function readSlot(fd: number, offset: number, journalId: string): { generation: number; records: UrgentRecord[] } | undefined {
  const header = Buffer.alloc(HEADER_BYTES);
  if (readSync(fd, header, 0, HEADER_BYTES, offset) < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const generation = header.readUInt32LE(MAGIC.length);
  const length = header.readUInt32LE(MAGIC.length + 4);
  if (length > SLOT_BYTES - HEADER_BYTES) return undefined;
  const body = Buffer.alloc(length);
  if (readSync(fd, body, 0, length, offset + HEADER_BYTES) < length || crc32(body) !== header.readUInt32LE(MAGIC.length + 8)) return undefined;
  const lines = body.toString("utf8").split("\n");
  // Another journal's file (a path reused after --fresh moved the old journal away) is not ours.
  if (lines[0] !== journalId) return undefined;
  const records: UrgentRecord[] = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const [seq, ts, type, payload] = line.split("\t");
    records.push({ seq: Number(seq), ts: Number(ts), type: type!, payload: payload! });
  }
  return { generation, records };
}

/**
 * At open, once the journal's tail is checked: commit the records the urgent file holds past the
 * tail (verified like the journal's own: sequence, decoding, type and ts), then the file may go.
 * Records past the tail that cannot follow it (a gap, a record that does not verify) are lost
 * records, and the journal's loss policy decides: refused by default, dropped with the operator's
 * word. Returns the new tail and how many records were added.
 */
export function restoreUrgentRecords(
  db: DatabaseSync,
  journalPath: string,
  journalId: string,
  tail: { readonly lastSeq: number; readonly lastChecksum: number },
  keepSnapshots: number,
  onLoss: LossPolicy,
): { lastSeq: number; lastChecksum: number; restored: number } {
  const beyond = readUrgentLog(journalPath, journalId).filter((r) => r.seq > tail.lastSeq);
  if (beyond.length === 0) return { ...tail, restored: 0 };
  const verifier = new ChainVerifier(tail.lastChecksum, tail.lastSeq + 1);
  const good: UrgentRecord[] = [];
  let problem: string | undefined;
  for (const r of beyond) {
    const checked = verifier.check(r.seq, r.ts, r.type, r.payload, recordChecksum(verifier.prevChecksum, r.seq, r.payload));
    if (typeof checked === "string") {
      problem = `urgent record ${r.seq}: ${checked}`;
      break;
    }
    good.push(r);
  }
  if (problem !== undefined && onLoss === "refuse") {
    const loss = lossFrom(verifier.nextSeq, beyond[beyond.length - 1]!.seq, false);
    throw lossUnconfirmed(journalPath, loss, `${problem} (in ${urgentLogPath(journalPath)})`);
  }
  if (good.length === 0) return { ...tail, restored: 0 };
  const batch: EventBatch = {
    kind: "events",
    firstSeq: tail.lastSeq + 1,
    ts: good.map((r) => r.ts),
    types: good.map((r) => r.type),
    payloads: good.map((r) => r.payload),
  };
  const committer = new BatchCommitter(db, tail.lastSeq, tail.lastChecksum, keepSnapshots);
  committer.commit([batch]);
  return { lastSeq: committer.lastSeq, lastChecksum: verifier.prevChecksum, restored: good.length };
}
