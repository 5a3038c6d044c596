/**
 * Request validation: pure checks that turn anything a protocol layer might hand over (wrong
 * types included, as parsed from JSON) into either clean terms or a Rejection. Never throws.
 */
import { type Dec, format } from "../../../core/decimal.ts";
import type { Side } from "../../../core/events.ts";
import { type Instrument, checkOrderRules } from "../../../core/instrument.ts";
import type { PlaceOrderRequest, RejectCode, Rejection, RestoreOrderInput, SimOrderType, SimTimeInForce } from "./types.ts";
import { showValue } from "../show-value.ts";

export const MAX_CLIENT_ORDER_ID_LENGTH = 64;

const SIDES: readonly string[] = ["buy", "sell"];
const TYPES: readonly string[] = ["limit", "market"];
const TIFS: readonly string[] = ["GTC", "IOC", "FOK", "POST_ONLY"];

export function rejection(code: RejectCode, message: string, details: Record<string, string> = {}): Rejection {
  return Object.freeze({ code, message, details: Object.freeze(details) });
}

export interface PlaceTerms {
  readonly instrument: Instrument;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce;
  readonly qty: Dec;
  readonly price: Dec | undefined;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string | undefined;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: Rejection };

const fail = <T>(code: RejectCode, message: string, details: Record<string, string> = {}): Checked<T> => ({
  ok: false,
  rejection: rejection(code, message, details),
});

/**
 * Everything that does not depend on engine state except the instrument and, for a market
 * order's minimum notional, `refPrice` (the opposite touch).
 */
export function checkPlace(
  req: PlaceOrderRequest,
  findInstrument: (symbol: string) => Instrument | undefined,
  refPrice: (instrument: Instrument, side: Side) => Dec | undefined,
): Checked<PlaceTerms> {
  if (typeof req !== "object" || req === null) return fail("INVALID_REQUEST", "the request is not an object");
  const instrument = typeof req.symbol === "string" ? findInstrument(req.symbol) : undefined;
  if (instrument === undefined) return fail("UNKNOWN_SYMBOL", `unknown symbol ${showValue(req.symbol)}`);
  if (!SIDES.includes(req.side)) return fail("INVALID_SIDE", `side must be buy or sell, got ${showValue(req.side)}`);
  if (!TYPES.includes(req.type)) {
    return fail("INVALID_ORDER_TYPE", `order type must be limit or market, got ${showValue(req.type)}`);
  }
  if (!TIFS.includes(req.timeInForce)) {
    return fail("INVALID_TIME_IN_FORCE", `time in force must be GTC, IOC, FOK or POST_ONLY, got ${showValue(req.timeInForce)}`);
  }
  if (req.type === "market" && req.timeInForce === "POST_ONLY") {
    return fail("MARKET_POST_ONLY", "a market order cannot be post-only");
  }
  if (req.reduceOnly !== undefined && typeof req.reduceOnly !== "boolean") {
    return fail("INVALID_REQUEST", "reduceOnly must be a boolean");
  }
  const cid = checkClientOrderId(req.clientOrderId);
  if (cid !== undefined) return { ok: false, rejection: cid };
  if (typeof req.qty !== "bigint") return fail("INVALID_REQUEST", "qty must be a decimal", { qty: showValue(req.qty) });
  let price: Dec | undefined;
  if (req.type === "limit") {
    if (req.price === undefined) return fail("PRICE_REQUIRED", "a limit order needs a price");
    if (typeof req.price !== "bigint") return fail("INVALID_REQUEST", "price must be a decimal", { price: showValue(req.price) });
    price = req.price;
  }
  const reduceOnly = req.reduceOnly ?? false;
  const ref = price === undefined ? refPrice(instrument, req.side) : undefined;
  const violation = checkOrderRules(instrument, req.qty, price, ref, reduceOnly);
  if (violation !== undefined) {
    const { rule, ...numbers } = violation;
    return fail(rule, describeRule(rule), numbers as Record<string, string>);
  }
  return {
    ok: true,
    value: {
      instrument,
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      qty: req.qty,
      price,
      reduceOnly,
      clientOrderId: req.clientOrderId,
    },
  };
}

export function checkClientOrderId(value: unknown): Rejection | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_CLIENT_ORDER_ID_LENGTH) {
    return rejection(
      "INVALID_CLIENT_ORDER_ID",
      `a client order id must be a string of 1 to ${MAX_CLIENT_ORDER_ID_LENGTH} characters`,
      { clientOrderId: showValue(value) },
    );
  }
  return undefined;
}

/** A new quantity or price for an open order, against the instrument's rules. */
export function checkAmendTerms(instrument: Instrument, qty: unknown, price: unknown, currentPrice: Dec | undefined, reduceOnly: boolean): Rejection | undefined {
  if (qty === undefined && price === undefined) return rejection("AMEND_NOTHING", "an amend needs a new qty or price");
  if (qty !== undefined && typeof qty !== "bigint") return rejection("INVALID_REQUEST", "qty must be a decimal", { qty: showValue(qty) });
  if (price !== undefined && typeof price !== "bigint") {
    return rejection("INVALID_REQUEST", "price must be a decimal", { price: showValue(price) });
  }
  if (qty === undefined) {
    // Only the price changes: check it alone (the order's qty already passed the rules).
    const p = price as Dec;
    if (p <= 0n) return rejection("PRICE_NOT_POSITIVE", describeRule("PRICE_NOT_POSITIVE"), { price: format(p) });
    if (p % instrument.tickSize !== 0n) {
      return rejection("PRICE_NOT_TICK_MULTIPLE", describeRule("PRICE_NOT_TICK_MULTIPLE"), {
        price: format(p),
        tickSize: format(instrument.tickSize),
      });
    }
    return undefined;
  }
  const violation = checkOrderRules(instrument, qty as Dec, (price as Dec | undefined) ?? currentPrice, undefined, reduceOnly);
  if (violation === undefined) return undefined;
  const { rule, ...numbers } = violation;
  return rejection(rule, describeRule(rule), numbers as Record<string, string>);
}

function describeRule(rule: RejectCode): string {
  switch (rule) {
    case "QTY_NOT_POSITIVE":
      return "qty must be positive";
    case "QTY_NOT_LOT_MULTIPLE":
      return "qty is not a multiple of the lot size";
    case "QTY_BELOW_MIN":
      return "qty is below the minimum order qty";
    case "QTY_ABOVE_MAX":
      return "qty is above the maximum order qty";
    case "PRICE_NOT_POSITIVE":
      return "price must be positive";
    case "PRICE_NOT_TICK_MULTIPLE":
      return "price is not a multiple of the tick size";
    case "NOTIONAL_BELOW_MIN":
      return "order value is below the minimum notional";
    default:
      return rule;
  }
}

/** The shape of a restored order: a resting limit order with part of it possibly filled. */
export function checkRestore(input: RestoreOrderInput, instrument: Instrument): Rejection | undefined {
  const badCid = checkClientOrderId(input.clientOrderId);
  if (badCid !== undefined) return badCid;
  const tif = input.timeInForce ?? "GTC";
  if (tif !== "GTC" && tif !== "POST_ONLY") return rejection("INVALID_TIME_IN_FORCE", "only GTC and POST_ONLY orders rest");
  if (typeof input.reduceOnly !== "boolean") return rejection("INVALID_REQUEST", "reduceOnly must be a boolean");
  // The order already exists at the venue: check its shape, not its notional (hence reduceOnly: true).
  const checked = checkPlace(
    { account: input.account, symbol: input.symbol, side: input.side, type: "limit", qty: input.qty, price: input.price, timeInForce: tif, reduceOnly: true },
    () => instrument,
    () => undefined,
  );
  if (!checked.ok) return checked.rejection;
  const filled: unknown = input.filledQty;
  if (typeof filled !== "bigint" || filled < 0n || filled >= input.qty || filled % instrument.lotSize !== 0n) {
    return rejection("INVALID_REQUEST", "filledQty must be a lot multiple in [0, qty)", { filledQty: showValue(filled) });
  }
  return undefined;
}
