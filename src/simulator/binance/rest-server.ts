/**
 * The REST front door. Per request: route lookup, the injected 5xx/429/418 faults, half the
 * injected latency, authentication (key, timestamp window, signature), the weight and order
 * budgets, the handler, the accept-then-timeout fault (order booked, response withheld), the
 * other half of the latency. Every answer carries `X-MBX-USED-WEIGHT-1M` and
 * `X-MBX-ORDER-COUNT-1M`. Parameters come from the query and a form body; the query wins.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Clock } from "../../core/clock.ts";
import type { ApiCredential } from "../shared/credential.ts";
import type { FaultState } from "../shared/faults.ts";
import { arrive, GATEWAY_503_HTML, sleepOn, withhold } from "../shared/http-front.ts";
import { sendJson, sendText } from "../shared/http-io.ts";
import { ERR, isBinanceError, type BinanceError } from "./codes.ts";
import type { BinanceExchange } from "./exchange.ts";
import type { BinanceRateLimiter } from "./rate-limit.ts";
import type { ListenKeyPort, Route } from "./rest-routes.ts";
import { checkApiKey, checkSigned } from "./signing.ts";

export interface BinanceRestDeps {
  readonly clock: Clock;
  readonly faults: FaultState;
  /** Binance-only counters (http418). */
  take418(): boolean;
  /** The Retry-After (seconds) injected 429s and 418s carry, when a fault set says. */
  retryAfterS(): number | undefined;
  readonly limiter: BinanceRateLimiter;
  readonly routes: ReadonlyMap<string, Route>;
  readonly listenKeys: ListenKeyPort;
  readonly heldSockets: Set<Socket>;
  exchange(): BinanceExchange;
  lookup(apiKey: string): ApiCredential | undefined;
  control(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined): Promise<void>;
}

const sleep = sleepOn;

function mergedParams(query: string, body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) out.set(k, v);
  // A parameter in both: the query string wins.
  for (const [k, v] of new URLSearchParams(query)) out.set(k, v);
  return out;
}

const sendError = (res: ServerResponse, e: BinanceError, headers: Record<string, string>): void => sendJson(res, e.status, { code: e.code, msg: e.msg }, headers);

/**
 * The weight headers of an injected 429/418: an exhausted minute by default (what a real refusal
 * says); with a short `retryAfterS` the real count instead, since a budget exhausted for the rest
 * of the minute and a refusal over in a second would contradict each other.
 */
function injectedLimitHeaders(deps: BinanceRestDeps, ip: string): Record<string, string> {
  return deps.retryAfterS() === undefined ? deps.limiter.exhausted() : deps.limiter.headers(ip, undefined, deps.clock.now());
}

export async function handleBinanceRest(req: IncomingMessage, res: ServerResponse, deps: BinanceRestDeps): Promise<void> {
  const arrival = await arrive(req, res, deps.clock, deps.control);
  if (arrival === undefined) return;
  const { receivedAt, path, query, body, ip } = arrival;
  const route = deps.routes.get(`${req.method ?? ""} ${path}`);
  if (route === undefined) {
    sendError(res, ERR.notFound, deps.limiter.headers(ip, undefined, receivedAt));
    return;
  }
  if (body === undefined) {
    sendError(res, ERR.malformed("body"), deps.limiter.headers(ip, undefined, receivedAt));
    return;
  }
  if (deps.faults.take("http5xx")) {
    await sleep(deps.clock, deps.faults.delayMs("rest"));
    sendText(res, 503, GATEWAY_503_HTML, deps.limiter.headers(ip, undefined, deps.clock.now()));
    return;
  }
  if (deps.faults.take("http429")) {
    await sleep(deps.clock, deps.faults.delayMs("rest"));
    sendError(res, ERR.tooManyRequests(2400), { ...injectedLimitHeaders(deps, ip), "Retry-After": String(deps.retryAfterS() ?? 60) });
    return;
  }
  if (deps.take418()) {
    await sleep(deps.clock, deps.faults.delayMs("rest"));
    const seconds = deps.retryAfterS() ?? 120;
    sendError(res, ERR.banned(deps.clock.now() + seconds * 1_000), { ...injectedLimitHeaders(deps, ip), "Retry-After": String(seconds) });
    return;
  }
  const delay = deps.faults.delayMs("rest");
  const before = Math.floor(delay / 2);
  await sleep(deps.clock, before);
  const now = deps.clock.now();
  const params = mergedParams(query, body);
  const apiKey = typeof req.headers["x-mbx-apikey"] === "string" ? req.headers["x-mbx-apikey"] : undefined;

  let accountId: string | undefined;
  let error: BinanceError | undefined;
  if (route.security === "SIGNED") {
    const auth = checkSigned({ apiKey, query, body, params }, deps.lookup, now);
    if (auth.ok) accountId = auth.credential.accountId;
    else error = auth.error;
  } else if (route.security === "USER_STREAM") {
    const auth = checkApiKey(apiKey, deps.lookup);
    if (auth.ok) accountId = auth.credential.accountId;
    else error = auth.error;
  }
  const weight = typeof route.weight === "number" ? route.weight : route.weight(params);
  const verdict = deps.limiter.take(ip, weight, accountId, route.isOrder === true && error === undefined, now);
  if (error === undefined && verdict.kind === "limited") error = ERR.tooManyRequests(2400);
  if (error === undefined && verdict.kind === "banned") error = ERR.banned(verdict.until);
  let result: unknown;
  if (error === undefined) {
    try {
      result = route.handle({ ex: deps.exchange(), params, now, receivedAt, accountId, listenKeys: deps.listenKeys });
    } catch {
      // A bug in the simulator must not look like a venue outage to the client's retry logic.
      result = ERR.unknown;
    }
  }
  const failed = error ?? (isBinanceError(result) ? result : undefined);
  if (failed === undefined && path === "/fapi/v1/order" && req.method === "POST" && deps.faults.take("acceptThenTimeout")) {
    withhold(res, deps.heldSockets, deps.clock, deps.faults.spec.acceptThenTimeoutResetMs);
    return;
  }
  await sleep(deps.clock, delay - before);
  if (failed !== undefined) sendError(res, failed, verdict.headers);
  else sendJson(res, 200, result, verdict.headers);
}
