/**
 * Checks records one after another: sequence without gaps, chained checksum, decodable payload
 * whose type and ts match the columns. One instance walks one stretch of the log.
 */
import type { HeanEvent } from "../core/events.ts";
import { recordChecksum } from "./checksum.ts";
import { decodeEvent } from "./codec.ts";

export class ChainVerifier {
  #prev: number;
  #next: number;
  /** After a resync: the checksum the bad record should have had (its stored one may be the damaged part). */
  #alternate: number | undefined;
  #lastComputed: number | undefined;

  /** `prevChecksum` is the stored checksum of record `nextSeq - 1` (or the chain seed when nextSeq is 1). */
  constructor(prevChecksum: number, nextSeq: number) {
    this.#prev = prevChecksum;
    this.#next = nextSeq;
  }

  get nextSeq(): number {
    return this.#next;
  }

  get prevChecksum(): number {
    return this.#prev;
  }

  /** The decoded event, or why the record is bad. Moves on only when the record is good. */
  check(seq: unknown, ts: unknown, type: unknown, payload: unknown, checksum: unknown): HeanEvent | string {
    if (seq !== this.#next) {
      return typeof seq === "number" && seq > this.#next
        ? `sequence gap: expected ${this.#next}, found ${seq}`
        : `sequence out of order: expected ${this.#next}, found ${String(seq)}`;
    }
    if (typeof ts !== "number" || typeof type !== "string" || typeof payload !== "string" || typeof checksum !== "number") {
      return "record has columns of the wrong type";
    }
    const computed = recordChecksum(this.#prev, seq, payload);
    if (computed !== checksum) {
      const alternate = this.#alternate === undefined ? undefined : recordChecksum(this.#alternate, seq, payload);
      if (alternate !== checksum) {
        this.#lastComputed = computed;
        return "checksum mismatch";
      }
    }
    let event: HeanEvent;
    try {
      event = decodeEvent(payload);
    } catch (e) {
      return (e as Error).message.replace(/^JOURNAL_CORRUPT: /, "");
    }
    if (event.type !== type || event.ts !== ts) return "payload does not match its type/ts columns";
    this.#prev = checksum;
    this.#next = seq + 1;
    this.#alternate = undefined;
    return event;
  }

  /**
   * Continue after a bad record as if it were good (verify reports every problem, not just the
   * first). The next record may chain from the bad one's stored checksum (its payload was
   * damaged) or from the checksum it should have had (its checksum was damaged): either is accepted.
   */
  resync(seq: number, storedChecksum: number): void {
    this.#alternate = this.#lastComputed;
    this.#lastComputed = undefined;
    this.#prev = storedChecksum;
    this.#next = seq + 1;
  }
}
