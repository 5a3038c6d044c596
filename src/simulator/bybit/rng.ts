/**
 * A small seeded PRNG (mulberry32) so that ids and injected jitter repeat for the same seed.
 * Not for anything that decides a market: the market's randomness belongs to the sim engine.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A v4-shaped UUID, as Bybit uses for linear order and execution ids. */
  uuid(): string {
    const hex = (count: number): string => {
      let s = "";
      for (let i = 0; i < count; i++) s += this.int(16).toString(16);
      return s;
    };
    const variant = (8 + this.int(4)).toString(16);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }
}
