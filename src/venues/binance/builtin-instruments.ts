/**
 * Binance USD-M's rules for hean's built-in symbols, for where the venue's listing is not at hand
 * (a backtest of Binance files, the protocol simulator). Live and paper trading read the listing
 * (`GET /fapi/v1/exchangeInfo`) instead. Binance lists BTCUSDT with Bybit's tick and lot, and
 * ETHUSDT with a lot of 0.001 where Bybit's is 0.01; its base-tier fees are maker 0.02 % and taker
 * 0.05 %.
 */
import { dec } from "../../core/decimal.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../../core/instrument.ts";

/** Where Binance's lot (and minimum quantity) differs from the built-in (Bybit's) one. */
const LOTS: Readonly<Record<string, string>> = { ETHUSDT: "0.001" };

export const BINANCE_BUILTIN_INSTRUMENTS: readonly Instrument[] = BUILTIN_INSTRUMENTS.map((i) => {
  const lot = LOTS[i.symbol];
  const fees = { makerFee: dec("0.0002"), takerFee: dec("0.0005") };
  return lot === undefined ? { ...i, ...fees } : { ...i, lotSize: dec(lot), minQty: dec(lot), ...fees };
});
