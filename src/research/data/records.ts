/**
 * What historical market-data files hold, once parsed: one venue-neutral record per row.
 * Prices and quantities are exact (`Dec`), times are epoch milliseconds.
 */
import type { Dec } from "../../core/decimal.ts";
import type { Side } from "../../core/events.ts";

export interface TradeRecord {
  readonly kind: "trade";
  readonly ts: number;
  readonly symbol: string;
  readonly price: Dec;
  readonly qty: Dec;
  /** The taker's side: "buy" lifted an ask, "sell" hit a bid. */
  readonly takerSide: Side;
  /** The venue's trade (or aggregate trade) id. */
  readonly id: string;
}

export interface KlineRecord {
  readonly kind: "kline";
  /** Close time of the bar (the bar's data is known only then). */
  readonly ts: number;
  readonly openTime: number;
  readonly symbol: string;
  readonly open: Dec;
  readonly high: Dec;
  readonly low: Dec;
  readonly close: Dec;
  readonly volume: Dec;
}

export interface BookTickerRecord {
  readonly kind: "book-ticker";
  readonly ts: number;
  readonly symbol: string;
  readonly bid: Dec;
  readonly bidQty: Dec;
  readonly ask: Dec;
  readonly askQty: Dec;
  /** The first book after a gap (a hean recording keeps the venue's flag); false for venue files. */
  readonly afterGap: boolean;
}

export interface FundingRecord {
  readonly kind: "funding";
  readonly ts: number;
  readonly symbol: string;
  /** Per funding interval, as a fraction (0.0001 = 0.01 %). */
  readonly rate: Dec;
}

export type MarketRecord = TradeRecord | KlineRecord | BookTickerRecord | FundingRecord;
