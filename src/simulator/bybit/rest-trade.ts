/**
 * Private trading REST: `/v5/order/create`, `amend`, `cancel`, `cancel-all`, `realtime`,
 * `history` and `/v5/execution/list`. Parameters are checked the way Bybit words its refusals;
 * venue rules come from order-rules.ts; the order itself is booked by the exchange port.
 */
import { isMultipleOf, ZERO, type Dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import { RET } from "./codes.ts";
import { fail, ok, type Reply } from "./envelope.ts";
import type { ExchangePort, OrderRef } from "./exchange-port.ts";
import type { BybitOrderType, BybitSide, BybitTimeInForce, OrderView } from "./model.ts";
import { checkNewOrder } from "./order-rules.ts";
import { category } from "./rest-market.ts";
import { boolParam, decParam, intParam, isReply, paginate, paramError, type Params } from "./rest-params.ts";
import { isOpenOrder, restExecution, restOrder, restOrderHistory } from "./wire-orders.ts";

const ORDER_LINK_ID = /^[A-Za-z0-9_-]{1,36}$/;
const TIME_IN_FORCE = new Set<BybitTimeInForce>(["GTC", "IOC", "FOK", "PostOnly"]);
const NOT_SIMULATED = ["triggerPrice", "takeProfit", "stopLoss", "tpslMode", "tpLimitPrice", "slLimitPrice", "bboSideType", "bboLevel"];
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

function linearInstrument(port: ExchangePort, params: Params): Instrument | Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return fail(RET.PARAM, "params error: only category=linear is simulated");
  const symbol = params.str("symbol");
  if (symbol === undefined) return paramError("symbol is required");
  return port.instrument(symbol) ?? fail(RET.PARAM, "params error: symbol invalid");
}

function orderRef(params: Params): OrderRef | Reply {
  const orderId = params.str("orderId");
  const orderLinkId = params.str("orderLinkId");
  if (orderId === undefined && orderLinkId === undefined) return paramError("orderId or orderLinkId is required");
  // Bybit: when both are sent, orderId wins.
  return orderId !== undefined ? { orderId } : { orderLinkId };
}

function qtyParam(i: Instrument, params: Params, required: boolean): Dec | Reply | undefined {
  const qty = decParam(params, "qty");
  if (isReply(qty)) return qty;
  if (qty === undefined) return required ? paramError("qty is required") : undefined;
  if (qty <= ZERO || !isMultipleOf(qty, i.lotSize)) return fail(RET.PARAM, "Qty invalid");
  if (qty < i.minQty) return fail(RET.PARAM, "The number of contracts exceeds minimum limit allowed");
  if (qty > i.maxQty) return fail(RET.PARAM, "The number of contracts exceeds maximum limit allowed");
  return qty;
}

function priceParam(i: Instrument, params: Params): Dec | Reply | undefined {
  const price = decParam(params, "price");
  if (isReply(price) || price === undefined) return price;
  if (price <= ZERO || !isMultipleOf(price, i.tickSize)) return fail(RET.PARAM, "Price invalid");
  return price;
}

export function createOrder(port: ExchangePort, params: Params, accountId: string, receivedAt: number): Reply {
  const instrument = linearInstrument(port, params);
  if (isReply(instrument)) return instrument;
  const side = params.str("side");
  if (side !== "Buy" && side !== "Sell") return paramError("side invalid");
  const orderType = params.str("orderType");
  if (orderType !== "Limit" && orderType !== "Market") return paramError("orderType invalid");
  const qty = qtyParam(instrument, params, true);
  if (isReply(qty) || qty === undefined) return qty ?? paramError("qty is required");
  let price = priceParam(instrument, params);
  if (isReply(price)) return price;
  if (orderType === "Limit" && price === undefined) return paramError("price is required for Limit orders");
  if (orderType === "Market") price = undefined;
  const tif = params.str("timeInForce") ?? "GTC";
  if (!TIME_IN_FORCE.has(tif as BybitTimeInForce)) return paramError("timeInForce invalid");
  // Market orders always run IOC on Bybit, whatever was asked.
  const timeInForce: BybitTimeInForce = orderType === "Market" ? "IOC" : (tif as BybitTimeInForce);
  const positionIdx = params.str("positionIdx");
  if (positionIdx !== undefined && positionIdx !== "0") return fail(RET.PARAM, "position idx not match position mode");
  const orderLinkId = params.str("orderLinkId") ?? "";
  if (orderLinkId !== "" && !ORDER_LINK_ID.test(orderLinkId)) return paramError("orderLinkId invalid");
  const reduceOnly = boolParam(params, "reduceOnly");
  if (isReply(reduceOnly)) return reduceOnly;
  const closeOnTrigger = boolParam(params, "closeOnTrigger");
  if (isReply(closeOnTrigger)) return closeOnTrigger;
  const unsupported = NOT_SIMULATED.find((name) => params.has(name) && params.str(name) !== "0");
  if (unsupported !== undefined) return paramError(`${unsupported}: conditional orders and TP/SL are not simulated`);

  const ticker = port.ticker(instrument.symbol);
  const touch = side === "Buy" ? ticker.ask1Price : ticker.bid1Price;
  const verdict = checkNewOrder({
    instrument,
    side,
    qty,
    price: price ?? touch ?? ticker.markPrice,
    isLimit: orderType === "Limit",
    reduceOnly: reduceOnly || closeOnTrigger,
    orderLinkIdTaken: orderLinkId !== "" && port.findOrder(accountId, { orderLinkId }) !== undefined,
    openOnSymbol: port.openOrders(accountId, instrument.symbol).length,
    markPrice: ticker.markPrice,
    leverage: port.leverage(accountId, instrument.symbol),
    position: port.position(accountId, instrument.symbol),
    wallet: port.wallet(accountId),
  });
  if (!verdict.ok) return verdict.reply;
  const placed = port.placeOrder({
    accountId,
    symbol: instrument.symbol,
    side: side as BybitSide,
    orderType: orderType as BybitOrderType,
    qty: verdict.qty,
    price,
    timeInForce,
    reduceOnly: reduceOnly || closeOnTrigger,
    closeOnTrigger,
    orderLinkId,
    receivedAt,
  });
  if (!placed.ok) return fail(placed.retCode, placed.retMsg);
  return ok({ orderId: placed.value.orderId, orderLinkId: placed.value.orderLinkId });
}

export function amendOrder(port: ExchangePort, params: Params, accountId: string): Reply {
  const instrument = linearInstrument(port, params);
  if (isReply(instrument)) return instrument;
  const ref = orderRef(params);
  if (isReply(ref)) return ref;
  const qty = qtyParam(instrument, params, false);
  if (isReply(qty)) return qty;
  const price = priceParam(instrument, params);
  if (isReply(price)) return price;
  if (qty === undefined && price === undefined) return paramError("nothing to amend: send qty or price");
  const order = port.findOrder(accountId, ref);
  if (order === undefined || order.symbol !== instrument.symbol || !isOpenOrder(order)) return fail(RET.ORDER_NOT_EXIST);
  if (price !== undefined && order.orderType === "Market") return paramError("a market order has no price to amend");
  if (qty !== undefined && qty <= order.cumExecQty) return paramError("qty must exceed the filled quantity");
  const amended = port.amendOrder(accountId, instrument.symbol, ref, { qty, price });
  if (!amended.ok) return fail(amended.retCode, amended.retMsg);
  return ok({ orderId: amended.value.orderId, orderLinkId: amended.value.orderLinkId });
}

export function cancelOrder(port: ExchangePort, params: Params, accountId: string): Reply {
  const instrument = linearInstrument(port, params);
  if (isReply(instrument)) return instrument;
  const ref = orderRef(params);
  if (isReply(ref)) return ref;
  const order = port.findOrder(accountId, ref);
  if (order === undefined || order.symbol !== instrument.symbol || !isOpenOrder(order)) return fail(RET.ORDER_NOT_EXIST);
  const cancelled = port.cancelOrder(accountId, instrument.symbol, ref);
  if (!cancelled.ok) return fail(cancelled.retCode, cancelled.retMsg);
  return ok({ orderId: cancelled.value.orderId, orderLinkId: cancelled.value.orderLinkId });
}

/** Symbols selected by symbol > baseCoin > settleCoin, as Bybit prioritises them. */
function scope(port: ExchangePort, params: Params): Set<string> | Reply {
  const symbol = params.str("symbol");
  if (symbol !== undefined) {
    if (port.instrument(symbol) === undefined) return fail(RET.PARAM, "params error: symbol invalid");
    return new Set([symbol]);
  }
  const baseCoin = params.str("baseCoin");
  const settleCoin = params.str("settleCoin");
  if (baseCoin === undefined && settleCoin === undefined) return paramError("symbol, baseCoin or settleCoin is required");
  return new Set(
    port
      .instruments()
      .filter((i) => (baseCoin !== undefined ? i.baseAsset === baseCoin : i.quoteAsset === settleCoin))
      .map((i) => i.symbol),
  );
}

export function cancelAll(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return fail(RET.PARAM, "params error: only category=linear is simulated");
  const symbols = scope(port, params);
  if (isReply(symbols)) return symbols;
  const cancelled: OrderView[] = [];
  for (const symbol of symbols) cancelled.push(...port.cancelAll(accountId, symbol));
  return ok({ list: cancelled.map((o) => ({ orderId: o.orderId, orderLinkId: o.orderLinkId })), success: "1" });
}

export function timeWindow(params: Params): { start: number; end: number } | Reply | undefined {
  const start = params.str("startTime");
  const end = params.str("endTime");
  if (start === undefined && end === undefined) return undefined;
  if ((start !== undefined && !/^\d+$/.test(start)) || (end !== undefined && !/^\d+$/.test(end))) return paramError("startTime/endTime invalid");
  const s = start === undefined ? Number(end) - SEVEN_DAYS_MS : Number(start);
  const e = end === undefined ? s + SEVEN_DAYS_MS : Number(end);
  if (e < s || e - s > SEVEN_DAYS_MS) return paramError("the time window must be at most 7 days");
  return { start: s, end: e };
}

function selectOrders(port: ExchangePort, params: Params, accountId: string): OrderView[] | Reply {
  const ref = params.has("orderId") || params.has("orderLinkId") ? orderRef(params) : undefined;
  if (isReply(ref)) return ref;
  if (ref !== undefined) {
    const found = port.findOrder(accountId, ref);
    return found === undefined ? [] : [found];
  }
  const symbols = scope(port, params);
  if (isReply(symbols)) return symbols;
  return port.orders(accountId).filter((o) => symbols.has(o.symbol));
}

export function realtimeOrders(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return ok({ list: [], nextPageCursor: "", category: params.str("category")! });
  const limit = intParam(params, "limit", 1, 50, 20);
  if (isReply(limit)) return limit;
  const byId = params.has("orderId") || params.has("orderLinkId");
  const openOnly = params.str("openOnly") ?? "0";
  if (openOnly !== "0" && openOnly !== "1" && openOnly !== "2") return paramError("openOnly invalid");
  const selected = selectOrders(port, params, accountId);
  if (isReply(selected)) return selected;
  const list = byId ? selected : openOnly === "0" ? selected.filter(isOpenOrder) : selected.filter((o) => !isOpenOrder(o)).slice(0, 500);
  const page = paginate(list, limit, params.str("cursor"));
  if (isReply(page)) return page;
  return ok({
    list: page.page.map((o) => restOrder(port.instrument(o.symbol)!, o)),
    nextPageCursor: page.nextPageCursor,
    category: "linear",
  });
}

export function orderHistory(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return ok({ list: [], nextPageCursor: "", category: params.str("category")! });
  const limit = intParam(params, "limit", 1, 50, 20);
  if (isReply(limit)) return limit;
  const window = timeWindow(params);
  if (isReply(window)) return window;
  const noScope = !["symbol", "baseCoin", "settleCoin", "orderId", "orderLinkId"].some((n) => params.has(n));
  const selected = noScope ? port.orders(accountId) : selectOrders(port, params, accountId);
  if (isReply(selected)) return selected;
  const status = params.str("orderStatus");
  const list = selected.filter(
    (o) =>
      (status === undefined || o.orderStatus === status) &&
      (window === undefined || (o.createdTime >= window.start && o.createdTime <= window.end)),
  );
  const page = paginate(list, limit, params.str("cursor"));
  if (isReply(page)) return page;
  return ok({
    list: page.page.map((o) => restOrderHistory(port.instrument(o.symbol)!, o)),
    nextPageCursor: page.nextPageCursor,
    category: "linear",
  });
}

export function executionList(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return ok({ nextPageCursor: "", category: params.str("category")!, list: [] });
  const limit = intParam(params, "limit", 1, 100, 50);
  if (isReply(limit)) return limit;
  const window = timeWindow(params);
  if (isReply(window)) return window;
  const execType = params.str("execType");
  const symbol = params.str("symbol");
  const baseCoin = params.str("baseCoin");
  const orderId = params.str("orderId");
  const orderLinkId = params.str("orderLinkId");
  const list = port.executions(accountId).filter((e) => {
    const instrument = port.instrument(e.symbol)!;
    return (
      (symbol === undefined || e.symbol === symbol) &&
      (baseCoin === undefined || instrument.baseAsset === baseCoin) &&
      (orderId === undefined || e.orderId === orderId) &&
      (orderLinkId === undefined || e.orderLinkId === orderLinkId) &&
      (execType === undefined || execType === e.execType) &&
      (window === undefined || (e.execTime >= window.start && e.execTime <= window.end))
    );
  });
  const page = paginate(list, limit, params.str("cursor"));
  if (isReply(page)) return page;
  return ok({
    nextPageCursor: page.nextPageCursor,
    category: "linear",
    list: page.page.map((e) => restExecution(port.instrument(e.symbol)!, e)),
  });
}
