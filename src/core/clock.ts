/**
 * Time as a port. The engine never calls Date.now() or setTimeout directly: production gets the
 * real clock, tests and replays get a simulated one they advance by hand, so every timed rule
 * (staleness, max hold, dwell time, TTL) is deterministic under test.
 */
import { HeanError } from "./errors.ts";

/**
 * The longest delay Node's timers honour (2^31 − 1 ms, about 24.8 days): a longer one fires after
 * 1 ms instead. Every configured duration that may become a timer is bounded by it.
 */
export const MAX_TIMER_MS = 2_147_483_647;

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (UTC). */
  now(): number;
  /** Monotonic nanoseconds, for latency measurement only. */
  monotonicNs(): bigint;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  monotonicNs(): bigint {
    return process.hrtime.bigint();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Node turns a 0 ms timeout into 1 ms, and the timers phase may wait for a whole poll first:
    // "as soon as possible" (a simulated venue hop with no latency, a retry with no backoff) would
    // cost ≥ 1 ms each time. setImmediate runs after the pending I/O instead, never before it.
    if (ms <= 0) {
      const i = setImmediate(fn);
      return { cancel: () => clearImmediate(i) };
    }
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  }
}

interface SimTimer {
  at: number;
  seq: number;
  fn: () => void;
  every: number | undefined;
  cancelled: boolean;
}

/**
 * A clock that moves only when told. Timers fire in (due time, creation order) as `advance`
 * passes them, with `now()` set to each timer's due time while it runs.
 */
export class SimClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: SimTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  monotonicNs(): bigint {
    return BigInt(this.#now) * 1_000_000n;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Like Node: a non-finite delay means "soon".
    return this.#add(fn, Number.isFinite(ms) ? Math.max(0, ms) : 0, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const period = Number.isFinite(ms) ? Math.max(1, ms) : 1;
    return this.#add(fn, period, period);
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  advanceTo(target: number): void {
    if (!Number.isFinite(target)) throw new HeanError("CLOCK_INVALID", `cannot move a simulated clock to ${target}`, { target });
    for (;;) {
      const next = this.#nextDue();
      if (next === undefined || next.at > target) break;
      this.#now = Math.max(this.#now, next.at);
      if (next.every !== undefined) {
        next.at += next.every;
      } else {
        next.cancelled = true;
      }
      next.fn();
    }
    this.#now = Math.max(this.#now, target);
    this.#timers = this.#timers.filter((t) => !t.cancelled);
  }

  /** When the next timer falls due (undefined: none pending). */
  nextDueAt(): number | undefined {
    return this.#nextDue()?.at;
  }

  /** Set wall time without firing timers (for restarts in tests). */
  set(ms: number): void {
    this.#now = ms;
  }

  pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  #add(fn: () => void, delay: number, every: number | undefined): TimerHandle {
    const timer: SimTimer = { at: this.#now + delay, seq: this.#seq++, fn, every, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  #nextDue(): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
