/**
 * Simulated network latency: a seeded fixed + jitter delay, and a FIFO channel that delivers
 * items after their delay on the Clock without ever reordering them (a jittered later message
 * never overtakes an earlier one, as on one TCP connection). One timer per channel at a time.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Prng } from "./market/prng.ts";

export interface LatencySpec {
  readonly fixedMs: number;
  /** Uniform extra delay in whole ms, 0..jitterMs inclusive. */
  readonly jitterMs: number;
}

export function sampleLatency(spec: LatencySpec, rng: Prng): number {
  return spec.fixedMs + Math.floor(rng.next() * (spec.jitterMs + 1));
}

interface Pending<T> {
  readonly due: number;
  readonly item: T;
}

export class FifoDelay<T> {
  readonly #clock: Clock;
  readonly #deliver: (item: T) => void;
  readonly #onError: (error: unknown) => void;
  #queue: (Pending<T> | undefined)[] = [];
  #head = 0;
  #lastDue = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, deliver: (item: T) => void, onError: (error: unknown) => void = () => {}) {
    this.#clock = clock;
    this.#deliver = deliver;
    this.#onError = onError;
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }

  push(item: T, delayMs: number): void {
    const due = Math.max(this.#clock.now() + delayMs, this.#lastDue);
    this.#lastDue = due;
    this.#queue.push({ due, item });
    if (this.#timer === undefined) this.#arm(due);
  }

  /** Drop everything not yet delivered. */
  clear(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
  }

  #arm(due: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, due - this.#clock.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      if (next.due > now) break;
      this.#queue[this.#head++] = undefined;
      try {
        this.#deliver(next.item);
      } catch (error) {
        this.#onError(error);
      }
      // A delivery may have cleared the channel (stop from inside the sink).
      if (this.#queue.length === 0) return;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const head = this.#queue[this.#head];
    if (head !== undefined && this.#timer === undefined) this.#arm(head.due);
  }
}
