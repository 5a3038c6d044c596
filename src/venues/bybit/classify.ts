/**
 * What one REST answer (or the lack of one) means, in the outcome policy of the anchors:
 *
 * - `ok`: the venue accepted the request.
 * - `rejected`: the venue provably did not act (a business refusal, an auth or parameter error,
 *   a rate-limit refusal, an HTTP 4xx from the gateway). Safe to report as definitive.
 * - `unknown`: the venue may or may not have acted (timeout, reset, 5xx, unreadable answer, a
 *   server-side error code). For an order this is UNKNOWN, settled only by asking the venue.
 *
 * Independently: `retryable` (worth another try for a request that cannot duplicate an effect),
 * `breakerFailure` (counts towards opening the circuit breaker: the venue, not our request, is
 * the problem), `rateLimited` (the limiter must back off) and `clockSkew` (resync the time).
 */

export type Outcome = "ok" | "rejected" | "unknown";

export interface Classified {
  readonly outcome: Outcome;
  readonly retryable: boolean;
  readonly breakerFailure: boolean;
  readonly rateLimited: boolean;
  readonly clockSkew: boolean;
  /** Short stable code: "OK", "BYBIT_110007", "HTTP_503", "TIMEOUT", "NETWORK", … */
  readonly code: string;
  readonly message: string;
  readonly retCode?: number | undefined;
  readonly httpStatus?: number | undefined;
}

export const RET_OK = 0;
export const RET_TIMESTAMP = 10002;
export const RET_RATE_LIMIT = 10006;
export const RET_ORDER_NOT_EXIST = 110001;
export const RET_ORDER_FINISHED = 110008;
export const RET_ORDER_CANCELLED = 110010;
export const RET_DUPLICATE_LINK_ID = 110072;
export const RET_ORDER_PROCESSING = 110079;

/**
 * System codes that prove the request was refused before anything happened. Every other
 * 10000–19999 code (10000 server timeout, 10016 server error, 10019 restarting, and any we have
 * never seen) is treated as unknown: the safe reading for an order.
 */
const DEFINITIVE_SYSTEM_CODES: ReadonlySet<number> = new Set([10001, 10002, 10003, 10004, 10005, 10006, 10007, 10008, 10009, 10010, 10014, 10017, 10018, 10024, 10027, 10029]);
/** Codes that say "the servers are struggling": the circuit breaker counts them. */
const SERVER_TROUBLE_CODES: ReadonlySet<number> = new Set([10000, 10016, 10019]);

const base = { retryable: false, breakerFailure: false, rateLimited: false, clockSkew: false } as const;

/** A fetch that threw: no HTTP answer at all. */
export function classifyTransport(error: unknown, timedOut: boolean): Classified {
  const message = timedOut ? "no answer before the timeout" : describeTransport(error);
  return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: timedOut ? "TIMEOUT" : "NETWORK", message };
}

/** The request never left (refused by our own limiter or breaker). */
export function classifyNotSent(code: string, message: string): Classified {
  return { ...base, outcome: "rejected", code, message };
}

/**
 * An HTTP answer: its status and the parsed envelope (undefined when the body was not a Bybit
 * envelope). Business errors come as HTTP 200 with a non-zero retCode.
 */
export function classifyAnswer(httpStatus: number, envelope: { retCode: number; retMsg: string } | undefined): Classified {
  if (httpStatus >= 500) {
    return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: `HTTP_${httpStatus}`, message: `HTTP ${httpStatus} from the venue`, httpStatus };
  }
  if (httpStatus === 429 || httpStatus === 403) {
    // Gateway-level frequency protection: the request was not processed.
    return { ...base, outcome: "rejected", retryable: true, breakerFailure: true, rateLimited: true, code: `HTTP_${httpStatus}`, message: envelope?.retMsg ?? `HTTP ${httpStatus}: too many requests`, httpStatus, retCode: envelope?.retCode };
  }
  if (httpStatus >= 400) {
    return { ...base, outcome: "rejected", code: `HTTP_${httpStatus}`, message: envelope?.retMsg ?? `HTTP ${httpStatus}`, httpStatus, retCode: envelope?.retCode };
  }
  if (httpStatus !== 200 || envelope === undefined) {
    return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: "BAD_ANSWER", message: `unreadable answer (HTTP ${httpStatus})`, httpStatus };
  }
  return classifyRetCode(envelope.retCode, envelope.retMsg, httpStatus);
}

/** A 200 answer that said success but whose result cannot be read: the venue may have acted. */
export function classifyMalformed(message: string, httpStatus: number): Classified {
  return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: "BAD_ANSWER", message, httpStatus, retCode: 0 };
}

export function classifyRetCode(retCode: number, retMsg: string, httpStatus = 200): Classified {
  const common = { retCode, httpStatus, message: retMsg, code: retCode === RET_OK ? "OK" : `BYBIT_${retCode}` };
  if (retCode === RET_OK) return { ...base, ...common, outcome: "ok" };
  if (retCode === RET_RATE_LIMIT) return { ...base, ...common, outcome: "rejected", retryable: true, breakerFailure: true, rateLimited: true };
  if (retCode === RET_TIMESTAMP) return { ...base, ...common, outcome: "rejected", retryable: true, clockSkew: true };
  if (retCode === RET_ORDER_PROCESSING) return { ...base, ...common, outcome: "rejected", retryable: true };
  if (DEFINITIVE_SYSTEM_CODES.has(retCode)) return { ...base, ...common, outcome: "rejected" };
  // Business codes (110xxx trading, 170xxx spot, 3xxxxx account…) are refusals of the request.
  if (retCode >= 100_000) return { ...base, ...common, outcome: "rejected" };
  const trouble = SERVER_TROUBLE_CODES.has(retCode);
  return { ...base, ...common, outcome: "unknown", retryable: trouble, breakerFailure: trouble };
}

function describeTransport(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? `${cause.name}: ${cause.message}` : "";
    const code = typeof (cause as { code?: unknown } | undefined)?.code === "string" ? ` (${(cause as { code: string }).code})` : "";
    return `${error.message}${inner === "" ? "" : `: ${inner}`}${code}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}
