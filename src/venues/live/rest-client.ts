/**
 * One venue's REST over node's fetch (keep-alive by default), the part every exchange shares.
 * One `send` is one attempt: admitted by the circuit breaker, paced by the rate limiter, signed
 * over exactly the bytes it sends, timed out on the Clock, and classified (ok / rejected /
 * unknown). `read` adds retries with backoff and jitter, and is only for requests that cannot
 * duplicate an effect; order creates go through `send` once and their UNKNOWN outcome is
 * settled by the order gateway, never retried here.
 *
 * What differs per exchange is its `RestDialect`: how a request is laid out and signed, how an
 * answer reads (envelope, codes, the venue's clock) and what its headers say about the budget.
 */
import type { Clock } from "../../core/clock.ts";
import { HeanError } from "../../core/errors.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import { backoffMs } from "./backoff.ts";
import type { Admission, CircuitBreaker } from "./circuit-breaker.ts";
import { type Classified, classifyNotFound, classifyNotSent, classifyTransport } from "./outcome.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { ServerTime } from "./server-time.ts";
import { sleep } from "./sleep.ts";

export type Params = Readonly<Record<string, string | number | boolean | undefined>>;
export type Method = "GET" | "POST" | "PUT" | "DELETE";
/** How a request authenticates: not at all, signed, or (Binance USER_STREAM) with the key only. */
export type Auth = boolean | "key";

export interface SendOptions {
  readonly signed: Auth;
  readonly timeoutMs: number;
  /** Longest the limiter may hold the request; beyond it the request is refused unsent. */
  readonly maxWaitMs: number;
  readonly admission: Admission;
}

export interface SendResult {
  readonly classified: Classified;
  readonly result: unknown;
  /** Whether the request left this process (false: refused by our limiter or breaker). */
  readonly sent: boolean;
  /** The signature timestamp it carried (server time, ms); set when sent. */
  readonly stampedAt: number | undefined;
}

/** What an answer means, read by the exchange's dialect. */
export interface Interpreted {
  readonly classified: Classified;
  readonly result: unknown;
  /** The venue's clock when it answered (ms), when the answer says. */
  readonly serverTime?: number | undefined;
  /** The answer broke the wire's rules (`VENUE_PROTOCOL`): counted and alerted. */
  readonly malformed?: HeanError | undefined;
}

export interface RestDialect {
  /** The key the rate limiter meters a request under (its scope comes from the wire's `scopeOf`). */
  limitKey(method: Method, path: string): string;
  /** The request as it goes out: query string (without "?"), body, headers; signed over exactly these bytes. */
  prepare(method: Method, path: string, params: Params, auth: Auth, stampedAt: number, recvWindowMs: number): { readonly query: string; readonly body?: string | undefined; readonly headers: Record<string, string> };
  interpret(path: string, status: number, text: string): Interpreted;
  /** Feed the limiter what the answer's headers say about the budget. */
  observe(method: Method, path: string, headers: Headers, limiter: RateLimiter, time: ServerTime): void;
  /** A rate refusal that holds every scope (e.g. HTTP 429/403 at the gateway, Binance's 418 ban). */
  gatewayWide(status: number): boolean;
  /** How long the venue asked us to stay away (Retry-After), when it said. */
  retryAfterMs?(headers: Headers): number | undefined;
  /** The unsigned request that reads the venue's clock. */
  readonly timePath: string;
}

export interface RestClientOptions {
  readonly baseUrl: string;
  readonly dialect: RestDialect;
  readonly clock: Clock;
  readonly time: ServerTime;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker;
  readonly tuning: LiveTuning;
  readonly random: () => number;
  /** A rate refusal made the limiter back off for `waitMs`. */
  readonly onRateLimited?: ((path: string, waitMs: number, detail: string) => void) | undefined;
  /** An answer that breaks the wire's rules (`VENUE_PROTOCOL`). */
  readonly onMalformed?: ((path: string, error: HeanError) => void) | undefined;
}

export class LiveRestClient {
  readonly #o: RestClientOptions;
  #syncing: Promise<void> | undefined;
  requests = 0;

  constructor(options: RestClientOptions) {
    this.#o = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
  }

  async send(method: Method, path: string, params: Params, options: SendOptions): Promise<SendResult> {
    const { breaker, limiter, clock, time, tuning, dialect } = this.#o;
    // Half-open, any non-essential request that is admitted takes the single probe slot.
    const probing = breaker.state === "half-open" && options.admission !== "essential";
    if (!breaker.admit(options.admission)) return notSent("VENUE_CIRCUIT_OPEN", `the venue circuit breaker is open (after ${breaker.lastFailure})`);
    const key = dialect.limitKey(method, path);
    const wait = limiter.waitMs(key);
    if (wait > options.maxWaitMs) {
      // Held because the venue keeps refusing us: that is the venue failing, as far as the
      // breaker is concerned. Held by our own pacing: nothing is wrong with the venue. A probe
      // that never left gives its slot back, or the breaker would wait for its verdict forever.
      if (probing) breaker.releaseProbe();
      else if (limiter.refusing(key)) breaker.failure(`${path}: held after rate refusals (${wait} ms)`);
      return notSent("VENUE_RATE_LIMITED", `the rate limiter holds ${path} for ${wait} ms`);
    }
    if (wait > 0) await sleep(clock, wait);
    limiter.record(key);
    const stampedAt = time.now();
    const { query, body, headers } = dialect.prepare(method, path, params, options.signed, stampedAt, tuning.recvWindowMs);
    const url = `${this.#o.baseUrl}${path}${query === "" ? "" : `?${query}`}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const sentAt = clock.now();
    this.requests++;
    let status: number;
    let text: string;
    let responseHeaders: Headers;
    try {
      const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: controller.signal });
      status = res.status;
      responseHeaders = res.headers;
      text = await res.text();
    } catch (e) {
      timer.cancel();
      // Named by its URL: a base nobody answers at (connection refused, no such host) is then said as such.
      const transport = classifyTransport(e, timedOut);
      const classified = { ...transport, message: `${method} ${this.shown(path)}: ${transport.message}` };
      breaker.failure(classified.message);
      return { classified, result: undefined, sent: true, stampedAt };
    }
    timer.cancel();
    const receivedAt = clock.now();
    // No such path at this base (whatever the body says): the base URL is wrong. Not the venue
    // failing (the breaker is left alone), and not worth asking again.
    if (status === 404) return { classified: classifyNotFound(`${method} ${this.shown(path)}`), result: undefined, sent: true, stampedAt };
    const { classified, result, serverTime, malformed } = dialect.interpret(path, status, text);
    if (serverTime !== undefined) time.update(sentAt, receivedAt, serverTime);
    dialect.observe(method, path, responseHeaders, limiter, time);
    if (malformed !== undefined) this.#o.onMalformed?.(path, malformed);
    if (classified.breakerFailure) breaker.failure(`${path}: ${classified.code} ${classified.message}`);
    else breaker.success();
    if (classified.rateLimited) {
      const backoff = limiter.onRefused(key, dialect.gatewayWide(status), dialect.retryAfterMs?.(responseHeaders));
      this.#o.onRateLimited?.(path, backoff, `${classified.code}: ${classified.message}`);
    } else if (!classified.breakerFailure) {
      limiter.onAccepted();
    }
    if (classified.clockSkew) void this.syncTime().catch(() => undefined);
    return { classified, result, sent: true, stampedAt };
  }

  /**
   * A read that may be retried: GET only (nothing it does can be duplicated). Throws
   * VENUE_UNAVAILABLE when the venue cannot answer, VENUE_REJECTED when it refuses for good.
   */
  async read(path: string, params: Params, options: { readonly signed: Auth; readonly admission?: Admission }): Promise<unknown> {
    const { tuning, random, clock } = this.#o;
    let last: Classified | undefined;
    let lastSent = false;
    for (let attempt = 0; attempt < tuning.retryAttempts; attempt++) {
      const r = await this.send("GET", path, params, {
        signed: options.signed,
        timeoutMs: tuning.requestTimeoutMs,
        maxWaitMs: tuning.requestTimeoutMs,
        admission: options.admission ?? "normal",
      });
      if (r.classified.outcome === "ok") return r.result;
      last = r.classified;
      lastSent = r.sent;
      if (!r.sent || !r.classified.retryable) break;
      if (r.classified.clockSkew) await this.syncTime().catch(() => undefined);
      if (attempt + 1 < tuning.retryAttempts) await sleep(clock, backoffMs(attempt, tuning.retryBaseMs, tuning.retryMaxMs, random));
    }
    throw readFailure(`GET ${path}`, path, last, lastSent, this.#o.baseUrl);
  }

  /** The URL of `path` under the base, as said in messages: no query (it carries signatures), no credentials. */
  shown(path: string): string {
    return shownUrl(`${this.#o.baseUrl}${path}`);
  }

  /** Measure the server clock (the dialect's time request); concurrent calls share one request. */
  syncTime(admission: Admission = "normal"): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const r = await this.send("GET", this.#o.dialect.timePath, {}, { signed: false, timeoutMs: this.#o.tuning.requestTimeoutMs, maxWaitMs: 1_000, admission });
        if (r.classified.outcome !== "ok") {
          if (r.classified.fact === "endpoint-not-found") throw readFailure("server time", this.#o.dialect.timePath, r.classified, true, this.#o.baseUrl);
          throw new HeanError("VENUE_UNAVAILABLE", `server time: ${r.classified.code} ${r.classified.message}`, { code: r.classified.code });
        }
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }
}

/**
 * The error a failed request throws, by what its last answer proved. A request held back here
 * (circuit breaker open, rate limit) was never answered by the venue: that is the venue being
 * unavailable for now, not a refusal, so a boot step retries it until its deadline.
 */
export function readFailure(what: string, path: string, last: Classified | undefined, sent = true, baseUrl?: string): HeanError {
  if (sent && last?.fact === "endpoint-not-found") {
    const base = baseUrl === undefined ? "" : ` ${shownUrl(baseUrl)}`;
    return new HeanError("VENUE_URL_NOT_FOUND", `${last.message}: the REST base URL${base} does not serve the venue's API`, { path, code: last.code, ...(baseUrl === undefined ? {} : { baseUrl: shownUrl(baseUrl) }) });
  }
  const code = !sent
    ? "VENUE_UNAVAILABLE"
    : last?.code === "BAD_ANSWER"
      ? "VENUE_PROTOCOL"
      : last?.fact === "auth-failed"
        ? "VENUE_AUTH_FAILED"
        : last?.outcome === "rejected" && !last.retryable
          ? "VENUE_REJECTED"
          : "VENUE_UNAVAILABLE";
  return new HeanError(code, `${what} failed: ${last?.code ?? "?"} ${last?.message ?? ""}`.trim(), { path, code: last?.code });
}

/** A URL as messages show it: without its query and credentials (unparsable: as given, query cut). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString();
  } catch {
    return url.split("?")[0]!;
  }
}

function notSent(code: string, message: string): SendResult {
  return { classified: classifyNotSent(code, message), result: undefined, sent: false, stampedAt: undefined };
}

/** The query string in the caller's key order, values URI-encoded (undefined values left out): signed exactly as sent. */
export function queryString(params: Params): string {
  return Object.entries(params)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
}

/** A header holding a non-negative integer, else undefined. */
export function headerInt(headers: Headers, name: string): number | undefined {
  const v = headers.get(name);
  if (v === null || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}
