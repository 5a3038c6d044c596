/**
 * Leg prices, exact and on the tick: where a maker leg rests, and the worst price a taker leg
 * accepts. Both are derived from the touch hean sees; neither ever uses a float.
 */
import { type Dec, add, max, min, mulInt, sub } from "../../core/decimal.ts";
import type { Side, Urgency } from "../../core/events.ts";
import { type Instrument, roundPrice } from "../../core/instrument.ts";
import { exitLimitPrice } from "../exit-price.ts";
import type { BidAsk } from "../../core/bid-ask.ts";

/**
 * A buy rests at bid + offset ticks, a sell at ask − offset ticks, rounded away from the
 * opposite side. Improving never crosses: a buy stays at least one tick below the ask (a sell
 * above the bid), so with a one-tick spread it simply joins the touch. Undefined when the book
 * gives no positive price to rest at.
 */
export function makerPrice(side: Side, touch: BidAsk, offsetTicks: number, instrument: Instrument): Dec | undefined {
  const tick = instrument.tickSize;
  const shift = mulInt(tick, Math.trunc(offsetTicks));
  let price: Dec;
  if (side === "buy") {
    const own = roundPrice(instrument, touch.bid, "floor");
    price = roundPrice(instrument, add(touch.bid, shift), "floor");
    if (offsetTicks > 0) price = max(min(price, roundPrice(instrument, sub(touch.ask, tick), "floor")), own);
  } else {
    const own = roundPrice(instrument, touch.ask, "ceil");
    price = roundPrice(instrument, sub(touch.ask, shift), "ceil");
    if (offsetTicks > 0) price = min(max(price, roundPrice(instrument, add(touch.bid, tick), "ceil")), own);
  }
  return price > 0n ? price : undefined;
}

/** A buy pays at most ask × (1 + bps), a sell takes at least bid × (1 − bps), on the tick inside the bound. */
export function takerPrice(side: Side, touch: BidAsk, slippageBps: number, instrument: Instrument): Dec {
  return exitLimitPrice(side, touch, slippageBps, instrument);
}

/**
 * The highest limit any leg of an entry may carry on this touch: a buy's bounded taker price
 * (`passive` never takes, and its maker legs rest below the ask), a sell's ask (it rests at the
 * ask at most and takes at the bid or below). The pre-trade check measures notional at a leg's
 * limit, so a size whose notional limits hold at this price is not refused for them on this touch.
 */
export function highestLegPrice(side: Side, urgency: Urgency, touch: BidAsk, slippageBps: number, instrument: Instrument): Dec {
  return side === "buy" && urgency !== "passive" ? takerPrice("buy", touch, slippageBps, instrument) : touch.ask;
}
