/**
 * Bybit V5 REST on the shared live REST client (`../live/rest-client.ts`): this file is only
 * Bybit's dialect. GET parameters go in the query string, POST parameters as a JSON body; the
 * signature covers exactly those bytes (`signer.ts`); answers are `{retCode, retMsg, result, time}`
 * envelopes (`time` drives the clock offset), held to the wire's rules (`checkAnswer`) and
 * classified (`classify.ts`); `X-Bapi-Limit*` headers feed the limiter.
 */
import { HeanError, isHeanError } from "../../core/errors.ts";
import type { Clock } from "../../core/clock.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { CircuitBreaker } from "../live/circuit-breaker.ts";
import { type Interpreted, LiveRestClient, type Params, type RestDialect, headerInt, queryString } from "../live/rest-client.ts";
import type { RateLimiter } from "../live/rate-limiter.ts";
import type { ServerTime } from "../live/server-time.ts";
import { classifyAnswer, classifyMalformed } from "./classify.ts";
import type { BybitSigner } from "./signer.ts";
import { type Envelope, checkAnswer, parseEnvelope } from "./wire.ts";

export type { Params, SendOptions, SendResult } from "../live/rest-client.ts";
export { queryString };

export interface RestClientOptions {
  readonly baseUrl: string;
  readonly signer: BybitSigner | undefined;
  readonly clock: Clock;
  readonly time: ServerTime;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker;
  readonly tuning: LiveTuning;
  readonly random: () => number;
  readonly onRateLimited?: (path: string, waitMs: number, detail: string) => void;
  readonly onMalformed?: (path: string, error: HeanError) => void;
}

export function bybitDialect(signer: BybitSigner | undefined): RestDialect {
  return {
    timePath: "/v5/market/time",
    limitKey: (_method, path) => path,
    prepare(method, path, params, auth, stampedAt, recvWindowMs) {
      const query = method === "GET" ? queryString(params) : "";
      const body = method === "POST" ? JSON.stringify(dropUndefined(params)) : undefined;
      const headers: Record<string, string> = method === "POST" ? { "Content-Type": "application/json" } : {};
      if (auth !== false) {
        if (signer === undefined) throw new HeanError("VENUE_PROTOCOL", `${path} needs a signer and none was given`, { path });
        Object.assign(headers, signer.restHeaders(stampedAt, recvWindowMs, method === "GET" ? query : body!));
      }
      return { query, body, headers };
    },
    interpret(path, status, text): Interpreted {
      let envelope: Envelope | undefined;
      let malformed: HeanError | undefined;
      try {
        envelope = parseEnvelope(text);
      } catch (e) {
        // Gateways answer errors with HTML or nothing: only a 200 promised an envelope.
        if (status === 200 && isHeanError(e, "VENUE_PROTOCOL")) malformed = e;
      }
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
      return { classified, result: envelope?.result, serverTime: envelope?.time, malformed };
    },
    observe(_method, path, headers, limiter, time) {
      const reset = headerInt(headers, "x-bapi-limit-reset-timestamp");
      limiter.observe(path, headerInt(headers, "x-bapi-limit"), headerInt(headers, "x-bapi-limit-status"), reset === undefined ? undefined : time.toLocal(reset));
    },
    gatewayWide: (status) => status === 429 || status === 403,
  };
}

/** Bybit's REST: the shared client over Bybit's dialect (GET and POST only). */
export class BybitRestClient extends LiveRestClient {
  constructor(options: RestClientOptions) {
    super({ ...options, dialect: bybitDialect(options.signer) });
  }
}

function dropUndefined(params: Params): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}
