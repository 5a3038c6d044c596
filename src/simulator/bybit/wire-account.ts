/**
 * Positions and the wallet in Bybit's shapes: REST `/v5/position/list` items and the private
 * `position` message (they differ: `avgPrice` vs `entryPrice`, `mmrSysUpdateTime` vs
 * `mmrSysUpdatedTime`), REST `/v5/account/wallet-balance` and the private `wallet` message.
 * One-way mode, cross margin: `positionIdx` is always 0 and there is no liquidation price.
 */
import { add, div, mul, sub, ZERO, type Dec, dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { JsonObject } from "./envelope.ts";
import type { PositionView, TransactionView, WalletView } from "./model.ts";
import { absDec, decText, fixedText, msText, priceText, qtyText } from "./wire-format.ts";

const side = (p: PositionView): string => (p.size > ZERO ? "Buy" : p.size < ZERO ? "Sell" : "");

/** Entry price moved by the round-trip taker fee: the price at which closing breaks even. */
function breakEven(i: Instrument, p: PositionView): Dec {
  if (p.size === ZERO) return ZERO;
  const roundTrip = mul(i.takerFee, dec("2"));
  return p.size > ZERO ? mul(p.avgPrice, add(dec("1"), roundTrip)) : mul(p.avgPrice, sub(dec("1"), roundTrip));
}

function positionCommon(i: Instrument, p: PositionView): JsonObject {
  const size = absDec(p.size);
  const flat = p.size === ZERO;
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: "2000000",
    symbol: p.symbol,
    side: side(p),
    size: qtyText(i, size),
    positionValue: flat ? "0" : decText(mul(size, p.avgPrice)),
    tradeMode: 0,
    positionStatus: "Normal",
    autoAddMargin: 0,
    adlRankIndicator: flat ? 0 : 2,
    leverage: decText(p.leverage),
    breakEvenPrice: flat ? "0" : priceText(i, breakEven(i, p)),
    positionBalance: decText(p.positionIM),
    markPrice: priceText(i, p.markPrice),
    liqPrice: "",
    bustPrice: "",
    positionMM: decText(p.positionMM),
    positionMMByMp: decText(p.positionMM),
    positionIM: decText(p.positionIM),
    positionIMByMp: decText(p.positionIM),
    tpslMode: "Full",
    takeProfit: "0",
    stopLoss: p.stopLoss === undefined ? "0" : priceText(i, p.stopLoss),
    trailingStop: "0",
    unrealisedPnl: decText(p.unrealisedPnl),
    curRealisedPnl: decText(p.curRealisedPnl),
    cumRealisedPnl: decText(p.cumRealisedPnl),
    seq: p.seq,
    isReduceOnly: false,
    leverageSysUpdatedTime: "",
    sessionAvgPrice: "",
    createdTime: msText(p.createdTime),
    updatedTime: msText(p.updatedTime),
  };
}

/** An item of `GET /v5/position/list`. */
export function restPosition(i: Instrument, p: PositionView): JsonObject {
  return { ...positionCommon(i, p), avgPrice: p.size === ZERO ? "0" : decText(p.avgPrice), mmrSysUpdateTime: "" };
}

/** An item of the private `position` topic. */
export function wsPosition(i: Instrument, p: PositionView): JsonObject {
  return {
    ...positionCommon(i, p),
    entryPrice: p.size === ZERO ? "0" : decText(p.avgPrice),
    category: "linear",
    mmrSysUpdatedTime: "",
  };
}

function account(w: WalletView): JsonObject {
  const equity = add(w.walletBalance, w.unrealisedPnl);
  const initial = add(w.totalOrderIM, w.totalPositionIM);
  const available = sub(equity, initial);
  const rate = (part: Dec): string => (equity > ZERO ? fixedText(div(part, equity), 4) : "0");
  return {
    accountIMRate: rate(initial),
    accountIMRateByMp: rate(initial),
    accountMMRate: rate(w.totalPositionMM),
    accountMMRateByMp: rate(w.totalPositionMM),
    totalEquity: decText(equity),
    totalWalletBalance: decText(w.walletBalance),
    totalMarginBalance: decText(equity),
    totalAvailableBalance: decText(available > ZERO ? available : ZERO),
    totalPerpUPL: decText(w.unrealisedPnl),
    totalInitialMargin: decText(initial),
    totalInitialMarginByMp: decText(initial),
    totalMaintenanceMargin: decText(w.totalPositionMM),
    totalMaintenanceMarginByMp: decText(w.totalPositionMM),
    accountLTV: "0",
    accountType: "UNIFIED",
  };
}

function coin(w: WalletView): JsonObject {
  const equity = add(w.walletBalance, w.unrealisedPnl);
  return {
    coin: w.coin,
    equity: decText(equity),
    usdValue: decText(equity),
    walletBalance: decText(w.walletBalance),
    // Deprecated on UTA 2.0: Bybit sends it empty.
    availableToWithdraw: "",
    availableToBorrow: "",
    borrowAmount: "0",
    accruedInterest: "0",
    totalOrderIM: decText(w.totalOrderIM),
    totalPositionIM: decText(w.totalPositionIM),
    totalPositionMM: decText(w.totalPositionMM),
    unrealisedPnl: decText(w.unrealisedPnl),
    cumRealisedPnl: decText(w.cumRealisedPnl),
    bonus: "0",
    collateralSwitch: true,
    marginCollateral: true,
    locked: "0",
    spotHedgingQty: "0",
    spotBorrow: "0",
  };
}

/** An item of `GET /v5/account/wallet-balance`'s list. */
export function restWallet(w: WalletView): JsonObject {
  return { ...account(w), coin: [coin(w)] };
}

/** An item of the private `wallet` topic. */
export const wsWallet = restWallet;

/** The account's available balance (what new orders may use as margin). */
export function availableBalance(w: WalletView): Dec {
  const available = sub(add(w.walletBalance, w.unrealisedPnl), add(w.totalOrderIM, w.totalPositionIM));
  return available > ZERO ? available : ZERO;
}


/** An item of `GET /v5/account/transaction-log` (UTA); quantities and prices in the instrument's decimals (none for a transfer). */
export function restTransaction(t: TransactionView, i: Instrument | undefined): JsonObject {
  const qty = (q: Dec): string => (i === undefined ? decText(q) : qtyText(i, q));
  return {
    id: t.id,
    symbol: t.symbol,
    category: t.symbol === "" ? "" : "linear",
    side: t.side,
    transactionTime: msText(t.transactionTime),
    type: t.type,
    transSubType: "",
    qty: qty(t.qty),
    size: qty(t.size),
    currency: "USDT",
    tradePrice: i === undefined ? decText(t.tradePrice) : priceText(i, t.tradePrice),
    funding: decText(t.funding),
    fee: decText(t.fee),
    cashFlow: decText(t.cashFlow),
    change: decText(t.change),
    cashBalance: decText(t.cashBalance),
    feeRate: decText(t.feeRate),
    bonusChange: "",
    tradeId: t.tradeId,
    orderId: t.orderId,
    orderLinkId: t.orderLinkId,
    extraFees: "",
  };
}
