/**
 * The engine's reader of context feeds: `hean:context:<symbol>` streams that any producer writes
 * (`hean context`, a model service). An entry holds some fields of a symbol's context, not
 * necessarily all: `source`, optionally `ts` (when the producer observed the values, ms), and
 * data fields, each a plain decimal number or a short word. Entries merge field by field, so a
 * partial payload updates what it carries and leaves the rest with their own (growing) ages.
 *
 * Whatever arrives, reading never throws: a malformed field (not a number or word, bad name)
 * is counted and dropped, a bad `ts` falls back to Redis' time of the entry, a producer that
 * goes silent just makes its fields age until they pass `maxAgeMs` and disappear from what
 * strategies see (`read`). Their ages stay visible in `ages()` (metrics) so staleness shows.
 */
import { describeError } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { ContextField, ContextReading } from "../strategies/context.ts";
import { keys, streamIdMs } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";
import { readReplyEntries, type StreamEntry, toEntries } from "./stream-reply.ts";

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const NUMBER_TEXT = /^-?\d{1,30}(\.\d{1,30})?([eE][-+]?\d{1,3})?$/;
const WORD = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_FIELDS = 64;
/** A producer clock this far ahead of ours is wrong: its `ts` is not trusted. */
const MAX_FUTURE_MS = 5_000;
/** Entries read at start to rebuild each symbol's context from partial payloads. */
const HISTORY = 50;

interface Held {
  readonly value: number | string;
  readonly ts: number;
  readonly source: string;
}

export interface ContextFeedOptions {
  /** A blocking connection of its own. */
  readonly link: RedisLink;
  readonly symbols: readonly string[];
  readonly maxAgeMs: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export class ContextFeed {
  readonly #o: ContextFeedOptions;
  readonly #held = new Map<string, Map<string, Held>>();
  readonly #cursors = new Map<string, string>();
  readonly malformed = new Map<string, number>();
  #closed = false;
  #loop: Promise<void> | undefined;
  #primed = false;

  constructor(options: ContextFeedOptions) {
    this.#o = options;
    for (const s of options.symbols) {
      this.#held.set(s, new Map());
      this.malformed.set(s, 0);
    }
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#o.link.close();
    await this.#loop;
  }

  /** Fresh, well-formed fields of the symbol, each with its age. Never throws. */
  read(symbol: string): ContextReading {
    const held = this.#held.get(symbol);
    if (held === undefined || held.size === 0) return {};
    const now = this.#now();
    const out: Record<string, ContextField> = {};
    for (const [field, h] of held) {
      const ageMs = Math.max(0, now - h.ts);
      if (ageMs <= this.#o.maxAgeMs) out[field] = { value: h.value, ageMs, source: h.source };
    }
    return out;
  }

  /** Every field ever received, fresh or stale, with its age in seconds (for metrics). */
  ages(): { readonly symbol: string; readonly field: string; readonly ageSeconds: number }[] {
    const now = this.#now();
    const out: { symbol: string; field: string; ageSeconds: number }[] = [];
    for (const [symbol, held] of this.#held) for (const [field, h] of held) out.push({ symbol, field, ageSeconds: Math.max(0, now - h.ts) / 1000 });
    return out;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  async #run(): Promise<void> {
    const { link, symbols, logger } = this.#o;
    while (!this.#closed) {
      if (!link.up) {
        this.#primed = false;
        await link.waitUp(1_000);
        continue;
      }
      try {
        if (!this.#primed) await this.#prime();
        const streams = symbols.map(keys.context);
        const reply = await link.send(["XREAD", "COUNT", 100, "BLOCK", 1_000, "STREAMS", ...streams, ...symbols.map((s) => this.#cursors.get(s) ?? "$")]);
        if (!Array.isArray(reply)) continue;
        for (const stream of reply) {
          if (!Array.isArray(stream) || typeof stream[0] !== "string") continue;
          const symbol = symbols.find((s) => keys.context(s) === stream[0]);
          if (symbol === undefined) continue;
          for (const entry of readReplyEntries([stream])) this.#merge(symbol, entry);
        }
      } catch (e) {
        if (this.#closed) return;
        this.#primed = false;
        if (link.up) logger?.warn({ err: describeError(e).message }, "context feed read failed; retrying");
        await link.waitUp(500);
        if (link.up) await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** The recent entries of each symbol, oldest first: what partial payloads add up to now. */
  async #prime(): Promise<void> {
    for (const symbol of this.#o.symbols) {
      const recent = toEntries(await this.#o.link.send(["XREVRANGE", keys.context(symbol), "+", "-", "COUNT", HISTORY])).reverse();
      for (const entry of recent) this.#merge(symbol, entry);
      this.#cursors.set(symbol, recent.at(-1)?.id ?? this.#cursors.get(symbol) ?? "0-0");
    }
    this.#primed = true;
  }

  #merge(symbol: string, entry: StreamEntry): void {
    this.#cursors.set(symbol, entry.id);
    const held = this.#held.get(symbol)!;
    const fields = entry.fields;
    const names = Object.keys(fields);
    let bad = 0;
    const source = typeof fields["source"] === "string" && WORD.test(fields["source"]) ? fields["source"] : "unknown";
    const idMs = streamIdMs(entry.id) ?? this.#now();
    const tsText = fields["ts"];
    let ts = idMs;
    if (tsText !== undefined) {
      const t = /^\d{1,15}$/.test(tsText) ? Number(tsText) : Number.NaN;
      if (Number.isSafeInteger(t) && t <= this.#now() + MAX_FUTURE_MS) ts = t;
      else bad++;
    }
    let taken = 0;
    for (const name of names) {
      if (name === "source" || name === "ts") continue;
      const text = fields[name]!;
      if (!FIELD_NAME.test(name) || taken >= MAX_FIELDS) {
        bad++;
        continue;
      }
      let value: number | string | undefined;
      if (NUMBER_TEXT.test(text)) {
        const n = Number(text);
        value = Number.isFinite(n) ? n : undefined;
      } else if (WORD.test(text)) value = text;
      if (value === undefined) {
        bad++;
        continue;
      }
      // An older observation (a late, reordered payload) never replaces a newer one.
      const before = held.get(name);
      if (before !== undefined && before.ts > ts) continue;
      held.set(name, { value, ts, source });
      taken++;
    }
    if (bad > 0) this.malformed.set(symbol, (this.malformed.get(symbol) ?? 0) + bad);
  }
}

/** A producer's side: publish some fields of a symbol's context (numbers as plain text). */
export async function publishContext(
  link: RedisLink,
  symbol: string,
  source: string,
  fields: Readonly<Record<string, number | string>>,
  ts: number,
  maxLen = 10_000,
): Promise<string> {
  const flat: string[] = ["source", source, "ts", String(ts)];
  for (const [k, v] of Object.entries(fields)) flat.push(k, typeof v === "number" ? String(v) : v);
  return String(await link.send(["XADD", keys.context(symbol), "MAXLEN", "~", maxLen, "*", ...flat]));
}
