/**
 * Public market context by venue id, for the context producer (`hean context`): funding rate,
 * open interest and mark price from each exchange's public REST. The wire of each lives in the
 * exchange's folder; this is the one door the rest of hean uses (like the registry for trading).
 */
import { BINANCE_CONTEXT_REST, fetchBinanceContext } from "./binance/market-context.ts";
import { BYBIT_CONTEXT_REST, fetchBybitContext } from "./bybit/market-context.ts";

export const CONTEXT_VENUES = ["bybit", "binance"] as const;
export type ContextVenue = (typeof CONTEXT_VENUES)[number];

export interface MarketContextSource {
  /** The venue's public REST root when none is given. */
  readonly defaultRestUrl: string;
  /** Whatever fields the venue answered with, as numbers; rejects when it answered nothing usable. */
  fetch(restUrl: string, symbol: string, timeoutMs: number): Promise<Record<string, number>>;
}

export function marketContextSource(venue: ContextVenue): MarketContextSource {
  return venue === "bybit" ? { defaultRestUrl: BYBIT_CONTEXT_REST, fetch: fetchBybitContext } : { defaultRestUrl: BINANCE_CONTEXT_REST, fetch: fetchBinanceContext };
}
