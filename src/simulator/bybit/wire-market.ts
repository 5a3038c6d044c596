/**
 * Market data in Bybit's shapes: instruments-info items, REST and stream tickers, the REST order
 * book and public trades.
 */
import { div, mul, mulInt, sub, ZERO, type Dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { JsonObject } from "./envelope.ts";
import type { BookView, PublicTradeView, TickerView } from "./model.ts";
import type { WireBook, WirePublicTrade } from "./public-feeds.ts";
import { decText, decimalsOf, fixedText, msText, priceText, qtyText } from "./wire-format.ts";

/** Stable small ids per symbol, as Bybit's `symbolId`. */
const SYMBOL_IDS: Readonly<Record<string, number>> = { BTCUSDT: 5, ETHUSDT: 6 };
const LAUNCH_TIME = "1585526400000";

export function instrumentInfo(i: Instrument, index: number): JsonObject {
  const tick = priceText(i, i.tickSize);
  return {
    symbol: i.symbol,
    symbolId: SYMBOL_IDS[i.symbol] ?? 100 + index,
    contractType: "LinearPerpetual",
    status: "Trading",
    baseCoin: i.baseAsset,
    quoteCoin: i.quoteAsset,
    launchTime: LAUNCH_TIME,
    deliveryTime: "0",
    deliveryFeeRate: "",
    priceScale: String(decimalsOf(i.tickSize)),
    leverageFilter: { minLeverage: "1", maxLeverage: "100.00", leverageStep: "0.01" },
    priceFilter: { minPrice: tick, maxPrice: priceText(i, mulInt(i.tickSize, 19_999_998)), tickSize: tick },
    lotSizeFilter: {
      maxOrderQty: qtyText(i, i.maxQty),
      minOrderQty: qtyText(i, i.minQty),
      qtyStep: qtyText(i, i.lotSize),
      postOnlyMaxOrderQty: qtyText(i, i.maxQty),
      maxMktOrderQty: qtyText(i, i.maxQty),
      minNotionalValue: decText(i.minNotional),
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: i.quoteAsset,
    copyTrading: "both",
    upperFundingRate: "0.00375",
    lowerFundingRate: "-0.00375",
    isPreListing: false,
    preListingInfo: null,
    riskParameters: { priceLimitRatioX: "0.01", priceLimitRatioY: "0.02" },
    symbolType: "",
  };
}

const optionalPrice = (i: Instrument, p: Dec | undefined): string => (p === undefined ? "" : priceText(i, p));

function change(t: TickerView, from: Dec): string {
  return from === ZERO ? "0" : fixedText(div(sub(t.lastPrice, from), from), 6);
}

/** An item of `GET /v5/market/tickers?category=linear`. */
export function restTicker(i: Instrument, t: TickerView): JsonObject {
  return {
    symbol: t.symbol,
    lastPrice: priceText(i, t.lastPrice),
    indexPrice: priceText(i, t.indexPrice),
    markPrice: priceText(i, t.markPrice),
    prevPrice24h: priceText(i, t.prevPrice24h),
    price24hPcnt: change(t, t.prevPrice24h),
    highPrice24h: priceText(i, t.highPrice24h),
    lowPrice24h: priceText(i, t.lowPrice24h),
    prevPrice1h: priceText(i, t.prevPrice1h),
    openInterest: qtyText(i, t.openInterest),
    openInterestValue: fixedText(mul(t.openInterest, t.markPrice), 2),
    turnover24h: fixedText(t.turnover24h, 4),
    volume24h: fixedText(t.volume24h, 4),
    fundingRate: decText(t.fundingRate),
    nextFundingTime: msText(t.nextFundingTime),
    predictedDeliveryPrice: "",
    basisRate: "",
    deliveryFeeRate: "",
    deliveryTime: "0",
    ask1Size: qtyText(i, t.ask1Size),
    bid1Price: optionalPrice(i, t.bid1Price),
    ask1Price: optionalPrice(i, t.ask1Price),
    bid1Size: qtyText(i, t.bid1Size),
    basis: "",
    preOpenPrice: "",
    preQty: "",
    curPreListingPhase: "",
    fundingIntervalHour: "8",
    basisRateYear: "",
    fundingCap: "0.005",
  };
}

/** The `data` of a `tickers.{symbol}` snapshot (deltas carry the fields that changed). */
export function streamTicker(i: Instrument, t: TickerView): Record<string, string> {
  return {
    symbol: t.symbol,
    tickDirection: t.tickDirection,
    price24hPcnt: change(t, t.prevPrice24h),
    lastPrice: priceText(i, t.lastPrice),
    prevPrice24h: priceText(i, t.prevPrice24h),
    highPrice24h: priceText(i, t.highPrice24h),
    lowPrice24h: priceText(i, t.lowPrice24h),
    prevPrice1h: priceText(i, t.prevPrice1h),
    markPrice: priceText(i, t.markPrice),
    indexPrice: priceText(i, t.indexPrice),
    openInterest: qtyText(i, t.openInterest),
    openInterestValue: fixedText(mul(t.openInterest, t.markPrice), 2),
    turnover24h: fixedText(t.turnover24h, 4),
    volume24h: fixedText(t.volume24h, 4),
    fundingIntervalHour: "8",
    fundingCap: "0.005",
    nextFundingTime: msText(t.nextFundingTime),
    fundingRate: decText(t.fundingRate),
    bid1Price: optionalPrice(i, t.bid1Price),
    bid1Size: qtyText(i, t.bid1Size),
    ask1Price: optionalPrice(i, t.ask1Price),
    ask1Size: qtyText(i, t.ask1Size),
    preOpenPrice: "",
    preQty: "",
    curPreListingPhase: "",
  };
}

/** Top `depth` levels as wire strings. */
export function wireBook(i: Instrument, book: BookView, depth: number): WireBook {
  return {
    bids: book.bids.slice(0, depth).map((l) => [priceText(i, l.price), qtyText(i, l.qty)]),
    asks: book.asks.slice(0, depth).map((l) => [priceText(i, l.price), qtyText(i, l.qty)]),
  };
}

export function publicTrade(i: Instrument, t: PublicTradeView): WirePublicTrade {
  return {
    T: t.time,
    s: t.symbol,
    S: t.takerSide,
    v: qtyText(i, t.qty),
    p: priceText(i, t.price),
    L: t.tickDirection,
    i: t.tradeId,
    BT: false,
    seq: t.seq,
  };
}
