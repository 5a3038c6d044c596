/**
 * Counting events in a sliding time window (order rate, rejection storms). Pure: the caller keeps
 * the list of times and passes `now`.
 */

/** How many of `times` fall in the window (now − windowMs, now]. Times after `now` count too (a clock step back must not open the gate). */
export function countInWindow(times: readonly number[], now: number, windowMs: number): number {
  const from = now - windowMs;
  let n = 0;
  // Indexed, not for-of: run per order over up to 1,000 times, the iterator form boxed each one
  // (~3.6 KB of garbage per pre-trade check in a heap profile).
  for (let i = 0; i < times.length; i++) if (times[i]! > from) n++;
  return n;
}

/** `times` with `now` appended and everything that left the window dropped (keeps the list short). */
export function recordInWindow(times: readonly number[], now: number, windowMs: number): number[] {
  const from = now - windowMs;
  const kept = times.filter((t) => t > from);
  kept.push(now);
  return kept;
}
