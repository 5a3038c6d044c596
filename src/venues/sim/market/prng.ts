/**
 * A small seeded PRNG (mulberry32) for the simulated venue.
 *
 * Only integer and IEEE arithmetic (no Math.exp/log/cos), so a seed gives the same stream on
 * every machine and Node version. Streams are forked by label, so adding draws to one purpose
 * (say, book sizes) never shifts another (the price path).
 */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * Approximately standard normal: the Irwin–Hall sum of four uniforms, rescaled to unit variance.
   * Tails stop at ±3.46, which a synthetic market is happy with.
   */
  normal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508075688772;
  }

  /** An independent stream for `label`, derived from this one's seed (not its position). */
  static fork(seed: number, label: string): Prng {
    return new Prng(mixSeed(seed, label));
  }
}

/** FNV-1a over the label, folded with the seed, then a murmur3 finaliser for avalanche. */
export function mixSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
