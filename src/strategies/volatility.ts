/**
 * Exponentially weighted volatility of log returns, O(1) per update and allocation-free.
 * `halfLifeTicks` sets how fast old returns fade.
 */
export class EwVolatility {
  readonly #alpha: number;
  #last = NaN;
  #mean = 0;
  #variance = 0;
  #count = 0;

  constructor(halfLifeTicks: number) {
    this.#alpha = 1 - Math.pow(0.5, 1 / Math.max(1, halfLifeTicks));
  }

  update(price: number): void {
    if (!(price > 0)) return;
    if (!Number.isNaN(this.#last)) {
      const r = Math.log(price / this.#last);
      const delta = r - this.#mean;
      this.#mean += this.#alpha * delta;
      // West's incremental EW variance.
      this.#variance = (1 - this.#alpha) * (this.#variance + this.#alpha * delta * delta);
      this.#count++;
    }
    this.#last = price;
  }

  /** Standard deviation of one-tick log returns. */
  get stdev(): number {
    return Math.sqrt(this.#variance);
  }

  get samples(): number {
    return this.#count;
  }
}

/** Exponential moving average, O(1). */
export class Ema {
  readonly #alpha: number;
  #value = NaN;

  constructor(periods: number) {
    this.#alpha = 2 / (Math.max(1, periods) + 1);
  }

  update(x: number): number {
    this.#value = Number.isNaN(this.#value) ? x : this.#value + this.#alpha * (x - this.#value);
    return this.#value;
  }

  get value(): number {
    return this.#value;
  }
}
