/**
 * A fee the venue charged in another asset than the settlement currency (Binance with BNB fee
 * deduction switched on while hean runs: the start refuses it, the account can change under
 * us). hean has no price for that asset, so the fill is booked with the fee its instrument's rate
 * gives, and the venue takes no new exposure until an operator has switched it back and
 * restarted: fees and P&L are estimates from here on.
 */
import { type Dec, ZERO, mul } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { FillReport } from "../venue.ts";

/** The fee in the settlement currency at the instrument's maker or taker rate (zero when the instrument is unknown). */
export function estimatedFee(report: FillReport, instrument: Instrument | undefined): Dec {
  if (instrument === undefined) return ZERO;
  const rate = report.liquidity === "maker" ? instrument.makerFee : instrument.takerFee;
  return mul(mul(report.price, report.qty), rate);
}

/** Why new exposure waits once a fee arrived in another asset. */
export function foreignFeeBlock(venue: string, first: { readonly asset: string; readonly fillId: string }): string {
  return `${venue} charged fill ${first.fillId}'s fee in ${first.asset}, not the settlement currency (BNB fee deduction turned on?): fees and P&L are estimates from then on; turn it off and restart`;
}
