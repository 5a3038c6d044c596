/**
 * A kline replayed as trades, for a symbol whose only data is klines (the data most people have).
 * The bar becomes its open, the extreme nearer the open, the other extreme and its close, as
 * NautilusTrader replays bars; each prints an equal share of the bar's volume. All four come at
 * the bar's close time, when the bar is known: a strategy never sees a price before it happened,
 * and an order it sends on them reaches the matching engine after the latency, in a later bar.
 *
 * A bar cannot say the order its prices came in, where the touch stood, or how much traded at
 * each price: fills on bar data are an approximation, and the backtest's notes say so. With trade
 * or book data for the symbol the klines add nothing and are not replayed.
 */
import { type Dec, div, dec } from "../../core/decimal.ts";
import type { Side } from "../../core/events.ts";
import type { KlineRecord, TradeRecord } from "../data/records.ts";

const FOUR = dec("4");

export function barTrades(bar: KlineRecord, previousClose: Dec | undefined): TradeRecord[] {
  if (bar.volume <= 0n) return [];
  const highFirst = bar.high - bar.open <= bar.open - bar.low;
  const path = [bar.open, highFirst ? bar.high : bar.low, highFirst ? bar.low : bar.high, bar.close];
  // The bar's own direction for a print at an unchanged price.
  const drift: Side = bar.close >= bar.open ? "buy" : "sell";
  const qty = div(bar.volume, FOUR);
  let last = previousClose;
  return path.map((price, i) => {
    // Up is a buyer lifting the ask, down a seller hitting the bid.
    const takerSide: Side = last === undefined || price === last ? drift : price > last ? "buy" : "sell";
    last = price;
    return { kind: "trade", ts: bar.ts, symbol: bar.symbol, price, qty, takerSide, id: `bar-${bar.openTime}-${i}` };
  });
}
