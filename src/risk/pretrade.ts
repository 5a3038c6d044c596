/**
 * Pre-trade checks: the last gate before an order becomes a journaled intent. Pure: the caller
 * hands in every fact as a plain value and gets back either the order, rounded to the
 * instrument, or one denial with the numbers behind it.
 *
 * Checks run in a fixed order and the first failure wins: trading-state gate, reduce-only
 * sanity, instrument (unknown symbol, rounding, min qty/notional), market data (present, and no
 * older than `staleDataMs` by the engine's clock: nothing adds exposure on silent data), price band,
 * order notional, position notional, gross exposure, leverage, open orders, order rate.
 *
 * A reduce-only exit (reduceOnly set, purpose exit / kill-switch / force-close / operator) is
 * what flattens the account when everything else is wrong, so once it is known to reduce it
 * passes every gate after the instrument rules: it is never halted, throttled, capped by an
 * exposure limit, or denied for missing, stale or far-away market data.
 *
 * Exposure is judged at the worst case: every working order on the same side fills too, so two
 * orders in flight cannot together breach a limit. An order that can only bring the position
 * towards zero (even if all working orders on its side fill) is not held to exposure limits.
 */
import { type Dec, ZERO, abs, add, div, format, fromNumber, max, mul, mulInt, roundToStep, sub, dec } from "../core/decimal.ts";
import type { DenialCode, OrderDeniedEvent, OrderPurpose, OrderType, Side } from "../core/events.ts";
import { type Instrument, checkOrderRules, roundPrice, roundQty } from "../core/instrument.ts";
import type { BidAsk } from "../core/bid-ask.ts";
import type { RiskConfig } from "./config.ts";
import { countInWindow } from "./sliding-window.ts";
import { silentFor } from "./stale-data.ts";

export interface CandidateOrder {
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly qty: Dec;
  /** Limit price; required for limit orders. */
  readonly price?: Dec | undefined;
  readonly reduceOnly: boolean;
  readonly purpose: OrderPurpose;
}

export type TradingState = "active" | "reduce-only" | "halted";

export interface PreTradeContext {
  readonly tradingState: TradingState;
  readonly instrument: Instrument | undefined;
  readonly mark: BidAsk | undefined;
  /** When the symbol's market data (the mark) was last heard, engine clock ms; undefined: never. */
  readonly marketDataAt: number | undefined;
  /** Signed current position on the symbol. */
  readonly positionQty: Dec;
  /** Remaining (unfilled) quantity of working buy orders on the symbol, ≥ 0. */
  readonly pendingBuyQty: Dec;
  /** Remaining quantity of working sell orders on the symbol, ≥ 0. */
  readonly pendingSellQty: Dec;
  /** Σ |position| notional at the conservative mark + Σ working orders' notional, all symbols. */
  readonly grossExposure: Dec;
  readonly equity: Dec;
  /** Working orders across the account. */
  readonly openOrders: number;
  /** Times (ms) orders were accepted by this check recently; see `recordInWindow`. */
  readonly recentOrderTimes: readonly number[];
  readonly now: number;
}

export interface Denial {
  readonly code: DenialCode;
  readonly message: string;
  readonly values: Record<string, string>;
}

export type PreTradeResult =
  | { readonly ok: true; readonly order: CandidateOrder }
  | { readonly ok: false; readonly denial: Denial };

const EXIT_PURPOSES: ReadonlySet<OrderPurpose> = new Set(["exit", "kill-switch", "force-close", "operator"]);

/** A reduce-only order placed to get out: always allowed to try, in any state. */
export const isReduceOnlyExit = (o: CandidateOrder): boolean => o.reduceOnly && EXIT_PURPOSES.has(o.purpose);

const signedQty = (side: Side, qty: Dec): Dec => (side === "buy" ? qty : (-qty as Dec));

/** Can this order only move the position towards zero, even if every working order on its side fills? */
export function onlyReduces(side: Side, qty: Dec, ctx: Pick<PreTradeContext, "positionQty" | "pendingBuyQty" | "pendingSellQty">): boolean {
  const pos = ctx.positionQty;
  if (side === "sell") return pos > 0n && add(ctx.pendingSellQty, qty) <= pos;
  return pos < 0n && add(ctx.pendingBuyQty, qty) <= -pos;
}

function deny(code: DenialCode, message: string, values: Record<string, string>): PreTradeResult {
  return { ok: false, denial: { code, message, values } };
}

const PCT_STEP = dec("0.0001");
const pctOf = (part: Dec, whole: Dec): string =>
  whole === 0n ? "∞" : format(roundToStep(div(mulInt(part, 100), whole), PCT_STEP, "half-even"));

function validMark(m: BidAsk | undefined): m is BidAsk {
  return m !== undefined && m.bid > 0n && m.ask > 0n && m.bid <= m.ask;
}

export function checkPreTrade(order: CandidateOrder, ctx: PreTradeContext, config: RiskConfig): PreTradeResult {
  const exit = isReduceOnlyExit(order);
  const side = order.side;

  // 1. trading-state gate
  if (ctx.tradingState === "halted" && !exit) {
    return deny("TRADING_HALTED", "trading is halted: only reduce-only exits are allowed", {
      tradingState: ctx.tradingState,
      purpose: order.purpose,
      reduceOnly: String(order.reduceOnly),
    });
  }
  if (ctx.tradingState === "reduce-only" && !exit && !onlyReduces(side, order.qty, ctx)) {
    return deny("TRADING_REDUCE_ONLY", "trading is reduce-only: this order could increase the position", {
      tradingState: ctx.tradingState,
      positionQty: format(ctx.positionQty),
      pendingSameSideQty: format(side === "buy" ? ctx.pendingBuyQty : ctx.pendingSellQty),
      orderQty: format(signedQty(side, order.qty)),
    });
  }

  // 2. a reduce-only order must oppose the position; the venue caps it at the position, so do we
  let qty = order.qty;
  if (order.reduceOnly) {
    const pos = ctx.positionQty;
    const opposes = side === "sell" ? pos > 0n : pos < 0n;
    if (!opposes) {
      return deny("REDUCE_ONLY_WOULD_INCREASE", `reduce-only ${side} with position ${format(pos)} would open or increase it`, {
        positionQty: format(pos),
        side,
        orderQty: format(order.qty),
      });
    }
    if (qty > abs(pos)) qty = abs(pos);
  }

  // 3. instrument rules
  const instrument = ctx.instrument;
  if (instrument === undefined) {
    return deny("UNKNOWN_SYMBOL", `unknown symbol ${JSON.stringify(order.symbol)}`, { symbol: order.symbol });
  }
  if (qty <= 0n || roundQty(instrument, qty) <= 0n) {
    return deny("SIZE_ZERO", "quantity is zero after rounding to the lot", {
      qty: format(order.qty),
      roundedQty: qty <= 0n ? format(qty) : format(roundQty(instrument, qty)),
      lotSize: format(instrument.lotSize),
    });
  }
  qty = roundQty(instrument, qty);
  if (order.orderType === "limit" && order.price === undefined) {
    return deny("INSTRUMENT_RULES", "a limit order needs a price", { rule: "PRICE_MISSING" });
  }
  // Round passive-side: a buy never rounds up, a sell never rounds down (never more aggressive than asked).
  const price = order.price === undefined ? undefined : roundPrice(instrument, order.price, side === "buy" ? "floor" : "ceil");
  const mark = validMark(ctx.mark) ? ctx.mark : undefined;
  const touch = mark === undefined ? undefined : side === "buy" ? mark.ask : mark.bid;
  const violation = checkOrderRules(instrument, qty, price, touch, order.reduceOnly);
  if (violation !== undefined) {
    const { rule, ...rest } = violation;
    return deny("INSTRUMENT_RULES", `order breaks instrument rule ${rule}`, { rule, ...(rest as Record<string, string>) });
  }
  const rounded: CandidateOrder = { ...order, qty, ...(price === undefined ? {} : { price }) };
  if (exit) return { ok: true, order: rounded };

  // 4. market data
  if (mark === undefined || touch === undefined) {
    return deny("NO_MARKET_DATA", `no usable bid/ask for ${order.symbol}`, {
      bid: ctx.mark === undefined ? "none" : format(ctx.mark.bid),
      ask: ctx.mark === undefined ? "none" : format(ctx.mark.ask),
    });
  }

  const silentMs = silentFor(ctx.marketDataAt, ctx.now);
  if (silentMs > config.staleDataMs) {
    return deny("STALE_MARKET_DATA", `market data for ${order.symbol} is ${silentMs} ms old (limit ${config.staleDataMs} ms): no new exposure on stale data`, {
      symbol: order.symbol,
      silentMs: String(silentMs),
      limitMs: String(config.staleDataMs),
    });
  }

  // 5. price band (fat finger)
  if (price !== undefined) {
    const mid = ((mark.bid + mark.ask) / 2n) as Dec;
    const deviation = abs(sub(price, mid));
    const band = mul(mid, fromNumber(config.priceBandPct / 100));
    if (deviation > band) {
      return deny("PRICE_BAND", `limit price ${format(price)} is more than ${config.priceBandPct}% from mid ${format(mid)}`, {
        price: format(price),
        mid: format(mid),
        deviationPct: pctOf(deviation, mid),
        limitPct: String(config.priceBandPct),
      });
    }
  }

  // 6. order notional, at the limit price or, for a market order, the touch it would take
  const px = price ?? touch;
  const notional = mul(qty, px);
  if (notional > config.maxOrderNotional) {
    return deny("MAX_ORDER_NOTIONAL", `order notional ${format(notional)} exceeds ${format(config.maxOrderNotional)}`, {
      notional: format(notional),
      limit: format(config.maxOrderNotional),
    });
  }

  if (!onlyReduces(side, qty, ctx)) {
    // 7. position notional per symbol, worst case after this and every same-side working order fill
    const pendingSame = side === "buy" ? ctx.pendingBuyQty : ctx.pendingSellQty;
    const after = side === "buy" ? add(add(ctx.positionQty, pendingSame), qty) : sub(sub(ctx.positionQty, pendingSame), qty);
    const afterAbs = max(ZERO, side === "buy" ? after : (-after as Dec));
    const positionAfter = mul(afterAbs, px);
    if (positionAfter > config.maxPositionNotional) {
      return deny("MAX_POSITION_NOTIONAL", `position notional after the order ${format(positionAfter)} exceeds ${format(config.maxPositionNotional)}`, {
        positionQty: format(ctx.positionQty),
        pendingSameSideQty: format(pendingSame),
        orderQty: format(qty),
        price: format(px),
        notionalAfter: format(positionAfter),
        limit: format(config.maxPositionNotional),
      });
    }

    // 8. gross exposure; a flip counts its whole notional (conservative)
    const grossAfter = add(ctx.grossExposure, notional);
    if (grossAfter > config.maxGrossExposure) {
      return deny("MAX_GROSS_EXPOSURE", `gross exposure after the order ${format(grossAfter)} exceeds ${format(config.maxGrossExposure)}`, {
        grossExposure: format(ctx.grossExposure),
        orderNotional: format(notional),
        grossAfter: format(grossAfter),
        limit: format(config.maxGrossExposure),
      });
    }

    // 9. leverage: exactly as configured, against equity now
    const leverageLimit = ctx.equity > 0n ? mul(ctx.equity, fromNumber(config.maxLeverage)) : ZERO;
    if (grossAfter > leverageLimit) {
      return deny("MAX_LEVERAGE", `gross exposure after the order ${format(grossAfter)} exceeds equity × ${config.maxLeverage} = ${format(leverageLimit)}`, {
        grossAfter: format(grossAfter),
        equity: format(ctx.equity),
        maxLeverage: String(config.maxLeverage),
        limit: format(leverageLimit),
      });
    }
  }

  // 10. open orders
  if (ctx.openOrders >= config.maxOpenOrders) {
    return deny("MAX_OPEN_ORDERS", `${ctx.openOrders} orders already working (limit ${config.maxOpenOrders})`, {
      openOrders: String(ctx.openOrders),
      limit: String(config.maxOpenOrders),
    });
  }

  // 11. order rate
  const recent = countInWindow(ctx.recentOrderTimes, ctx.now, config.orderRate.perMs);
  if (recent >= config.orderRate.maxOrders) {
    return deny("ORDER_RATE", `${recent} orders in the last ${config.orderRate.perMs} ms (limit ${config.orderRate.maxOrders})`, {
      ordersInWindow: String(recent),
      limit: String(config.orderRate.maxOrders),
      windowMs: String(config.orderRate.perMs),
    });
  }

  return { ok: true, order: rounded };
}

/** The journaled event for a denial. */
export function deniedEvent(order: CandidateOrder, denial: Denial, ts: number): OrderDeniedEvent {
  return {
    type: "order.denied",
    ts,
    strategyId: order.strategyId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    code: denial.code,
    message: denial.message,
    values: denial.values,
  };
}
