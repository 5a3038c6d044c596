/**
 * Bybit V5 REST over node's fetch (keep-alive by default). One `send` is one attempt: admitted
 * by the circuit breaker, paced by the rate limiter, signed over exactly the bytes it sends,
 * timed out on the Clock, and classified (ok / rejected / unknown). `read` adds retries with
 * backoff and jitter, and is only for requests that cannot duplicate an effect; order creates go
 * through `send` once and their UNKNOWN outcome is settled by the order gateway, never retried
 * here.
 */
import type { Clock } from "../../core/clock.ts";
import { HeanError, isHeanError } from "../../core/errors.ts";
import { backoffMs } from "../live/backoff.ts";
import { sleep } from "../live/sleep.ts";
import type { Admission, CircuitBreaker } from "../live/circuit-breaker.ts";
import { type Classified, classifyNotSent, classifyTransport } from "../live/outcome.ts";
import { classifyAnswer, classifyMalformed } from "./classify.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { RateLimiter } from "../live/rate-limiter.ts";
import type { ServerTime } from "../live/server-time.ts";
import type { BybitSigner } from "./signer.ts";
import { type Envelope, checkAnswer, parseEnvelope } from "./wire.ts";

export type Params = Readonly<Record<string, string | number | boolean | undefined>>;

export interface SendOptions {
  readonly signed: boolean;
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
  /** The X-BAPI-TIMESTAMP it carried (server time, ms); set when sent. */
  readonly stampedAt: number | undefined;
}

export interface RestClientOptions {
  readonly baseUrl: string;
  readonly signer: BybitSigner | undefined;
  readonly clock: Clock;
  readonly time: ServerTime;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker;
  readonly tuning: LiveTuning;
  readonly random: () => number;
  /** A rate refusal made the limiter back off for `waitMs`. */
  readonly onRateLimited?: (path: string, waitMs: number, detail: string) => void;
  /** A 200 answer that is not a Bybit envelope, or a success whose result has the wrong shape (`VENUE_PROTOCOL`). */
  readonly onMalformed?: (path: string, error: HeanError) => void;
}

export class BybitRestClient {
  readonly #o: RestClientOptions;
  #syncing: Promise<void> | undefined;
  requests = 0;

  constructor(options: RestClientOptions) {
    this.#o = options;
  }

  async send(method: "GET" | "POST", path: string, params: Params, options: SendOptions): Promise<SendResult> {
    const { breaker, limiter, clock, time, tuning } = this.#o;
    if (!breaker.admit(options.admission)) return notSent("VENUE_CIRCUIT_OPEN", "the venue circuit breaker is open");
    const wait = limiter.waitMs(path);
    if (wait > options.maxWaitMs) {
      // Held because the venue keeps refusing us: that is the venue failing, as far as the
      // breaker is concerned. Held by our own pacing: nothing is wrong with the venue.
      if (options.admission === "probe") breaker.releaseProbe();
      else if (limiter.refusing(path)) breaker.failure(`${path}: held after rate refusals (${wait} ms)`);
      return notSent("VENUE_RATE_LIMITED", `the rate limiter holds ${path} for ${wait} ms`);
    }
    if (wait > 0) await sleep(clock, wait);
    limiter.record(path);
    const query = method === "GET" ? queryString(params) : "";
    const body = method === "POST" ? JSON.stringify(dropUndefined(params)) : undefined;
    const stampedAt = time.now();
    const headers: Record<string, string> = method === "POST" ? { "Content-Type": "application/json" } : {};
    if (options.signed) {
      if (this.#o.signer === undefined) throw new HeanError("VENUE_PROTOCOL", `${path} needs a signer and none was given`, { path });
      Object.assign(headers, this.#o.signer.restHeaders(stampedAt, tuning.recvWindowMs, method === "GET" ? query : body!));
    }
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
      const classified = classifyTransport(e, timedOut);
      breaker.failure(`${path}: ${classified.message}`);
      return { classified, result: undefined, sent: true, stampedAt };
    }
    timer.cancel();
    const receivedAt = clock.now();
    let envelope: Envelope | undefined;
    let malformed: HeanError | undefined;
    try {
      envelope = parseEnvelope(text);
    } catch (e) {
      // Gateways answer errors with HTML or nothing: only a 200 promised an envelope.
      if (status === 200 && isHeanError(e, "VENUE_PROTOCOL")) malformed = e;
    }
    if (envelope?.time !== undefined) time.update(sentAt, receivedAt, envelope.time);
    this.#observeLimits(path, responseHeaders);
    let classified = classifyAnswer(status, envelope);
    if (classified.outcome === "ok") {
      try {
        checkAnswer(path, envelope?.result);
      } catch (e) {
        if (!isHeanError(e, "VENUE_PROTOCOL")) throw e;
        // It said yes but we cannot read what: for an order that is "may have acted".
        malformed = e;
        classified = classifyMalformed(e.message, status);
      }
    }
    if (malformed !== undefined) this.#o.onMalformed?.(path, malformed);
    if (classified.breakerFailure) breaker.failure(`${path}: ${classified.code} ${classified.message}`);
    else breaker.success();
    if (classified.rateLimited) {
      const backoff = limiter.onRefused(path, status === 429 || status === 403);
      this.#o.onRateLimited?.(path, backoff, `${classified.code}: ${classified.message}`);
    } else if (!classified.breakerFailure) {
      limiter.onAccepted();
    }
    if (classified.clockSkew) void this.syncTime().catch(() => undefined);
    return { classified, result: envelope?.result, sent: true, stampedAt };
  }

  /**
   * A read that may be retried: GET only (nothing it does can be duplicated). Throws
   * VENUE_UNAVAILABLE when the venue cannot answer, VENUE_REJECTED when it refuses for good.
   */
  async read(path: string, params: Params, options: { readonly signed: boolean; readonly admission?: Admission }): Promise<unknown> {
    const { tuning, random, clock } = this.#o;
    let last: Classified | undefined;
    for (let attempt = 0; attempt < tuning.retryAttempts; attempt++) {
      const r = await this.send("GET", path, params, {
        signed: options.signed,
        timeoutMs: tuning.requestTimeoutMs,
        maxWaitMs: tuning.requestTimeoutMs,
        admission: options.admission ?? "normal",
      });
      if (r.classified.outcome === "ok") return r.result;
      last = r.classified;
      if (!r.sent || !r.classified.retryable) break;
      if (r.classified.clockSkew) await this.syncTime().catch(() => undefined);
      if (attempt + 1 < tuning.retryAttempts) await sleep(clock, backoffMs(attempt, tuning.retryBaseMs, tuning.retryMaxMs, random));
    }
    const code =
      last?.code === "BAD_ANSWER"
        ? "VENUE_PROTOCOL"
        : last?.fact === "auth-failed"
          ? "VENUE_AUTH_FAILED"
          : last?.outcome === "rejected" && !last.retryable
            ? "VENUE_REJECTED"
            : "VENUE_UNAVAILABLE";
    throw new HeanError(code, `GET ${path} failed: ${last?.code ?? "?"} ${last?.message ?? ""}`.trim(), { path, code: last?.code });
  }

  /** Measure the server clock (`/v5/market/time`); concurrent calls share one request. */
  syncTime(admission: Admission = "normal"): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const r = await this.send("GET", "/v5/market/time", {}, { signed: false, timeoutMs: this.#o.tuning.requestTimeoutMs, maxWaitMs: 1_000, admission });
        if (r.classified.outcome !== "ok") {
          throw new HeanError("VENUE_UNAVAILABLE", `server time: ${r.classified.code} ${r.classified.message}`, { code: r.classified.code });
        }
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }

  #observeLimits(path: string, headers: Headers): void {
    const num = (name: string): number | undefined => {
      const v = headers.get(name);
      if (v === null || !/^\d+$/.test(v.trim())) return undefined;
      return Number(v);
    };
    const reset = num("x-bapi-limit-reset-timestamp");
    this.#o.limiter.observe(path, num("x-bapi-limit"), num("x-bapi-limit-status"), reset === undefined ? undefined : this.#o.time.toLocal(reset));
  }
}

function notSent(code: string, message: string): SendResult {
  return { classified: classifyNotSent(code, message), result: undefined, sent: false, stampedAt: undefined };
}

function dropUndefined(params: Params): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}

/** The query string in the caller's key order, values URI-encoded: signed exactly as sent. */
export function queryString(params: Params): string {
  return Object.entries(params)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
}
