/**
 * Bybit's per-UID, per-endpoint budget over a rolling second, and the three headers it reports
 * on every response. Public endpoints share an IP-wide budget (600 per 5 s) so they carry the
 * same headers.
 */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** Which budget an endpoint draws from (UTA 2.0 Pro defaults for linear). */
export function ruleFor(path: string): { group: string; rule: RateLimitRule } {
  if (/^\/v5\/order\/(create|amend|cancel|cancel-all)$/.test(path)) {
    return { group: path, rule: { limit: 10, windowMs: 1000 } };
  }
  if (path.startsWith("/v5/market/")) return { group: "public-ip", rule: { limit: 600, windowMs: 5000 } };
  return { group: path, rule: { limit: 50, windowMs: 1000 } };
}

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

export class RateLimiter {
  readonly #hits = new Map<string, number[]>();
  #enabled: boolean;

  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  /** Count one request for `who` (an API key, or the IP for public calls) against `path`'s budget. */
  take(who: string, path: string, now: number): RateLimitVerdict {
    const { group, rule } = ruleFor(path);
    const key = `${who}\u0000${group}`;
    const recent = (this.#hits.get(key) ?? []).filter((t) => t > now - rule.windowMs);
    const allowed = !this.#enabled || recent.length < rule.limit;
    if (allowed) recent.push(now);
    this.#hits.set(key, recent);
    const remaining = Math.max(0, rule.limit - recent.length);
    const resetAt = allowed ? now : (recent[0] ?? now) + rule.windowMs;
    return { allowed, headers: limitHeaders(rule.limit, remaining, resetAt) };
  }

  /** Headers for a response that never reached a budget (e.g. a request refused before auth). */
  peek(who: string, path: string, now: number): Readonly<Record<string, string>> {
    const { group, rule } = ruleFor(path);
    const recent = (this.#hits.get(`${who}\u0000${group}`) ?? []).filter((t) => t > now - rule.windowMs);
    return limitHeaders(rule.limit, Math.max(0, rule.limit - recent.length), now);
  }

  /** The headers of an exhausted budget, for the injected 429 fault. */
  exhausted(path: string, now: number): Readonly<Record<string, string>> {
    const { rule } = ruleFor(path);
    return limitHeaders(rule.limit, 0, now + rule.windowMs);
  }

  reset(): void {
    this.#hits.clear();
  }
}

const limitHeaders = (limit: number, remaining: number, resetAt: number): Record<string, string> => ({
  "X-Bapi-Limit": String(limit),
  "X-Bapi-Limit-Status": String(remaining),
  "X-Bapi-Limit-Reset-Timestamp": String(resetAt),
});
