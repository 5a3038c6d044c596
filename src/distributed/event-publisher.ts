/**
 * The engine's applied events on `hean:<engineId>:events`, fed from the journal by sequence.
 *
 * The journal is the source, not the live bus: each durable record goes out with the stream id
 * `0-<seq>`, so the stream's last id always says how far Redis has it. After any outage (Redis
 * down, restarted, the engine restarted) the publisher asks Redis for its last id and resumes
 * from the next sequence: nothing is lost and, because Redis refuses an id that is not larger
 * than the last, nothing is doubled. The stream is bounded (MAXLEN ~): readers that fall too far
 * behind see a jump in `seq`, which tells them exactly what they missed.
 */
import { describeError } from "../core/errors.ts";
import type { JournalPort } from "../engine/journal-port.ts";
import { toPlain } from "../journal/codec.ts";
import type { Logger } from "../observability/logger.ts";
import { eventStreamId, keys, seqOfEventStreamId } from "./keys.ts";
import { isReplyError, type RedisLink } from "./redis-link.ts";
import { toEntries } from "./stream-reply.ts";

export interface EventPublisherOptions {
  readonly engineId: string;
  readonly link: RedisLink;
  readonly journal: Pick<JournalPort, "read" | "lastSeq" | "journalId">;
  readonly maxLen: number;
  readonly logger?: Logger;
  /** Raised once when Redis holds more sequences than the journal (another journal under this engine id). */
  readonly onAhead?: (redisSeq: number, journalSeq: number) => void;
  /** How often to look for new durable records (ms). */
  readonly pollMs?: number;
}

/** Records per pipelined round. */
const BATCH = 500;

export class EventPublisher {
  readonly #o: EventPublisherOptions;
  readonly #stream: string;
  /** The last sequence Redis is known to hold; undefined: ask Redis first. */
  #published: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #ahead = false;
  published = 0;

  constructor(options: EventPublisherOptions) {
    this.#o = options;
    this.#stream = keys.events(options.engineId);
  }

  /** The last sequence known to be in Redis (0 before the first answer). */
  get lastPublishedSeq(): number {
    return this.#published ?? 0;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Publish what is durable now; resolves when done (or when Redis failed, to be retried). */
  pump(): Promise<void> {
    this.#running ??= this.#pump().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Call when the link went down: the next round asks Redis where it stands. */
  resync(): void {
    this.#published = undefined;
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      void this.pump().then(() => this.#schedule(this.#o.pollMs ?? 25));
    }, ms);
  }

  async #pump(): Promise<void> {
    const { link, journal, logger } = this.#o;
    if (!link.up) {
      this.#published = undefined;
      return;
    }
    try {
      const last = journal.lastSeq();
      if (this.#published === undefined) {
        // A Redis that lost the stream (no AOF, flushed) gets the last maxLen records, not the whole
        // history: the stream would trim the rest at once anyway.
        this.#published = await this.#lastInRedis();
        if (this.#published < last - this.#o.maxLen) this.#published = last - this.#o.maxLen;
      }
      if (this.#published > last) {
        if (!this.#ahead) this.#o.onAhead?.(this.#published, last);
        this.#ahead = true;
        return;
      }
      while (!this.#closed && this.#published < journal.lastSeq()) {
        const sent = await this.#publishFrom(this.#published);
        if (sent === 0) return;
      }
    } catch (e) {
      if (isReplyError(e) && /equal or smaller/.test(e.message)) {
        // Someone (a previous run of this engine) already published past us: ask Redis again.
        this.#published = undefined;
        return;
      }
      this.#published = undefined;
      if (link.up) logger?.warn({ err: describeError(e).message, stream: this.#stream }, "event publishing failed; resuming from Redis' last sequence");
    }
  }

  async #lastInRedis(): Promise<number> {
    const last = toEntries(await this.#o.link.send(["XREVRANGE", this.#stream, "+", "-", "COUNT", 1]));
    const first = last[0];
    if (first === undefined) return 0;
    // An id hean did not write (someone added with `*`): start after what its seq field says.
    return seqOfEventStreamId(first.id) ?? Number(first.fields["seq"] ?? 0);
  }

  /** Publishes up to BATCH durable records after `from`, pipelined; returns how many. */
  async #publishFrom(from: number): Promise<number> {
    const { link, journal, maxLen, engineId } = this.#o;
    const sends: Promise<unknown>[] = [];
    let last = from;
    for (const r of journal.read(from)) {
      const body = JSON.stringify(toPlain(r.event));
      sends.push(link.send(["XADD", this.#stream, "MAXLEN", "~", maxLen, eventStreamId(r.seq), "seq", r.seq, "ts", r.ts, "type", r.event.type, "engine", engineId, "event", body]));
      last = r.seq;
      if (sends.length >= BATCH) break;
    }
    if (sends.length === 0) return 0;
    // Commands issued in one turn go out as one pipeline; Redis applies them in order.
    const results = await Promise.allSettled(sends);
    const failed = results.find((x) => x.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    this.#published = last;
    this.published += sends.length;
    return sends.length;
  }
}
