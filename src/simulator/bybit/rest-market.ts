/**
 * Public REST: `/v5/market/time`, `instruments-info`, `orderbook`, `tickers`. Only the linear
 * category is simulated; spot, inverse and option answer with empty lists so that clients which
 * load every category still start.
 */
import { RET } from "./codes.ts";
import { fail, ok, type JsonObject, type Reply } from "./envelope.ts";
import type { ExchangePort } from "./exchange-port.ts";
import { intParam, isReply, paginate, paramError, type Params } from "./rest-params.ts";
import { instrumentInfo, restTicker, wireBook } from "./wire-market.ts";

const OTHER_CATEGORIES = new Set(["spot", "inverse", "option"]);

/** "linear", "other" (a real but unsimulated category) or a 10001 reply. */
export function category(params: Params): "linear" | "other" | Reply {
  const c = params.str("category");
  if (c === "linear") return "linear";
  if (c !== undefined && OTHER_CATEGORIES.has(c)) return "other";
  return fail(RET.PARAM, c === undefined ? "params error: category is required" : "Illegal category");
}

export function marketTime(now: number): Reply {
  return ok({ timeSecond: String(Math.floor(now / 1000)), timeNano: (BigInt(now) * 1_000_000n).toString() });
}

export function instrumentsInfo(port: ExchangePort, params: Params): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  const symbol = params.str("symbol");
  const status = params.str("status") ?? "Trading";
  const limit = intParam(params, "limit", 1, 1000, 500);
  if (isReply(limit)) return limit;
  const all = cat === "linear" && status === "Trading" ? port.instruments() : [];
  const list = all.filter((i) => (symbol === undefined || i.symbol === symbol) && (params.str("baseCoin") ?? i.baseAsset) === i.baseAsset);
  const page = paginate(list, limit, params.str("cursor"));
  if (isReply(page)) return page;
  return ok({
    category: params.str("category")!,
    list: page.page.map((i) => instrumentInfo(i, port.instruments().indexOf(i))),
    nextPageCursor: page.nextPageCursor,
  });
}

export function orderbook(port: ExchangePort, params: Params, now: number): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  const symbol = params.str("symbol");
  if (symbol === undefined) return paramError("symbol is required");
  const instrument = cat === "linear" ? port.instrument(symbol) : undefined;
  if (instrument === undefined) return fail(RET.PARAM, "params error: symbol invalid");
  const limit = intParam(params, "limit", 1, 1000, 25);
  if (isReply(limit)) return limit;
  const book = port.book(symbol, limit);
  const wire = wireBook(instrument, book, limit);
  const seq = port.crossSeq();
  const result: JsonObject = { s: symbol, b: wire.bids.map((l) => [...l]), a: wire.asks.map((l) => [...l]), ts: now, u: seq, seq, cts: book.updatedAt };
  return ok(result);
}

export function tickers(port: ExchangePort, params: Params): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  const symbol = params.str("symbol");
  if (cat === "other") return ok({ category: params.str("category")!, list: [] });
  const instruments = port.instruments().filter((i) => symbol === undefined || i.symbol === symbol);
  if (symbol !== undefined && instruments.length === 0) return fail(RET.PARAM, "params error: symbol invalid");
  return ok({ category: "linear", list: instruments.map((i) => restTicker(i, port.ticker(i.symbol))) });
}
