/**
 * The simulator's seeded randomness (ids, injected jitter): the sim venue's PRNG, plus the
 * UUID-shaped ids (Bybit's order and execution ids, connection ids). Not for anything that decides a
 * market: the market's randomness belongs to the sim engine.
 */
import { Prng } from "../../venues/sim/market/prng.ts";

export class SeededRandom extends Prng {
  /** A v4-shaped UUID. */
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
