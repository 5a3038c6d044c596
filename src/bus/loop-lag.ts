/**
 * Continuous event-loop lag measurement. A trading engine whose loop stalls cannot react to a
 * crash; the audited engine froze on synchronous calls and nobody knew. We sample
 * `monitorEventLoopDelay` once per period and alert (throttled) past a threshold.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;

export interface LoopLagSample {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface LoopLagOptions {
  /** Alert when the worst lag in a sample period exceeds this (ms). */
  readonly thresholdMs?: number;
  readonly sampleMs?: number;
  readonly alertThrottleMs?: number;
  readonly onAlert: (lag: LoopLagSample) => void;
}

const RESOLUTION_MS = 10;

export class LoopLagMonitor {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #options: Required<LoopLagOptions>;
  #timer: NodeJS.Timeout | undefined;
  #last: LoopLagSample = { p50: 0, p99: 0, max: 0 };
  #lastAlertAt = -Infinity;

  constructor(options: LoopLagOptions) {
    this.#options = { thresholdMs: 200, sampleMs: 1_000, alertThrottleMs: 30_000, ...options };
  }

  start(): void {
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#sample(), this.#options.sampleMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#histogram.disable();
  }

  /** Lag of the last complete sample period, in ms (a sample is the whole timer interval: subtract it). */
  last(): LoopLagSample {
    return this.#last;
  }

  #sample(): void {
    const toLagMs = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    if (this.#histogram.count === 0) return;
    this.#last = {
      p50: toLagMs(this.#histogram.percentile(50)),
      p99: toLagMs(this.#histogram.percentile(99)),
      max: toLagMs(this.#histogram.max),
    };
    this.#histogram.reset();
    const now = Date.now();
    if (this.#last.max > this.#options.thresholdMs && now - this.#lastAlertAt >= this.#options.alertThrottleMs) {
      this.#lastAlertAt = now;
      this.#options.onAlert(this.#last);
    }
  }
}
