/**
 * Bybit's answers in the shared outcome policy (`venues/live/outcome.ts`): HTTP status and
 * retCode to ok / rejected / unknown, with the flags and facts the live core acts on. Rate-limit
 * refusals (HTTP 429/403, retCode 10006) leave as hean's `VENUE_RATE_LIMITED`; every other
 * refusal keeps Bybit's code (`BYBIT_110007`) for the operator.
 */
import { type Classified, NOT_CLASSIFIED, type RefusalFact } from "../live/outcome.ts";

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

/** Keys that are wrong, expired, not allowed from this IP or lack the permission. */
const AUTH_CODES: ReadonlySet<number> = new Set([10003, 10004, 10005, 10007, 10010, 33004]);
const NOT_OPEN_ON_CANCEL: ReadonlySet<number> = new Set([RET_ORDER_NOT_EXIST, RET_ORDER_FINISHED, RET_ORDER_CANCELLED]);

const base = NOT_CLASSIFIED;

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
    return { ...base, outcome: "rejected", retryable: true, breakerFailure: true, rateLimited: true, code: "VENUE_RATE_LIMITED", message: `HTTP ${httpStatus}: ${envelope?.retMsg ?? "too many requests"}`, httpStatus };
  }
  if (httpStatus >= 400) {
    return { ...base, outcome: "rejected", code: `HTTP_${httpStatus}`, message: envelope?.retMsg ?? `HTTP ${httpStatus}`, httpStatus, fact: factOf(envelope?.retCode) };
  }
  if (httpStatus !== 200 || envelope === undefined) {
    return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: "BAD_ANSWER", message: `unreadable answer (HTTP ${httpStatus})`, httpStatus };
  }
  return classifyRetCode(envelope.retCode, envelope.retMsg, httpStatus);
}

/** A 200 answer that said success but whose result cannot be read: the venue may have acted. */
export function classifyMalformed(message: string, httpStatus: number): Classified {
  return { ...base, outcome: "unknown", retryable: true, breakerFailure: true, code: "BAD_ANSWER", message, httpStatus };
}

export function classifyRetCode(retCode: number, retMsg: string, httpStatus = 200): Classified {
  const common = { httpStatus, message: retMsg, code: retCode === RET_OK ? "OK" : `BYBIT_${retCode}`, fact: factOf(retCode) };
  if (retCode === RET_OK) return { ...base, ...common, outcome: "ok" };
  if (retCode === RET_RATE_LIMIT) return { ...base, ...common, code: "VENUE_RATE_LIMITED", message: `${retCode}: ${retMsg}`, outcome: "rejected", retryable: true, breakerFailure: true, rateLimited: true };
  if (retCode === RET_TIMESTAMP) return { ...base, ...common, outcome: "rejected", retryable: true, clockSkew: true };
  if (retCode === RET_ORDER_PROCESSING) return { ...base, ...common, outcome: "rejected", retryable: true };
  if (DEFINITIVE_SYSTEM_CODES.has(retCode)) return { ...base, ...common, outcome: "rejected" };
  // Business codes (110xxx trading, 170xxx spot, 3xxxxx account…) are refusals of the request.
  if (retCode >= 100_000) return { ...base, ...common, outcome: "rejected" };
  const trouble = SERVER_TROUBLE_CODES.has(retCode);
  return { ...base, ...common, outcome: "unknown", retryable: trouble, breakerFailure: trouble };
}

function factOf(retCode: number | undefined): RefusalFact | undefined {
  if (retCode === undefined) return undefined;
  if (retCode === RET_DUPLICATE_LINK_ID) return "duplicate-client-id";
  if (NOT_OPEN_ON_CANCEL.has(retCode)) return "order-not-open";
  if (AUTH_CODES.has(retCode)) return "auth-failed";
  return undefined;
}
