/**
 * Injected faults: what a real venue does to a client on a bad day, each bounded (a count, a
 * duration, or a timer that runs until cleared) and reversible (`POST /__sim/faults {}` clears
 * everything). A new fault set replaces the old one whole, so a test always knows what is active.
 */
import { SeededRandom } from "./rng.ts";

export const CHANNELS = ["rest", "public", "private"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface FaultSpec {
  readonly latencyMs: Readonly<Record<Channel, number>>;
  readonly jitterMs: Readonly<Record<Channel, number>>;
  /** The next n order creations are booked but their HTTP response never arrives. */
  readonly acceptThenTimeout: number;
  /** With acceptThenTimeout: destroy the held socket after this many ms (0: hold it until the client gives up). */
  readonly acceptThenTimeoutResetMs: number;
  /** The next n REST calls get HTTP 503 and are not processed. */
  readonly http5xx: number;
  /** The next n REST calls get HTTP 429 with the venue's rate-limit error and exhausted limit headers, and are not processed. */
  readonly http429: number;
  /** Close every private stream this often (0: off). */
  readonly dropPrivateWsEveryMs: number;
  /** One-shot: close every private stream now. */
  readonly disconnectPrivate: boolean;
  /** One-shot: close every public stream now. */
  readonly disconnectPublic: boolean;
  /** For this many ms, public streams stay open and answer pings but carry no data. */
  readonly stalePublicMs: number;
  /** The next n private messages are sent twice. */
  readonly duplicatePrivate: number;
  /** The next n private messages are held back and sent after the message that follows them. */
  readonly reorderPrivate: number;
  /** The next n order-book deltas (per topic) are lost: the update id jumps (Bybit `u`; Binance: `pu` breaks). */
  readonly bookGaps: number;
  /** One-shot: every order-book topic restarts with a `u=1` snapshot (Bybit only). */
  readonly bookRestart: boolean;
}

const perChannel = (value: number): Record<Channel, number> => ({ rest: value, public: value, private: value });

export const NO_FAULTS: FaultSpec = {
  latencyMs: perChannel(0),
  jitterMs: perChannel(0),
  acceptThenTimeout: 0,
  acceptThenTimeoutResetMs: 0,
  http5xx: 0,
  http429: 0,
  dropPrivateWsEveryMs: 0,
  disconnectPrivate: false,
  disconnectPublic: false,
  stalePublicMs: 0,
  duplicatePrivate: 0,
  reorderPrivate: 0,
  bookGaps: 0,
  bookRestart: false,
};

const COUNTS = [
  "acceptThenTimeout",
  "acceptThenTimeoutResetMs",
  "http5xx",
  "http429",
  "dropPrivateWsEveryMs",
  "stalePublicMs",
  "duplicatePrivate",
  "reorderPrivate",
  "bookGaps",
] as const;
const FLAGS = ["disconnectPrivate", "disconnectPublic", "bookRestart"] as const;
/** Upper bounds keep every fault bounded even when a client sends nonsense. */
const MAX_MS = 600_000;
const MAX_COUNT = 1_000_000;

export type ParseResult = { readonly ok: true; readonly spec: FaultSpec } | { readonly ok: false; readonly error: string };

function boundedInt(name: string, value: unknown, max: number): number | string {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    return `${name} must be an integer in [0, ${max}], got ${JSON.stringify(value)}`;
  }
  return value;
}

function parseChannels(name: string, value: unknown): Record<Channel, number> | string {
  if (typeof value === "number") {
    const n = boundedInt(name, value, MAX_MS);
    return typeof n === "string" ? n : perChannel(n);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${name} must be a number or an object {rest, public, private}`;
  }
  const out = perChannel(0);
  for (const [key, v] of Object.entries(value)) {
    if (!(CHANNELS as readonly string[]).includes(key)) return `${name}.${key}: unknown channel (rest, public, private)`;
    const n = boundedInt(`${name}.${key}`, v, MAX_MS);
    if (typeof n === "string") return n;
    out[key as Channel] = n;
  }
  return out;
}

/** Validate a fault set from JSON. `{}` and `{"reset": true}` mean no faults. Unknown keys are refused. */
export function parseFaults(input: unknown): ParseResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, error: "faults must be a JSON object" };
  }
  const spec: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } = { ...NO_FAULTS };
  for (const [key, value] of Object.entries(input)) {
    if (key === "reset") {
      if (typeof value !== "boolean") return { ok: false, error: "reset must be a boolean" };
      continue;
    }
    if (key === "latencyMs" || key === "jitterMs") {
      const parsed = parseChannels(key, value);
      if (typeof parsed === "string") return { ok: false, error: parsed };
      spec[key] = parsed;
    } else if ((COUNTS as readonly string[]).includes(key)) {
      const k = key as (typeof COUNTS)[number];
      const n = boundedInt(key, value, k.endsWith("Ms") ? MAX_MS : MAX_COUNT);
      if (typeof n === "string") return { ok: false, error: n };
      spec[k] = n;
    } else if ((FLAGS as readonly string[]).includes(key)) {
      if (typeof value !== "boolean") return { ok: false, error: `${key} must be a boolean` };
      spec[key as (typeof FLAGS)[number]] = value;
    } else {
      return { ok: false, error: `unknown fault ${JSON.stringify(key)}` };
    }
  }
  return { ok: true, spec };
}

/** One-shot actions a new fault set asks the server to carry out now. */
export interface OneShots {
  readonly disconnectPrivate: boolean;
  readonly disconnectPublic: boolean;
  readonly bookRestart: boolean;
}

/** The live fault state: counters that run down as faults fire. */
export class FaultState {
  #spec: FaultSpec = NO_FAULTS;
  #counters = { acceptThenTimeout: 0, http5xx: 0, http429: 0, duplicatePrivate: 0, reorderPrivate: 0 };
  /** bookGaps counts down per order-book topic. */
  #bookGaps = new Map<string, number>();
  #staleUntil = 0;
  readonly #random: SeededRandom;
  readonly #listeners = new Set<() => void>();

  constructor(seed: number) {
    this.#random = new SeededRandom(seed ^ 0x5eed);
  }

  get spec(): FaultSpec {
    return this.#spec;
  }

  apply(spec: FaultSpec, now: number): OneShots {
    this.#spec = spec;
    this.#counters = {
      acceptThenTimeout: spec.acceptThenTimeout,
      http5xx: spec.http5xx,
      http429: spec.http429,
      duplicatePrivate: spec.duplicatePrivate,
      reorderPrivate: spec.reorderPrivate,
    };
    this.#bookGaps.clear();
    this.#staleUntil = spec.stalePublicMs > 0 ? now + spec.stalePublicMs : 0;
    for (const listener of this.#listeners) listener();
    return { disconnectPrivate: spec.disconnectPrivate, disconnectPublic: spec.disconnectPublic, bookRestart: spec.bookRestart };
  }

  clear(now: number): void {
    this.apply(NO_FAULTS, now);
  }

  /** Called whenever the fault set changes (to re-arm timers). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Latency plus uniform jitter for one message or response on `channel`. */
  delayMs(channel: Channel): number {
    const base = this.#spec.latencyMs[channel];
    const jitter = this.#spec.jitterMs[channel];
    return base + (jitter > 0 ? Math.floor(this.#random.next() * (jitter + 1)) : 0);
  }

  take(counter: keyof FaultState["counters"]): boolean {
    if (this.#counters[counter] <= 0) return false;
    this.#counters[counter] -= 1;
    return true;
  }

  get counters(): Readonly<{ acceptThenTimeout: number; http5xx: number; http429: number; duplicatePrivate: number; reorderPrivate: number }> {
    return { ...this.#counters };
  }

  /** True when this delta of `topic` should be lost. */
  takeBookGap(topic: string): boolean {
    if (this.#spec.bookGaps <= 0) return false;
    const left = this.#bookGaps.get(topic) ?? this.#spec.bookGaps;
    if (left <= 0) return false;
    this.#bookGaps.set(topic, left - 1);
    return true;
  }

  isPublicStale(now: number): boolean {
    return now < this.#staleUntil;
  }

  /** What is still armed, for `GET /__sim/faults` and `GET /__sim/state`. */
  describe(now: number): Record<string, unknown> {
    return {
      latencyMs: { ...this.#spec.latencyMs },
      jitterMs: { ...this.#spec.jitterMs },
      ...this.#counters,
      acceptThenTimeoutResetMs: this.#spec.acceptThenTimeoutResetMs,
      dropPrivateWsEveryMs: this.#spec.dropPrivateWsEveryMs,
      stalePublicMsLeft: Math.max(0, this.#staleUntil - now),
      bookGaps: this.#spec.bookGaps,
      bookGapsLeft: Object.fromEntries(this.#bookGaps),
    };
  }
}
