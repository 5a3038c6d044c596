/**
 * Private account REST: `/v5/position/list`, `/v5/account/wallet-balance`, and what clients ask
 * on start-up: `/v5/account/info`, `/v5/user/query-api` (ccxt decides UTA from `uta`), the
 * coin list `/v5/asset/coin/query-info` (ccxt's currencies), `/v5/account/fee-rate`, and
 * `/v5/position/set-leverage` and `switch-mode` (one-way only).
 */
import { dec, tryDec, ZERO } from "../../core/decimal.ts";
import { RET } from "./codes.ts";
import { fail, ok, type JsonObject, type Reply } from "./envelope.ts";
import type { ExchangePort } from "./exchange-port.ts";
import { category } from "./rest-market.ts";
import { intParam, isReply, paginate, paramError, type Params } from "./rest-params.ts";
import type { ApiCredential } from "./signing.ts";
import { timeWindow } from "./rest-trade.ts";
import { restPosition, restTransaction, restWallet } from "./wire-account.ts";
import { decText } from "./wire-format.ts";

export function positionList(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return ok({ list: [], nextPageCursor: "", category: params.str("category")! });
  const limit = intParam(params, "limit", 1, 200, 20);
  if (isReply(limit)) return limit;
  const symbol = params.str("symbol");
  const settleCoin = params.str("settleCoin");
  if (symbol === undefined && settleCoin === undefined) return paramError("symbol or settleCoin is required");
  let positions;
  if (symbol !== undefined) {
    // With a symbol Bybit answers even for a flat position.
    if (port.instrument(symbol) === undefined) return fail(RET.PARAM, "params error: symbol invalid");
    positions = [port.position(accountId, symbol)];
  } else {
    positions = port
      .instruments()
      .filter((i) => i.quoteAsset === settleCoin)
      .map((i) => port.position(accountId, i.symbol))
      .filter((p) => p.size !== ZERO);
  }
  const page = paginate(positions, limit, params.str("cursor"));
  if (isReply(page)) return page;
  return ok({
    list: page.page.map((p) => restPosition(port.instrument(p.symbol)!, p)),
    nextPageCursor: page.nextPageCursor,
    category: "linear",
  });
}

export function walletBalance(port: ExchangePort, params: Params, accountId: string): Reply {
  const accountType = params.str("accountType");
  if (accountType !== "UNIFIED") return fail(RET.PARAM, "accountType only support UNIFIED");
  const coins = params.str("coin")?.split(",");
  const wallet = restWallet(port.wallet(accountId));
  if (coins !== undefined && !coins.includes("USDT")) wallet["coin"] = [];
  return ok({ list: [wallet] });
}

/** Newest first; filters `type`, `currency`, time (default: the last 24 h, as Bybit). */
export function transactionLog(port: ExchangePort, params: Params, accountId: string, now: number): Reply {
  const accountType = params.str("accountType") ?? "UNIFIED";
  if (accountType !== "UNIFIED") return fail(RET.PARAM, "accountType only support UNIFIED");
  const limit = intParam(params, "limit", 1, 50, 20);
  if (isReply(limit)) return limit;
  const window = timeWindow(params) ?? { start: now - 86_400_000, end: now };
  if (isReply(window)) return window;
  const type = params.str("type");
  const currency = params.str("currency");
  const list = port
    .transactions(accountId)
    .filter((t) => (type === undefined || t.type === type) && (currency === undefined || currency === "USDT") && t.transactionTime >= window.start && t.transactionTime <= window.end);
  const page = paginate(list, limit, params.str("cursor"));
  if (isReply(page)) return page;
  return ok({ list: page.page.map((t) => restTransaction(t, t.symbol === "" ? undefined : port.instrument(t.symbol))), nextPageCursor: page.nextPageCursor });
}

export function accountInfo(now: number): Reply {
  return ok({
    marginMode: "REGULAR_MARGIN",
    updatedTime: String(now),
    unifiedMarginStatus: 5,
    dcpStatus: "OFF",
    timeWindow: 10,
    smpGroup: 0,
    isMasterTrader: false,
    spotHedgingStatus: "OFF",
  });
}

export function apiKeyInfo(credential: ApiCredential, userId: number): Reply {
  return ok({
    id: String(userId),
    note: "hean simulator",
    apiKey: credential.apiKey,
    readOnly: 0,
    secret: "",
    permissions: {
      ContractTrade: ["Order", "Position"],
      Spot: [],
      Wallet: ["AccountTransfer"],
      Options: [],
      Derivatives: [],
      CopyTrading: [],
      BlockTrade: [],
      Exchange: [],
      NFT: [],
      Affiliate: [],
    },
    ips: ["*"],
    type: 1,
    deadlineDay: -1,
    expiredAt: "",
    createdAt: "2026-01-01T00:00:00Z",
    unified: 0,
    uta: 1,
    userID: userId,
    inviterID: 0,
    vipLevel: "No VIP",
    mktMakerLevel: "0",
    affiliateID: 0,
    rsaPublicKey: "",
    isMaster: true,
    parentUid: "0",
    kycLevel: "LEVEL_DEFAULT",
    kycRegion: "",
  });
}

const chain = (name: string, precision: string): JsonObject => ({
  chainType: name,
  confirmation: "6",
  withdrawFee: "0",
  depositMin: "0",
  withdrawMin: "0",
  chain: name,
  chainDeposit: "1",
  chainWithdraw: "1",
  minAccuracy: precision,
  withdrawPercentageFee: "0",
  contractAddress: "",
  safeConfirmNumber: "6",
});

export function coinInfo(port: ExchangePort): Reply {
  const coins = new Set<string>(["USDT"]);
  for (const i of port.instruments()) coins.add(i.baseAsset);
  return ok({
    rows: [...coins].map((coin) => ({ name: coin, coin, remainAmount: "1000000", chains: [chain(coin === "USDT" ? "ETH" : coin, "8")] })),
  });
}

export function feeRate(port: ExchangePort, params: Params): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  if (cat !== "linear") return ok({ list: [] });
  const symbol = params.str("symbol");
  const list = port
    .instruments()
    .filter((i) => symbol === undefined || i.symbol === symbol)
    .map((i) => ({ symbol: i.symbol, baseCoin: "", takerFeeRate: decText(i.takerFee), makerFeeRate: decText(i.makerFee) }));
  return ok({ list });
}

export function setLeverage(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  const symbol = params.str("symbol");
  if (cat !== "linear" || symbol === undefined || port.instrument(symbol) === undefined) return fail(RET.PARAM, "params error: symbol invalid");
  const buy = params.str("buyLeverage");
  const sell = params.str("sellLeverage");
  const leverage = buy === undefined ? undefined : tryDec(buy);
  if (leverage === undefined || buy !== sell) return paramError("buyLeverage must equal sellLeverage in one-way mode");
  if (leverage < dec("1") || leverage > dec("100")) return paramError("leverage must be in [1, 100]");
  if (leverage === port.leverage(accountId, symbol)) return fail(RET.LEVERAGE_UNCHANGED);
  const set = port.setLeverage(accountId, symbol, leverage);
  return set.ok ? ok({}) : fail(set.retCode, set.retMsg);
}

/**
 * `/v5/position/trading-stop`, the stop-loss part (Full mode, one-way): `stopLoss` "0" clears it.
 * Take-profit and trailing stops are not simulated and are refused rather than ignored.
 */
export function tradingStop(port: ExchangePort, params: Params, accountId: string): Reply {
  const cat = category(params);
  if (isReply(cat)) return cat;
  const symbol = params.str("symbol");
  const instrument = cat === "linear" && symbol !== undefined ? port.instrument(symbol) : undefined;
  if (instrument === undefined || symbol === undefined) return fail(RET.PARAM, "params error: symbol invalid");
  if ((params.str("tpslMode") ?? "Full") !== "Full") return paramError("only tpslMode Full is simulated");
  if ((params.str("positionIdx") ?? "0") !== "0") return paramError("positionIdx invalid (one-way mode)");
  for (const other of ["takeProfit", "trailingStop"]) {
    const v = params.str(other);
    if (v !== undefined && v !== "0") return paramError(`${other} is not simulated`);
  }
  const trigger = params.str("slTriggerBy") ?? "MarkPrice";
  if (trigger !== "MarkPrice") return paramError("only slTriggerBy MarkPrice is simulated");
  const text = params.str("stopLoss");
  const stop = text === undefined ? undefined : tryDec(text);
  if (stop === undefined || stop < ZERO) return paramError("stopLoss invalid");
  if (stop !== ZERO && stop % instrument.tickSize !== ZERO) return paramError("stopLoss is not a multiple of the tick size");
  const set = port.setStopLoss(accountId, symbol, stop === ZERO ? undefined : stop);
  return set.ok ? ok({}) : fail(set.retCode, set.retMsg);
}

export function switchMode(params: Params): Reply {
  const mode = params.str("mode");
  if (mode === "0") return fail(RET.POSITION_MODE_UNCHANGED);
  if (mode === "3") return paramError("hedge mode is not simulated (one-way only)");
  return paramError("mode invalid");
}
