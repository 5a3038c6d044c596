/**
 * Numbers on a venue's wire: prices with the instrument's price scale, quantities with the lot
 * step's decimals, everything else (values, fees, PnL) as exact trimmed decimals. Strings only
 * at the edge.
 */
import { type Dec, format, formatFixed, ZERO } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";

export function decimalsOf(step: Dec): number {
  const text = format(step);
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export const priceText = (i: Instrument, price: Dec): string => formatFixed(price, decimalsOf(i.tickSize));
export const qtyText = (i: Instrument, qty: Dec): string => formatFixed(qty, decimalsOf(i.lotSize));
export const decText = (value: Dec): string => format(value);
export const absDec = (value: Dec): Dec => (value < ZERO ? (-value as Dec) : value);
