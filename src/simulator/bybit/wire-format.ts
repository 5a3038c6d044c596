/**
 * Numbers on Bybit's wire: the shared price/quantity/decimal texts, plus the few forms only
 * Bybit prints. Strings only here, at the edge.
 */
import { type Dec, formatFixed } from "../../core/decimal.ts";
import type { BybitSide } from "./model.ts";

export { absDec, decimalsOf, decText, priceText, qtyText } from "../shared/number-text.ts";

/** Rates and ratios Bybit prints with a fixed number of places. */
export const fixedText = (value: Dec, places: number): string => formatFixed(value, places);
export const msText = (ms: number): string => String(ms);
export const opposite = (side: BybitSide): BybitSide => (side === "Buy" ? "Sell" : "Buy");
