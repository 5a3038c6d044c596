/**
 * What one venue request's answer (or the lack of one) means, in the outcome policy every live
 * venue shares:
 *
 * - `ok`: the venue accepted the request.
 * - `rejected`: the venue provably did not act (a business refusal, an auth or parameter error,
 *   a rate-limit refusal, an HTTP 4xx from the gateway). Safe to report as definitive.
 * - `unknown`: the venue may or may not have acted (timeout, reset, 5xx, unreadable answer, a
 *   server-side error code). For an order this is UNKNOWN, settled only by asking the venue.
 *
 * Independently: `retryable` (worth another try for a request that cannot duplicate an effect),
 * `breakerFailure` (counts towards opening the circuit breaker: the venue, not our request, is
 * the problem), `rateLimited` (the limiter must back off), `clockSkew` (resync the time) and
 * `fact`, what the refusal proves about the order it names. Each exchange's wire code maps its
 * own codes onto this; nothing past `src/venues/<exchange>` reads an exchange's codes.
 */

export type Outcome = "ok" | "rejected" | "unknown";

/**
 * - `duplicate-client-id`: the venue already holds an order under this client order id;
 * - `order-not-open`: a cancel named an order that is not open (filled, cancelled or unknown);
 * - `auth-failed`: the keys are wrong, expired or lack permission (retrying cannot help);
 * - `post-only-would-take`: a post-only create refused because it would have taken liquidity
 *   (Binance -5022): the maker-first router tries the next price, it is no rejection storm;
 * - `endpoint-not-found`: HTTP 404, the URL serves no such path (the REST base URL is wrong):
 *   nothing was processed, and asking again at the same URL cannot help.
 */
export type RefusalFact = "duplicate-client-id" | "order-not-open" | "auth-failed" | "post-only-would-take" | "endpoint-not-found";

export interface Classified {
  readonly outcome: Outcome;
  readonly retryable: boolean;
  readonly breakerFailure: boolean;
  readonly rateLimited: boolean;
  readonly clockSkew: boolean;
  readonly fact?: RefusalFact | undefined;
  /** Short stable code: "OK", "VENUE_RATE_LIMITED", "HTTP_503", "TIMEOUT", "NETWORK", or the exchange's own code for other refusals. */
  readonly code: string;
  readonly message: string;
  readonly httpStatus?: number | undefined;
}

export const NOT_CLASSIFIED = { retryable: false, breakerFailure: false, rateLimited: false, clockSkew: false } as const;

/** A request that threw: no answer at all. */
export function classifyTransport(error: unknown, timedOut: boolean): Classified {
  const message = timedOut ? "no answer before the timeout" : describeTransport(error);
  return { ...NOT_CLASSIFIED, outcome: "unknown", retryable: true, breakerFailure: true, code: timedOut ? "TIMEOUT" : "NETWORK", message };
}

/** The request never left (refused by our own limiter or breaker). */
export function classifyNotSent(code: string, message: string): Classified {
  return { ...NOT_CLASSIFIED, outcome: "rejected", code, message };
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

/**
 * An HTTP 404: no such path at this URL. Neither exchange answers a request it routed with a 404
 * (Binance refuses with HTTP 400 and a code, Bybit with HTTP 200 and a retCode): the request went
 * to a base URL that does not serve the venue's API, whatever body came with it.
 */
export function classifyNotFound(url: string): Classified {
  return { ...NOT_CLASSIFIED, outcome: "rejected", fact: "endpoint-not-found", code: "HTTP_404", message: `${url} answered HTTP 404 (not found)`, httpStatus: 404 };
}
