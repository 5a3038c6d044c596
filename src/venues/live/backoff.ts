/**
 * Exponential backoff with jitter: `base · 2^attempt`, capped, then spread by ±50 % so that
 * many clients (or many requests of one client) do not retry in lockstep.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  const spread = 0.5 + random();
  return Math.max(1, Math.round(Math.min(maxMs, exp * spread)));
}
