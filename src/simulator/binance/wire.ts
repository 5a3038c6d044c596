/**
 * Binance USD-M JSON shapes: REST order, user trade, positionRisk (v2, v3), account (v2, v3),
 * balance, and the user-stream ORDER_TRADE_UPDATE and ACCOUNT_UPDATE. Key sets follow the
 * official samples in the shared venue fixtures.
 */
import { add, mul, ZERO, type Dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import { decText, priceText, qtyText } from "../shared/number-text.ts";
import type { BinanceExchange, BnOrderView, BnPosition, BnTrade, BnWallet } from "./exchange.ts";

type Json = Record<string, unknown>;

/**
 * An order as the REST answers carry it: `query` (GET order, openOrders: with `time`), `new`
 * (POST order: with `cumQty`, no `time`), `cancel` (DELETE order: with `cumQty`, no `time` or `avgPrice`).
 */
export function restOrder(i: Instrument, o: BnOrderView, form: "query" | "new" | "cancel" = "query"): Json {
  const { time, cumQty, avgPrice, ...rest } = allOrderFields(i, o);
  if (form === "query") return { ...rest, avgPrice, time };
  return form === "new" ? { ...rest, avgPrice, cumQty } : { ...rest, cumQty };
}

function allOrderFields(i: Instrument, o: BnOrderView): Json {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: priceText(i, o.price),
    avgPrice: o.avgPrice === ZERO ? "0" : decText(o.avgPrice),
    origQty: qtyText(i, o.origQty),
    executedQty: qtyText(i, o.executedQty),
    cumQty: qtyText(i, o.executedQty),
    cumQuote: decText(o.cumQuote),
    timeInForce: o.timeInForce,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    side: o.side,
    positionSide: "BOTH",
    stopPrice: priceText(i, o.stopPrice),
    workingType: "MARK_PRICE",
    priceProtect: false,
    origType: o.origType,
    priceMatch: "NONE",
    selfTradePreventionMode: "EXPIRE_MAKER",
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
}

/** An item of `GET /fapi/v1/userTrades`. */
export function restTrade(i: Instrument, t: BnTrade): Json {
  return {
    buyer: t.side === "BUY",
    commission: decText(t.commission),
    commissionAsset: t.commissionAsset,
    id: t.id,
    maker: t.maker,
    orderId: t.orderId,
    price: priceText(i, t.price),
    qty: qtyText(i, t.qty),
    quoteQty: decText(mul(t.price, t.qty)),
    realizedPnl: decText(t.realizedPnl),
    side: t.side,
    positionSide: "BOTH",
    symbol: t.symbol,
    time: t.time,
  };
}

function breakEven(p: BnPosition, i: Instrument): Dec {
  return p.positionAmt === ZERO ? ZERO : p.positionAmt > ZERO ? mul(p.entryPrice, add(dec1, i.takerFee)) : mul(p.entryPrice, sub1(i.takerFee));
}
const dec1 = 1_000_000_000_000_000_000n as Dec;
const sub1 = (fee: Dec): Dec => (dec1 - fee) as Dec;

/** The fields positionRisk v2 and v3 share. */
function positionCore(i: Instrument, p: BnPosition): Json {
  return {
    symbol: p.symbol,
    positionSide: "BOTH",
    positionAmt: qtyText(i, p.positionAmt),
    entryPrice: decText(p.entryPrice),
    breakEvenPrice: decText(breakEven(p, i)),
    markPrice: priceText(i, p.markPrice),
    unRealizedProfit: decText(p.unRealizedProfit),
    liquidationPrice: "0",
    notional: decText(p.notional),
    isolatedWallet: "0",
    updateTime: p.updateTime,
  };
}

export function positionRiskV2(i: Instrument, p: BnPosition): Json {
  return { ...positionCore(i, p), leverage: String(p.leverage), maxNotionalValue: "50000000", marginType: "cross", isolatedMargin: "0.00000000", isAutoAddMargin: "false" };
}

export function positionRiskV3(i: Instrument, p: BnPosition): Json {
  return {
    ...positionCore(i, p),
    isolatedMargin: "0",
    marginAsset: "USDT",
    initialMargin: decText(add(p.initialMargin, p.openOrderInitialMargin)),
    maintMargin: decText(p.maintMargin),
    positionInitialMargin: decText(p.initialMargin),
    openOrderInitialMargin: decText(p.openOrderInitialMargin),
    adl: 0,
    bidNotional: "0",
    askNotional: "0",
  };
}

function assetRow(w: BnWallet): Json {
  const margin = add(w.walletBalance, w.unrealizedProfit);
  return {
    asset: "USDT",
    walletBalance: decText(w.walletBalance),
    unrealizedProfit: decText(w.unrealizedProfit),
    marginBalance: decText(margin),
    maintMargin: decText(w.maintMargin),
    initialMargin: decText(add(w.positionInitialMargin, w.openOrderInitialMargin)),
    positionInitialMargin: decText(w.positionInitialMargin),
    openOrderInitialMargin: decText(w.openOrderInitialMargin),
    crossWalletBalance: decText(w.walletBalance),
    crossUnPnl: decText(w.unrealizedProfit),
    availableBalance: decText(w.availableBalance),
    maxWithdrawAmount: decText(w.availableBalance),
    // ccxt skips an asset whose updateTime is 0.
    updateTime: w.updateTime === 0 ? 1 : w.updateTime,
  };
}

function totals(w: BnWallet): Json {
  const margin = add(w.walletBalance, w.unrealizedProfit);
  return {
    totalInitialMargin: decText(add(w.positionInitialMargin, w.openOrderInitialMargin)),
    totalMaintMargin: decText(w.maintMargin),
    totalWalletBalance: decText(w.walletBalance),
    totalUnrealizedProfit: decText(w.unrealizedProfit),
    totalMarginBalance: decText(margin),
    totalPositionInitialMargin: decText(w.positionInitialMargin),
    totalOpenOrderInitialMargin: decText(w.openOrderInitialMargin),
    totalCrossWalletBalance: decText(w.walletBalance),
    totalCrossUnPnl: decText(w.unrealizedProfit),
    availableBalance: decText(w.availableBalance),
    maxWithdrawAmount: decText(w.availableBalance),
  };
}

export function accountV3(ex: BinanceExchange, accountId: string): Json {
  const w = ex.wallet(accountId);
  return {
    ...totals(w),
    assets: [assetRow(w)],
    positions: ex.instruments().flatMap((i) => {
      const p = ex.position(accountId, i.symbol);
      if (p.positionAmt === ZERO && p.openOrderInitialMargin === ZERO) return [];
      return [
        {
          symbol: p.symbol,
          positionSide: "BOTH",
          positionAmt: qtyText(i, p.positionAmt),
          unrealizedProfit: decText(p.unRealizedProfit),
          isolatedMargin: "0",
          notional: decText(p.notional),
          isolatedWallet: "0",
          initialMargin: decText(p.initialMargin),
          maintMargin: decText(p.maintMargin),
          updateTime: p.updateTime,
        },
      ];
    }),
  };
}

export function accountV2(ex: BinanceExchange, accountId: string): Json {
  const w = ex.wallet(accountId);
  return {
    feeTier: 0,
    feeBurn: ex.feeBurn(accountId),
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals(w),
    assets: [{ ...assetRow(w), marginAvailable: true }],
    positions: ex.instruments().map((i) => {
      const p = ex.position(accountId, i.symbol);
      return {
        symbol: p.symbol,
        initialMargin: decText(add(p.initialMargin, p.openOrderInitialMargin)),
        maintMargin: decText(p.maintMargin),
        unrealizedProfit: decText(p.unRealizedProfit),
        positionInitialMargin: decText(p.initialMargin),
        openOrderInitialMargin: decText(p.openOrderInitialMargin),
        leverage: String(p.leverage),
        isolated: false,
        entryPrice: decText(p.entryPrice),
        maxNotional: "50000000",
        bidNotional: "0",
        askNotional: "0",
        positionSide: "BOTH",
        positionAmt: qtyText(i, p.positionAmt),
        updateTime: p.updateTime,
      };
    }),
  };
}

export function balanceRow(w: BnWallet, accountAlias: string): Json {
  return {
    accountAlias,
    asset: "USDT",
    balance: decText(w.walletBalance),
    crossWalletBalance: decText(w.walletBalance),
    crossUnPnl: decText(w.unrealizedProfit),
    availableBalance: decText(w.availableBalance),
    maxWithdrawAmount: decText(w.availableBalance),
    marginAvailable: true,
    updateTime: w.updateTime,
  };
}

/** `ORDER_TRADE_UPDATE`; `x` is the execution type, `trade` the fill when `x` is TRADE. */
export function orderTradeUpdate(i: Instrument, o: BnOrderView, x: string, trade: BnTrade | undefined, now: number): Json {
  return {
    e: "ORDER_TRADE_UPDATE",
    E: now,
    T: trade?.time ?? o.updateTime,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: qtyText(i, o.origQty),
      p: priceText(i, o.price),
      ap: o.avgPrice === ZERO ? "0" : decText(o.avgPrice),
      sp: priceText(i, o.stopPrice),
      x,
      X: o.status,
      i: o.orderId,
      l: trade === undefined ? "0" : qtyText(i, trade.qty),
      z: qtyText(i, o.executedQty),
      L: trade === undefined ? "0" : priceText(i, trade.price),
      N: trade?.commissionAsset ?? "USDT",
      n: trade === undefined ? "0" : decText(trade.commission),
      T: trade?.time ?? o.updateTime,
      t: trade?.id ?? 0,
      b: "0",
      a: "0",
      m: trade?.maker ?? false,
      R: o.reduceOnly,
      wt: "MARK_PRICE",
      ot: o.origType,
      ps: "BOTH",
      cp: o.closePosition,
      rp: trade === undefined ? "0" : decText(trade.realizedPnl),
      pP: false,
      si: 0,
      ss: 0,
      V: "EXPIRE_MAKER",
      pm: "NONE",
      gtd: 0,
      er: "0",
    },
  };
}

/** `ACCOUNT_UPDATE`: the USDT balance, and the positions of `symbols` (none for a cross funding fee). */
export function accountUpdate(ex: BinanceExchange, accountId: string, reason: string, symbols: readonly string[], now: number): Json {
  const w = ex.wallet(accountId);
  return {
    e: "ACCOUNT_UPDATE",
    E: now,
    T: now,
    a: {
      m: reason,
      B: [{ a: "USDT", wb: decText(w.walletBalance), cw: decText(w.walletBalance), bc: "0" }],
      P: symbols.map((s) => {
        const i = ex.instrument(s)!;
        const p = ex.position(accountId, s);
        return {
          s,
          pa: qtyText(i, p.positionAmt),
          ep: decText(p.entryPrice),
          bep: decText(breakEven(p, i)),
          cr: "0",
          up: decText(p.unRealizedProfit),
          mt: "cross",
          iw: "0",
          ps: "BOTH",
        };
      }),
    },
  };
}
