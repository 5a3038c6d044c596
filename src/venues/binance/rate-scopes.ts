/**
 * Binance USD-M metering: request weight per IP (2400 a minute; a request weighs 1–40 by endpoint
 * and parameters) and orders per account (1200 a minute, 300 per 10 s). hean paces requests per
 * scope ("orders": creates; "weight": everything else) and learns the budget from every answer's
 * `X-MBX-USED-WEIGHT-1M` and `X-MBX-ORDER-COUNT-1M` / `-10S` headers: once the used weight or
 * order count reaches the budget (less headroom for other clients of the IP), the scope waits
 * for the next window.
 */
import type { ScopeOf } from "../live/rate-limiter.ts";
import type { RateLimiter } from "../live/rate-limiter.ts";
import type { ServerTime } from "../live/server-time.ts";
import { headerInt } from "../live/rest-client.ts";

export const WEIGHT_PER_MINUTE = 2400;
export const ORDERS_PER_MINUTE = 1200;
export const ORDERS_PER_10S = 300;
/** Keep this share of each budget for other clients of the IP and account. */
const HEADROOM = 0.1;

const ORDER_KEYS: ReadonlySet<string> = new Set(["POST /fapi/v1/order", "POST /fapi/v1/batchOrders"]);
export const WEIGHT_KEY = "GET /fapi/v1/ping";
export const ORDER_KEY = "POST /fapi/v1/order";

export const binanceScopeOf: ScopeOf = (key) =>
  ORDER_KEYS.has(key) ? { scope: "orders", rule: { limit: ORDERS_PER_10S, windowMs: 10_000 } } : { scope: "weight", rule: { limit: WEIGHT_PER_MINUTE / 2, windowMs: 60_000 } };

/** What one answer's headers say: a budget used up holds its scope until the window turns. */
export function observeBinanceLimits(headers: Headers, limiter: RateLimiter, time: ServerTime): void {
  const now = time.now();
  const minuteEnd = time.toLocal(Math.floor(now / 60_000) * 60_000 + 60_000);
  const tenEnd = time.toLocal(Math.floor(now / 10_000) * 10_000 + 10_000);
  const left = (used: number | undefined, budget: number): number | undefined => (used === undefined ? undefined : Math.max(0, Math.floor(budget * (1 - HEADROOM)) - used));
  limiter.observe(WEIGHT_KEY, undefined, left(headerInt(headers, "x-mbx-used-weight-1m"), WEIGHT_PER_MINUTE), minuteEnd);
  limiter.observe(ORDER_KEY, undefined, left(headerInt(headers, "x-mbx-order-count-1m"), ORDERS_PER_MINUTE), minuteEnd);
  limiter.observe(ORDER_KEY, undefined, left(headerInt(headers, "x-mbx-order-count-10s"), ORDERS_PER_10S), tenEnd);
}
