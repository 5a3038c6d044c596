/**
 * The limit price of a marketable exit with bounded slippage (kill switch, force-close): it
 * crosses the spread to take liquidity now, but never trades worse than `slippageBps` beyond
 * the touch it sees, nor beyond the venue's price band (`Instrument.priceBand`): a close priced
 * outside it is refused by the venue, every time it is tried (Binance's -4016 / -4024, with a
 * `risk.killSwitchSlippageBps` wider than a symbol's PERCENT_PRICE band: the kill switch never
 * closed).
 */
import { type Dec, ONE, add, fromNumber, max, min, mul, sub } from "../core/decimal.ts";
import type { Side } from "../core/events.ts";
import { type Instrument, roundPrice } from "../core/instrument.ts";
import type { BidAsk } from "../core/bid-ask.ts";

/**
 * A buy pays at most ask × (1 + bps/10 000), a sell takes at least bid × (1 − bps/10 000); the
 * price rounds to the tick inside that bound (a buy down, a sell up), and never below one tick.
 * Within the venue's band too, taken around the book's mid: hean sees the book, not the venue's
 * mark, and the two are one price but in a dislocation (where the venue's refusal is retried on
 * the next book, as any refused close).
 */
export function exitLimitPrice(side: Side, mark: BidAsk, slippageBps: number, instrument: Instrument): Dec {
  const f = fromNumber(Math.max(0, slippageBps) / 10_000);
  const band = instrument.priceBand;
  const mid = ((mark.bid + mark.ask) / 2n) as Dec;
  if (side === "buy") {
    const price = roundPrice(instrument, mul(mark.ask, add(ONE, f)), "floor");
    return band === undefined ? price : min(price, roundPrice(instrument, mul(mid, band.up), "floor"));
  }
  const price = roundPrice(instrument, mul(mark.bid, sub(ONE, f)), "ceil");
  const inBand = band === undefined ? price : max(price, roundPrice(instrument, mul(mid, band.down), "ceil"));
  return inBand > 0n ? inBand : instrument.tickSize;
}
