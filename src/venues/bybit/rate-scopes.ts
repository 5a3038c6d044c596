/**
 * Bybit's metering (V5 rate limits): create, amend, cancel and cancel-all are limited separately
 * at 10/s per UID, other private endpoints at 50/s each, public ones per IP at 600 per 5 s.
 * Answers carry `X-Bapi-Limit*` headers that refine these (the shared limiter learns from them).
 */
import type { ScopeOf } from "../live/rate-limiter.ts";

export const bybitScopeOf: ScopeOf = (path) => {
  if (/^\/v5\/order\/(create|amend|cancel|cancel-all)$/.test(path)) return { scope: path, rule: { limit: 10, windowMs: 1_000 } };
  if (path.startsWith("/v5/market/")) return { scope: "public", rule: { limit: 600, windowMs: 5_000 } };
  return { scope: path, rule: { limit: 50, windowMs: 1_000 } };
};
