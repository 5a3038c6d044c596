/**
 * Counting events in a sliding time window (order rate, rejection storms). Pure: the caller keeps
 * the list of times and passes `now`.
 */

/** How many of `times` fall in the window (now − windowMs, now]. Times after `now` count too (a clock step back must not open the gate). */
export function countInWindow(times: readonly number[], now: number, windowMs: number): number {
  const from = now - windowMs;
  let n = 0;
  for (const t of times) if (t > from) n++;
  return n;
}

/** `times` with `now` appended and everything that left the window dropped (keeps the list short). */
export function recordInWindow(times: readonly number[], now: number, windowMs: number): number[] {
  const from = now - windowMs;
  const kept = times.filter((t) => t > from);
  kept.push(now);
  return kept;
}
