/**
 * The limit price of a marketable exit with bounded slippage (kill switch, force-close): it
 * crosses the spread to take liquidity now, but never trades worse than `slippageBps` beyond
 * the touch it sees.
 */
import { type Dec, ONE, add, fromNumber, mul, sub } from "../core/decimal.ts";
import type { Side } from "../core/events.ts";
import { type Instrument, roundPrice } from "../core/instrument.ts";
import type { BidAsk } from "../core/bid-ask.ts";

/**
 * A buy pays at most ask × (1 + bps/10 000), a sell takes at least bid × (1 − bps/10 000); the
 * price rounds to the tick inside that bound (a buy down, a sell up), and never below one tick.
 */
export function exitLimitPrice(side: Side, mark: BidAsk, slippageBps: number, instrument: Instrument): Dec {
  const f = fromNumber(Math.max(0, slippageBps) / 10_000);
  if (side === "buy") return roundPrice(instrument, mul(mark.ask, add(ONE, f)), "floor");
  const raw = roundPrice(instrument, mul(mark.bid, sub(ONE, f)), "ceil");
  return raw > 0n ? raw : instrument.tickSize;
}
