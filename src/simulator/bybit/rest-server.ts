/**
 * The REST front door. Per request, in order: route lookup, the injected 5xx/429 faults, half
 * the injected latency, authentication (10003/10002/10004), the rate limit (10006), the handler,
 * the accept-then-timeout fault (order booked, response withheld), the other half of the latency.
 * Every answer carries X-Bapi-Limit, X-Bapi-Limit-Status, X-Bapi-Limit-Reset-Timestamp,
 * Traceid and Timenow. `/__sim/*` control routes skip faults, auth and limits.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Clock } from "../../core/clock.ts";
import { RET } from "./codes.ts";
import { envelope, fail, isFailure, type Reply } from "./envelope.ts";
import type { ExchangePort } from "./exchange-port.ts";
import type { FaultState } from "../shared/faults.ts";
import { arrive, GATEWAY_503_HTML, sleepOn, withhold } from "../shared/http-front.ts";
import { sendJson, sendText } from "../shared/http-io.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { accountInfo, apiKeyInfo, coinInfo, feeRate, positionList, setLeverage, switchMode, tradingStop, transactionLog, walletBalance } from "./rest-account.ts";
import { instrumentsInfo, marketTime, orderbook, tickers } from "./rest-market.ts";
import { Params } from "./rest-params.ts";
import { amendOrder, cancelAll, cancelOrder, createOrder, executionList, orderHistory, realtimeOrders } from "./rest-trade.ts";
import type { SeededRandom } from "../shared/rng.ts";
import { checkRestAuth, type ApiCredential } from "./signing.ts";

export interface RestContext {
  readonly port: ExchangePort;
  readonly params: Params;
  readonly now: number;
  readonly receivedAt: number;
  /** Set on private routes, after authentication. */
  readonly credential: ApiCredential | undefined;
  readonly userId: number;
}

interface Route {
  readonly method: "GET" | "POST";
  readonly private: boolean;
  readonly handle: (ctx: RestContext) => Reply;
}

const account = (ctx: RestContext): string => ctx.credential!.accountId;

export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ["/v5/market/time", { method: "GET", private: false, handle: (c) => marketTime(c.now) }],
  ["/v5/market/instruments-info", { method: "GET", private: false, handle: (c) => instrumentsInfo(c.port, c.params) }],
  ["/v5/market/orderbook", { method: "GET", private: false, handle: (c) => orderbook(c.port, c.params, c.now) }],
  ["/v5/market/tickers", { method: "GET", private: false, handle: (c) => tickers(c.port, c.params) }],
  ["/v5/order/create", { method: "POST", private: true, handle: (c) => createOrder(c.port, c.params, account(c), c.receivedAt) }],
  ["/v5/order/amend", { method: "POST", private: true, handle: (c) => amendOrder(c.port, c.params, account(c)) }],
  ["/v5/order/cancel", { method: "POST", private: true, handle: (c) => cancelOrder(c.port, c.params, account(c)) }],
  ["/v5/order/cancel-all", { method: "POST", private: true, handle: (c) => cancelAll(c.port, c.params, account(c)) }],
  ["/v5/order/realtime", { method: "GET", private: true, handle: (c) => realtimeOrders(c.port, c.params, account(c)) }],
  ["/v5/order/history", { method: "GET", private: true, handle: (c) => orderHistory(c.port, c.params, account(c)) }],
  ["/v5/execution/list", { method: "GET", private: true, handle: (c) => executionList(c.port, c.params, account(c)) }],
  ["/v5/position/list", { method: "GET", private: true, handle: (c) => positionList(c.port, c.params, account(c)) }],
  ["/v5/position/set-leverage", { method: "POST", private: true, handle: (c) => setLeverage(c.port, c.params, account(c)) }],
  ["/v5/position/trading-stop", { method: "POST", private: true, handle: (c) => tradingStop(c.port, c.params, account(c)) }],
  ["/v5/position/switch-mode", { method: "POST", private: true, handle: (c) => switchMode(c.params) }],
  ["/v5/account/wallet-balance", { method: "GET", private: true, handle: (c) => walletBalance(c.port, c.params, account(c)) }],
  ["/v5/account/transaction-log", { method: "GET", private: true, handle: (c) => transactionLog(c.port, c.params, account(c), c.now) }],
  ["/v5/account/info", { method: "GET", private: true, handle: (c) => accountInfo(c.now) }],
  ["/v5/account/fee-rate", { method: "GET", private: true, handle: (c) => feeRate(c.port, c.params) }],
  ["/v5/user/query-api", { method: "GET", private: true, handle: (c) => apiKeyInfo(c.credential!, c.userId) }],
  ["/v5/asset/coin/query-info", { method: "GET", private: true, handle: (c) => coinInfo(c.port) }],
]);

export interface RestDeps {
  readonly clock: Clock;
  readonly faults: FaultState;
  readonly limiter: RateLimiter;
  readonly random: SeededRandom;
  port(): ExchangePort;
  lookup(apiKey: string): ApiCredential | undefined;
  userId(accountId: string): number;
  /** Sockets of withheld responses (accept-then-timeout), destroyed when the server closes. */
  readonly heldSockets: Set<Socket>;
  /** `/__sim/*` handler. */
  control(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined): Promise<void>;
}

const sleep = sleepOn;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function handleRest(req: IncomingMessage, res: ServerResponse, deps: RestDeps): Promise<void> {
  const arrival = await arrive(req, res, deps.clock, deps.control);
  if (arrival === undefined) return;
  const { receivedAt, path, query, body, ip: who } = arrival;
  const baseHeaders = (): Record<string, string> => ({
    Traceid: deps.random.uuid().replaceAll("-", ""),
    Timenow: String(deps.clock.now()),
  });
  const route = ROUTES.get(path);
  if (route === undefined || route.method !== req.method) {
    const reply = fail(RET.ROUTE_NOT_FOUND);
    sendJson(res, 404, envelope(reply, deps.clock.now()), { ...deps.limiter.peek(who, path, receivedAt), ...baseHeaders(), Ret_code: String(reply.retCode) });
    return;
  }
  if (body === undefined) {
    sendJson(res, 400, envelope(fail(RET.PARAM, "request body too large or aborted"), deps.clock.now()), { ...deps.limiter.peek(who, path, receivedAt), ...baseHeaders() });
    return;
  }
  if (deps.faults.take("http5xx")) {
    await sleep(deps.clock, deps.faults.delayMs("rest"));
    sendText(res, 503, GATEWAY_503_HTML, { ...deps.limiter.peek(who, path, receivedAt), ...baseHeaders() });
    return;
  }
  if (deps.faults.take("http429")) {
    await sleep(deps.clock, deps.faults.delayMs("rest"));
    const reply = fail(RET.RATE_LIMIT);
    sendJson(res, 429, envelope(reply, deps.clock.now()), { ...deps.limiter.exhausted(path, deps.clock.now()), ...baseHeaders(), Ret_code: String(reply.retCode) });
    return;
  }
  const delay = deps.faults.delayMs("rest");
  const before = Math.floor(delay / 2);
  await sleep(deps.clock, before);
  const now = deps.clock.now();

  let credential: ApiCredential | undefined;
  let limitHeaders: Readonly<Record<string, string>>;
  let reply: Reply | undefined;
  if (route.private) {
    const auth = checkRestAuth(
      {
        apiKey: header(req, "x-bapi-api-key"),
        timestamp: header(req, "x-bapi-timestamp"),
        sign: header(req, "x-bapi-sign"),
        recvWindow: header(req, "x-bapi-recv-window"),
        signedText: req.method === "GET" ? query : body,
      },
      deps.lookup,
      now,
    );
    if (auth.ok) credential = auth.credential;
    else reply = fail(auth.retCode, auth.retMsg);
  }
  const limiterKey = credential?.apiKey ?? who;
  if (reply === undefined) {
    const verdict = deps.limiter.take(limiterKey, path, now);
    limitHeaders = verdict.headers;
    if (!verdict.allowed) reply = fail(RET.RATE_LIMIT);
  } else {
    limitHeaders = deps.limiter.peek(limiterKey, path, now);
  }
  if (reply === undefined) {
    let params: Params | undefined;
    if (req.method === "GET") params = Params.fromQuery(query);
    else {
      try {
        const parsed: unknown = body.trim() === "" ? {} : JSON.parse(body);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) params = new Params(parsed as Record<string, unknown>);
      } catch {
        params = undefined;
      }
    }
    if (params === undefined) reply = fail(RET.PARAM, "params error: the body must be a JSON object");
    else {
      try {
        reply = route.handle({
          port: deps.port(),
          params,
          now,
          receivedAt,
          credential,
          userId: credential === undefined ? 0 : deps.userId(credential.accountId),
        });
      } catch {
        // A bug in the simulator must not look like a venue outage to the client's retry logic.
        reply = fail(RET.SERVER_ERROR);
      }
    }
  }
  if (path === "/v5/order/create" && !isFailure(reply) && deps.faults.take("acceptThenTimeout")) {
    withhold(res, deps.heldSockets, deps.clock, deps.faults.spec.acceptThenTimeoutResetMs);
    return;
  }
  await sleep(deps.clock, delay - before);
  sendJson(res, 200, envelope(reply, deps.clock.now()), { ...limitHeaders, ...baseHeaders(), Ret_code: String(reply.retCode) });
}
