/**
 * Binance USD-M answers in the shared outcome policy (`../live/outcome.ts`). Errors come as HTTP
 * 4xx with `{"code": -NNNN, "msg": "…"}`; rate refusals (HTTP 429, the 418 IP ban, -1003) leave
 * as hean's `VENUE_RATE_LIMITED`; every other refusal keeps Binance's code (`BINANCE_-2019`) for
 * the operator.
 *
 * What each code proves: -1021 the timestamp was outside the receive window (refused unprocessed;
 * resync the clock); -1022 / -2014 / -2015 / HTTP 401 the keys or signature are refused;
 * -1102 / -1111 / -1013 / -4164 … the parameters or filters are wrong; -2019 margin, -2022
 * reduce-only; -4116 the client order id is already open (the order exists: settle it, never
 * resend); -5022 a GTX order would take (the router tries the next price); -2011 a cancel named
 * an order that is not open; -2013 a query found nothing. HTTP 5xx, -1000 (unknown), -1001
 * (disconnected), -1006 / -1007 (the matching engine's answer is unknown) and any code we do not
 * know leave an order UNKNOWN: settled by asking the venue.
 */
import { type Classified, NOT_CLASSIFIED, type RefusalFact } from "../live/outcome.ts";

export const CODE_TOO_MANY_REQUESTS = -1003;
export const CODE_TIMESTAMP = -1021;
export const CODE_CANCEL_UNKNOWN = -2011;
export const CODE_NO_SUCH_ORDER = -2013;
export const CODE_DUPLICATE_CLIENT_ID = -4116;
export const CODE_GTX_WOULD_TAKE = -5022;
export const CODE_LISTEN_KEY = -1125;

/** The request reached the matching engine (or may have) and its outcome is not known. */
const UNKNOWN_CODES: ReadonlySet<number> = new Set([-1000, -1001, -1006, -1007, -1008]);
const AUTH_CODES: ReadonlySet<number> = new Set([-1022, -2014, -2015, -2008, -1002]);

const base = NOT_CLASSIFIED;

export interface BinanceErrorBody {
  readonly code: number;
  readonly msg: string;
}

/** An HTTP answer: its status and the error body (undefined when the body is not `{code, msg}`). */
export function classifyAnswer(status: number, error: BinanceErrorBody | undefined): Classified {
  if (status >= 200 && status < 300 && error === undefined) return { ...base, outcome: "ok", code: "OK", message: "", httpStatus: status };
  if (status === 429 || status === 418 || error?.code === CODE_TOO_MANY_REQUESTS) {
    // Refused at the gateway before anything was processed; 418 is the IP ban after repeated 429s.
    const message = `HTTP ${status}${status === 418 ? " (IP banned)" : ""}: ${error?.msg ?? "too many requests"}`;
    return { ...base, outcome: "rejected", retryable: true, breakerFailure: true, rateLimited: true, code: "VENUE_RATE_LIMITED", message, httpStatus: status };
  }
  if (status >= 500 || (error !== undefined && UNKNOWN_CODES.has(error.code))) {
    const code = error === undefined ? `HTTP_${status}` : codeOf(error.code);
    return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code, message: error?.msg ?? `HTTP ${status} from the venue`, httpStatus: status };
  }
  if (error === undefined) {
    if (status === 401 || status === 403) return { ...base, outcome: "rejected", code: `HTTP_${status}`, message: `HTTP ${status}`, httpStatus: status, fact: "auth-failed" };
    if (status >= 400) return { ...base, outcome: "rejected", code: `HTTP_${status}`, message: `HTTP ${status}`, httpStatus: status };
    return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: "BAD_ANSWER", message: `unreadable answer (HTTP ${status})`, httpStatus: status };
  }
  return classifyCode(error.code, error.msg, status);
}

/** A 2xx answer that cannot be read: the venue may have acted. */
export function classifyMalformed(message: string, httpStatus: number): Classified {
  return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: "BAD_ANSWER", message, httpStatus };
}

export function classifyCode(code: number, msg: string, httpStatus = 400): Classified {
  const common = { httpStatus, message: `${code}: ${msg}`, code: codeOf(code), fact: factOf(code, httpStatus) };
  if (code === CODE_TIMESTAMP) return { ...base, ...common, outcome: "rejected", retryable: true, clockSkew: true };
  return { ...base, ...common, outcome: "rejected" };
}

export const codeOf = (code: number): string => `BINANCE_${code}`;

function factOf(code: number, status: number): RefusalFact | undefined {
  if (code === CODE_DUPLICATE_CLIENT_ID) return "duplicate-client-id";
  if (code === CODE_CANCEL_UNKNOWN) return "order-not-open";
  if (code === CODE_GTX_WOULD_TAKE) return "post-only-would-take";
  if (AUTH_CODES.has(code) || status === 401) return "auth-failed";
  return undefined;
}
