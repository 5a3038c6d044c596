/**
 * Bybit's venue-side checks on a new order, in the order Bybit applies them, over the account's
 * current state: duplicate orderLinkId (110072), open-order cap (110020), price band (110003),
 * reduce-only (110017), minimum notional (110094) and available balance (110007).
 * Pure functions: the caller gathers the state and books the order only when these pass.
 */
import { abs, add, div, mul, sub, ZERO, type Dec, dec, max, min } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import { RET } from "./codes.ts";
import { fail, type Reply } from "./envelope.ts";
import type { BybitSide, PositionView, WalletView } from "./model.ts";
import { availableBalance } from "./wire-account.ts";

export const MAX_OPEN_ORDERS_PER_SYMBOL = 500;
/** A limit buy may not be priced above mark × (1 + band), a sell not below mark × (1 − band). */
export const PRICE_BAND = dec("0.1");

export interface NewOrderFacts {
  readonly instrument: Instrument;
  readonly side: BybitSide;
  readonly qty: Dec;
  /** Limit price, or for a market order the price it would take at first (the opposite touch). */
  readonly price: Dec;
  readonly isLimit: boolean;
  readonly reduceOnly: boolean;
  /** True when the account already has an order (open or closed) with this orderLinkId. */
  readonly orderLinkIdTaken: boolean;
  /** The account's open orders on this symbol. */
  readonly openOnSymbol: number;
  readonly markPrice: Dec;
  readonly leverage: Dec;
  readonly position: PositionView;
  readonly wallet: WalletView;
}

/** The checked outcome: the quantity to book (reduce-only orders are cut to the position) or a refusal. */
export type RuleVerdict = { readonly ok: true; readonly qty: Dec } | { readonly ok: false; readonly reply: Reply };

const refuse = (reply: Reply): RuleVerdict => ({ ok: false, reply });
const signedQty = (side: BybitSide, qty: Dec): Dec => (side === "Buy" ? qty : (-qty as Dec));

export function checkNewOrder(f: NewOrderFacts): RuleVerdict {
  if (f.orderLinkIdTaken) return refuse(fail(RET.DUPLICATE_LINK_ID));
  if (f.openOnSymbol >= MAX_OPEN_ORDERS_PER_SYMBOL) return refuse(fail(RET.TOO_MANY_ORDERS));
  if (f.isLimit && f.markPrice > ZERO) {
    const ceiling = mul(f.markPrice, add(dec("1"), PRICE_BAND));
    const floor = mul(f.markPrice, sub(dec("1"), PRICE_BAND));
    if ((f.side === "Buy" && f.price > ceiling) || (f.side === "Sell" && f.price < floor)) return refuse(fail(RET.PRICE_RANGE));
  }
  let qty = f.qty;
  if (f.reduceOnly) {
    const pos = f.position.size;
    const reduces = (pos > ZERO && f.side === "Sell") || (pos < ZERO && f.side === "Buy");
    if (!reduces) return refuse(fail(RET.REDUCE_ONLY));
    qty = min(qty, abs(pos));
  } else if (mul(qty, f.price) < f.instrument.minNotional) {
    return refuse(fail(RET.NOTIONAL_TOO_LOW));
  }
  if (!f.reduceOnly) {
    // Margin is needed only for the part that opens or adds to a position, plus the taker fee.
    const after = add(f.position.size, signedQty(f.side, qty));
    const growth = max(ZERO, sub(abs(after), abs(f.position.size)));
    const cost = add(div(mul(growth, f.price), f.leverage), mul(mul(qty, f.price), f.instrument.takerFee));
    if (growth > ZERO && cost > availableBalance(f.wallet)) return refuse(fail(RET.AVAILABLE_INSUFFICIENT));
  }
  return { ok: true, qty };
}
