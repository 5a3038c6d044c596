/** The touch of one symbol's book: what pre-trade checks, exit pricing and the router all read. */
import type { Dec } from "./decimal.ts";

export interface BidAsk {
  readonly bid: Dec;
  readonly ask: Dec;
}
