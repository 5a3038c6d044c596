/**
 * Binance USD-M REST on the shared live REST client (`../live/rest-client.ts`): this file is
 * Binance's dialect. Every parameter travels in the query string (POST, PUT and DELETE too), a
 * SIGNED request adds `timestamp` and `recvWindow` and then `signature` last, over exactly the
 * query sent; keyed requests carry `X-MBX-APIKEY`. Answers are the bare JSON (`{code, msg}` on
 * refusals, classified in `classify.ts`), held to the wire's rules per path before anyone reads
 * them; `GET /fapi/v1/time` measures the clock; the weight and order-count headers feed the
 * limiter (`rate-scopes.ts`).
 */
import { HeanError, isHeanError } from "../../core/errors.ts";
import { type Interpreted, LiveRestClient, type RestClientOptions, type RestDialect, queryString } from "../live/rest-client.ts";
import { type BinanceErrorBody, classifyAnswer, classifyMalformed } from "./classify.ts";
import { observeBinanceLimits } from "./rate-scopes.ts";
import type { BinanceSigner } from "./signer.ts";
import { listOf, objectOf, parseAccount, parseDepthSnapshot, parseExchangeInfo, parseIncome, parseOrder, parsePosition, parseTrade, protocolError, readErrorBody } from "./wire.ts";

const each =
  (parse: (item: unknown) => unknown) =>
  (result: unknown): void => {
    for (const item of listOf("order", result)) parse(item);
  };

/** How each path's successful answer must look: every item is parsed in full. */
const ANSWERS: Readonly<Record<string, (result: unknown) => void>> = {
  "/fapi/v1/order": parseOrder,
  "/fapi/v1/openOrders": each(parseOrder),
  "/fapi/v1/userTrades": each(parseTrade),
  "/fapi/v2/positionRisk": each(parsePosition),
  "/fapi/v2/account": (r) => {
    accountSettingsOf(r);
    parseAccount(r, 0);
  },
  "/fapi/v1/income": each(parseIncome),
  "/fapi/v1/depth": parseDepthSnapshot,
  "/fapi/v1/exchangeInfo": parseExchangeInfo,
  "/fapi/v1/time": (r) => serverTimeOf(r),
  "/fapi/v1/listenKey": (r) => listenKeyOf(r),
  "/fapi/v1/positionSide/dual": (r) => dualSideOf(r),
};

export function serverTimeOf(result: unknown): number {
  const raw = objectOf("time", result);
  const t = raw.serverTime;
  if (typeof t !== "number" || !Number.isSafeInteger(t) || t <= 0) throw protocolError("time", "serverTime", t, "epoch milliseconds");
  return t;
}

export function listenKeyOf(result: unknown): string {
  const raw = objectOf("listen-key", result);
  if (typeof raw.listenKey !== "string" || raw.listenKey === "") throw protocolError("listen-key", "listenKey", raw.listenKey, "a non-empty string");
  return raw.listenKey;
}

export function dualSideOf(result: unknown): boolean {
  const raw = objectOf("mode", result);
  if (typeof raw.dualSidePosition !== "boolean") throw protocolError("mode", "dualSidePosition", raw.dualSidePosition, "true or false");
  return raw.dualSidePosition;
}

/** The account settings of `GET /fapi/v2/account` that change how fees and margin are booked (undefined: not stated). */
export interface AccountSettings {
  /** Fees are paid in BNB (the BNB fee discount), not in the settle coin. */
  readonly feeBurn: boolean | undefined;
  /** Multi-assets margin: several coins back the margin, not USDT alone. */
  readonly multiAssetsMargin: boolean | undefined;
}

export function accountSettingsOf(result: unknown): AccountSettings {
  const raw = objectOf("account", result);
  const setting = (field: "feeBurn" | "multiAssetsMargin"): boolean | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") throw protocolError("account", field, v, "true or false");
    return v;
  };
  return { feeBurn: setting("feeBurn"), multiAssetsMargin: setting("multiAssetsMargin") };
}

export function binanceDialect(signer: BinanceSigner | undefined): RestDialect {
  return {
    timePath: "/fapi/v1/time",
    limitKey: (method, path) => `${method} ${path}`,
    prepare(method, path, params, auth, stampedAt, recvWindowMs) {
      if (auth === false) return { query: queryString(params), headers: {} };
      if (signer === undefined) throw new HeanError("VENUE_PROTOCOL", `${path} needs the API key and none was given`, { path });
      const headers = signer.keyHeader();
      if (auth === "key") return { query: queryString(params), headers };
      return { query: signer.signQuery(queryString({ ...params, timestamp: stampedAt, recvWindow: recvWindowMs })), headers };
    },
    interpret(path, status, text): Interpreted {
      let parsed: unknown;
      let readable = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        readable = false;
      }
      const ok = status >= 200 && status < 300;
      const error: BinanceErrorBody | undefined = readable ? readErrorBody(parsed) : undefined;
      if (ok && !readable) {
        const malformed = protocolError("frame", "(body)", text, "JSON");
        return { classified: classifyMalformed(malformed.message, status), result: undefined, malformed };
      }
      const classified = classifyAnswer(status, error);
      if (classified.outcome !== "ok") return { classified, result: undefined };
      try {
        ANSWERS[path]?.(parsed);
      } catch (e) {
        if (!isHeanError(e, "VENUE_PROTOCOL")) throw e;
        // It said yes but we cannot read what: for an order that is "may have acted".
        return { classified: classifyMalformed(e.message, status), result: undefined, malformed: e };
      }
      return { classified, result: parsed, serverTime: path === "/fapi/v1/time" ? serverTimeOf(parsed) : undefined };
    },
    observe: (_method, _path, headers, limiter, time) => observeBinanceLimits(headers, limiter, time),
    gatewayWide: (status) => status === 429 || status === 418,
    retryAfterMs(headers) {
      const v = headers.get("retry-after");
      return v !== null && /^\d{1,6}$/.test(v.trim()) ? Number(v.trim()) * 1_000 : undefined;
    },
  };
}

export interface BinanceRestOptions extends Omit<RestClientOptions, "dialect"> {
  readonly signer: BinanceSigner | undefined;
}

/** Binance's REST: the shared client over Binance's dialect. */
export class BinanceRest extends LiveRestClient {
  constructor(options: BinanceRestOptions) {
    super({ ...options, dialect: binanceDialect(options.signer) });
  }
}
