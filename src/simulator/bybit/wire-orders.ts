/**
 * Orders and executions in Bybit's shapes: REST `/v5/order/realtime` and `/history` items, the
 * private `order` message, REST `/v5/execution/list` items and the `execution` and
 * `execution.fast` messages. Key sets follow the official samples.
 */
import { div, mul, sub, ZERO, type Dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { JsonObject } from "./envelope.ts";
import type { ExecutionView, OrderView } from "./model.ts";
import { decText, msText, priceText, qtyText } from "./wire-format.ts";

const OPEN_STATUSES = new Set(["New", "PartiallyFilled"]);

export const isOpenOrder = (o: OrderView): boolean => OPEN_STATUSES.has(o.orderStatus);

function orderCommon(i: Instrument, o: OrderView): JsonObject {
  const open = isOpenOrder(o);
  const leaves: Dec = open ? sub(o.qty, o.cumExecQty) : ZERO;
  const avgPrice = o.cumExecQty > ZERO ? div(o.cumExecValue, o.cumExecQty) : undefined;
  return {
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    blockTradeId: "",
    symbol: o.symbol,
    price: o.price === undefined ? "0" : priceText(i, o.price),
    qty: qtyText(i, o.qty),
    side: o.side,
    isLeverage: "",
    positionIdx: 0,
    orderStatus: o.orderStatus,
    cancelType: o.cancelType,
    rejectReason: o.rejectReason,
    avgPrice: avgPrice === undefined ? "0" : priceText(i, avgPrice),
    leavesQty: qtyText(i, leaves),
    leavesValue: o.price === undefined ? "0" : decText(mul(leaves, o.price)),
    cumExecQty: qtyText(i, o.cumExecQty),
    cumExecValue: decText(o.cumExecValue),
    cumExecFee: decText(o.cumExecFee),
    timeInForce: o.timeInForce,
    orderType: o.orderType,
    stopOrderType: "UNKNOWN",
    orderIv: "",
    triggerPrice: "0",
    takeProfit: "0",
    stopLoss: "0",
    tpTriggerBy: "UNKNOWN",
    slTriggerBy: "UNKNOWN",
    triggerDirection: 0,
    triggerBy: "UNKNOWN",
    lastPriceOnCreated: o.lastPriceOnCreated === undefined ? "" : priceText(i, o.lastPriceOnCreated),
    reduceOnly: o.reduceOnly,
    closeOnTrigger: o.closeOnTrigger,
    smpType: "None",
    smpGroup: 0,
    smpOrderId: "",
    tpslMode: "",
    tpLimitPrice: "",
    slLimitPrice: "",
    placeType: "",
    createdTime: msText(o.createdTime),
    updatedTime: msText(o.updatedTime),
  };
}

const feeDetail = (o: OrderView): JsonObject => (o.cumExecFee === ZERO ? {} : { USDT: decText(o.cumExecFee) });

/** An item of `GET /v5/order/realtime`. */
export function restOrder(i: Instrument, o: OrderView): JsonObject {
  return { ...orderCommon(i, o), cumFeeDetail: feeDetail(o) };
}

/** An item of `GET /v5/order/history` (the realtime fields plus slippage, extra fees and RPI). */
export function restOrderHistory(i: Instrument, o: OrderView): JsonObject {
  return {
    ...orderCommon(i, o),
    slippageToleranceType: "UNKNOWN",
    slippageTolerance: "",
    extraFees: "",
    cumFeeDetail: feeDetail(o),
    rpiTakerAccess: false,
    rpiMatchedQty: "0",
  };
}

/** An item of the private `order` topic. */
export function wsOrder(i: Instrument, o: OrderView): JsonObject {
  const { isLeverage: _isLeverage, ...rest } = orderCommon(i, o);
  return {
    ...rest,
    category: "linear",
    closedPnl: decText(o.closedPnl),
    feeCurrency: "",
    cumFeeDetail: feeDetail(o),
    rpiTakerAccess: false,
    rpiMatchedQty: "0",
  };
}

function executionCommon(i: Instrument, e: ExecutionView): JsonObject {
  return {
    symbol: e.symbol,
    orderType: e.orderType,
    underlyingPrice: "",
    orderLinkId: e.orderLinkId,
    side: e.side,
    indexPrice: "",
    orderId: e.orderId,
    stopOrderType: "UNKNOWN",
    leavesQty: qtyText(i, e.leavesQty),
    execTime: msText(e.execTime),
    feeCurrency: "USDT",
    isMaker: e.isMaker,
    execFee: decText(e.execFee),
    feeRate: decText(e.feeRate),
    execId: e.execId,
    tradeIv: "",
    blockTradeId: "",
    markPrice: priceText(i, e.markPrice),
    execPrice: priceText(i, e.execPrice),
    markIv: "",
    orderQty: qtyText(i, e.orderQty),
    orderPrice: e.orderPrice === undefined ? "0" : priceText(i, e.orderPrice),
    execValue: decText(e.execValue),
    execType: e.execType,
    execQty: qtyText(i, e.execQty),
    closedSize: e.closedSize === ZERO ? "0" : qtyText(i, e.closedSize),
    seq: e.seq,
  };
}

/** An item of `GET /v5/execution/list`. */
export function restExecution(i: Instrument, e: ExecutionView): JsonObject {
  return { ...executionCommon(i, e), extraFees: "" };
}

/** An item of the private `execution` topic. */
export function wsExecution(i: Instrument, e: ExecutionView): JsonObject {
  return {
    category: "linear",
    ...executionCommon(i, e),
    isLeverage: "0",
    marketUnit: "",
    execPnl: decText(e.execPnl),
    createType: "CreateByUser",
    extraFees: [],
  };
}

/** An item of the private `execution.fast` topic (the low-latency subset). */
export function wsFastExecution(i: Instrument, e: ExecutionView): JsonObject {
  return {
    category: "linear",
    symbol: e.symbol,
    execId: e.execId,
    execPrice: priceText(i, e.execPrice),
    execQty: qtyText(i, e.execQty),
    orderId: e.orderId,
    isMaker: e.isMaker,
    orderLinkId: e.orderLinkId,
    side: e.side,
    execTime: msText(e.execTime),
    seq: e.seq,
  };
}
