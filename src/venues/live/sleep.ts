import type { Clock } from "../../core/clock.ts";

/** Wait on the given clock (a SimClock in tests). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimeout(resolve, ms));
}
