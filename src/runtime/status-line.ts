/**
 * The live status line of `hean run`, as a pure function of what it shows: money rounded to the
 * quote currency's precision, quantities to each instrument's lot step. A terminal line that
 * reads `equity 9999.873421700000000001` is noise, and one that rounds BTC quantities to two
 * places hides a position.
 */
import { type Dec, formatFixed } from "../core/decimal.ts";
import type { Instrument } from "../core/instrument.ts";

/** Stable quote currencies are counted in cents. */
const CENT_QUOTES = new Set(["USDT", "USDC", "USD", "BUSD", "FDUSD", "DAI"]);

/** Decimal places of a step: 0.001 → 3, 1 → 0, 0.5 → 1. */
export function placesOf(step: Dec): number {
  if (step <= 0n) return 8;
  const text = formatFixed(step, 18).replace(/0+$/, "");
  const dot = text.indexOf(".");
  return dot === -1 || dot === text.length - 1 ? 0 : text.length - dot - 1;
}

/** Places for money in `quote`: cents for stablecoins, otherwise the price tick's places (at least 2). */
export function moneyPlaces(instrument: Instrument | undefined): number {
  if (instrument === undefined || CENT_QUOTES.has(instrument.quoteAsset)) return 2;
  return Math.max(2, placesOf(instrument.tickSize));
}

export const formatMoney = (value: Dec, places: number): string => formatFixed(value, places);

export interface StatusLineInput {
  readonly mode: string;
  readonly venue: string;
  readonly uptimeSeconds: number;
  readonly equity: Dec;
  readonly pnl: Dec;
  readonly positions: readonly { readonly symbol: string; readonly qty: Dec; readonly instrument: Instrument | undefined }[];
  readonly orders: number;
  readonly fills: number;
  readonly riskState: string;
  readonly tradingState: string;
  readonly lagP99Ms: number;
}

export function statusLine(s: StatusLineInput): string {
  const places = moneyPlaces(s.positions[0]?.instrument);
  const positions = s.positions.map((p) => `${p.symbol} ${p.instrument === undefined ? formatFixed(p.qty, 8).replace(/\.?0+$/, "") : formatFixed(p.qty, placesOf(p.instrument.lotSize))}`).join(" ");
  const pnl = s.pnl > 0n ? `+${formatMoney(s.pnl, places)}` : formatMoney(s.pnl, places);
  return (
    `hean ${s.mode}/${s.venue} ${s.uptimeSeconds}s | equity ${formatMoney(s.equity, places)} (P&L ${pnl}) | ` +
    `pos ${positions} | orders ${s.orders} fills ${s.fills} | ${s.riskState}/${s.tradingState} | lag p99 ${s.lagP99Ms.toFixed(1)}ms`
  );
}
