/**
 * The REST circuit breaker. Consecutive venue failures (transport errors, timeouts, 5xx, rate
 * refusals) open it; while open, ordinary requests fail fast without touching the venue. After a
 * cooldown it goes half-open and lets one probe through: success closes it, failure re-opens it
 * with a doubled cooldown (capped). Exits and cancels (`essential`) may always try: flattening
 * must not wait for the venue to look healthy.
 *
 * Every state change is reported through `onChange` (the venue turns it into an alert, the
 * health view and the risk input `circuitOpenSince`).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";

export type BreakerState = "closed" | "open" | "half-open";

export interface CircuitBreakerOptions {
  readonly clock: Clock;
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
  readonly onChange: (state: BreakerState, detail: string) => void;
  /** Called when half-open: send one probe request. */
  readonly onProbe?: () => void;
}

export type Admission = "normal" | "essential" | "probe";

export class CircuitBreaker {
  readonly #o: CircuitBreakerOptions;
  #state: BreakerState = "closed";
  #failures = 0;
  #openSince: number | null = null;
  #cooldown: number;
  #timer: TimerHandle | undefined;
  #probeInFlight = false;
  #lastFailure = "";
  #stopped = false;
  opened = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#o = options;
    this.#cooldown = options.openMs;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** What the last failure was (a request's path and why), for messages about an open breaker. */
  get lastFailure(): string {
    return this.#lastFailure;
  }

  /** Since when the breaker has not been closed (null: closed). */
  get openSince(): number | null {
    return this.#openSince;
  }

  /** May a request of this kind go now? A probe slot is taken by the caller that gets `true`. */
  admit(kind: Admission): boolean {
    if (this.#state === "closed" || kind === "essential") return true;
    if (this.#state === "half-open" && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.#failures = 0;
    if (this.#state === "closed") return;
    this.#probeInFlight = false;
    this.#cooldown = this.#o.openMs;
    this.#openSince = null;
    this.#set("closed", "a request succeeded");
  }

  failure(reason: string): void {
    this.#lastFailure = reason;
    this.#failures++;
    if (this.#state === "half-open") {
      this.#probeInFlight = false;
      this.#cooldown = Math.min(this.#o.maxOpenMs, this.#cooldown * 2);
      this.#open(`probe failed: ${reason}`);
      return;
    }
    if (this.#state === "closed" && this.#failures >= this.#o.failureThreshold) {
      this.#openSince = this.#o.clock.now();
      this.opened++;
      this.#open(`${this.#failures} consecutive failures, last: ${reason}`);
    }
  }

  /** A request admitted as a probe ended without a venue verdict either way (e.g. never sent). */
  releaseProbe(): void {
    this.#probeInFlight = false;
  }

  /**
   * No more cooldown timers, for good: a request still in flight when the venue stops may fail
   * afterwards and re-open the breaker, and its probe would fail and re-open it again, a timer
   * chain that kept a stopped process alive for ever.
   */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #open(detail: string): void {
    this.#set("open", `${detail}; retry in ${this.#cooldown} ms`);
    this.#timer?.cancel();
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#state !== "open") return;
      this.#set("half-open", `cooldown over after: ${this.#lastFailure}`);
      this.#o.onProbe?.();
    }, this.#cooldown);
  }

  #set(state: BreakerState, detail: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#o.onChange(state, detail);
  }
}
