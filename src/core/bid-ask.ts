/** The touch of one symbol's book: what pre-trade checks, exit pricing and the router all read. */
import { type Dec, add, dec, div } from "./decimal.ts";

export interface BidAsk {
  readonly bid: Dec;
  readonly ask: Dec;
}

const TWO = dec("2");

/** The touch's mid price, exact to 18 decimals (half-even, as every `div`). */
export const midPrice = (b: BidAsk): Dec => div(add(b.bid, b.ask), TWO);
