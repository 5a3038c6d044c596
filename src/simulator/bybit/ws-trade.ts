/**
 * `/v5/trade`: order entry over WebSocket. `auth` once, then `order.create`, `order.amend` and
 * `order.cancel` with a `header` carrying X-BAPI-TIMESTAMP (and optionally X-BAPI-RECV-WINDOW);
 * answers carry `reqId`, `retCode`, `retMsg`, `op`, `data`, `retExtInfo`, the rate-limit
 * `header` and `connId`. The same handlers as REST book the orders.
 */
import type { Clock } from "../../core/clock.ts";
import { RET } from "./codes.ts";
import { fail, isFailure, type Reply } from "./envelope.ts";
import type { ExchangePort } from "./exchange-port.ts";
import type { FaultState } from "../shared/faults.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { Params } from "./rest-params.ts";
import { amendOrder, cancelOrder, createOrder } from "./rest-trade.ts";
import type { SeededRandom } from "../shared/rng.ts";
import { checkWsAuth, DEFAULT_RECV_WINDOW, type ApiCredential } from "./signing.ts";
import type { WsPeer } from "../shared/ws-peer.ts";

const OPS: Readonly<Record<string, { path: string; run: (port: ExchangePort, p: Params, account: string, at: number) => Reply }>> = {
  "order.create": { path: "/v5/order/create", run: (port, p, a, at) => createOrder(port, p, a, at) },
  "order.amend": { path: "/v5/order/amend", run: (port, p, a) => amendOrder(port, p, a) },
  "order.cancel": { path: "/v5/order/cancel", run: (port, p, a) => cancelOrder(port, p, a) },
};

export interface TradeDeps {
  readonly clock: Clock;
  readonly faults: FaultState;
  readonly limiter: RateLimiter;
  readonly random: SeededRandom;
  port(): ExchangePort;
  lookup(apiKey: string): ApiCredential | undefined;
}

type Request = { op?: unknown; args?: unknown; reqId?: unknown; header?: unknown };

export function handleTradeMessage(peer: WsPeer, text: string, deps: TradeDeps): void {
  const receivedAt = deps.clock.now();
  let request: Request;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    request = parsed as Request;
  } catch {
    peer.send({ retCode: RET.PARAM, retMsg: "request not json", op: "", connId: peer.connId });
    return;
  }
  const op = typeof request.op === "string" ? request.op : "";
  const reqId = typeof request.reqId === "string" ? { reqId: request.reqId } : {};
  const answer = (retCode: number, retMsg: string, extra: Record<string, unknown> = {}): void =>
    peer.send({ ...reqId, retCode, retMsg, op, ...extra, connId: peer.connId });

  if (op === "ping") {
    answer(0, "OK", { op: "pong", data: [String(deps.clock.now())] });
    return;
  }
  if (op === "auth") {
    if (peer.credential !== undefined) {
      answer(20001, "Repeat auth");
      return;
    }
    const result = checkWsAuth(request.args, deps.lookup, deps.clock.now());
    if (!result.ok) {
      if (result.reason === "sign") answer(RET.SIGN, "Invalid sign");
      else if (result.reason === "key") answer(RET.API_KEY, "API key is invalid.");
      else answer(RET.PARAM, "Params Error");
      return;
    }
    peer.credential = result.credential;
    answer(0, "OK");
    return;
  }
  const handler = OPS[op];
  if (handler === undefined) {
    answer(RET.PARAM, `Invalid op: ${JSON.stringify(op)}`);
    return;
  }
  if (peer.credential === undefined) {
    answer(RET.API_KEY, "Request not authorized");
    return;
  }
  const header = typeof request.header === "object" && request.header !== null ? (request.header as Record<string, unknown>) : {};
  const now = deps.clock.now();
  const timestamp = String(header["X-BAPI-TIMESTAMP"] ?? "");
  const recvWindow = Number(header["X-BAPI-RECV-WINDOW"] ?? DEFAULT_RECV_WINDOW);
  const ts = /^\d+$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  const verdict = deps.limiter.take(peer.credential.apiKey, handler.path, now);
  const limitHeader = { ...verdict.headers, Traceid: deps.random.uuid().replaceAll("-", ""), Timenow: String(now) };
  let reply: Reply;
  if (!(Number.isFinite(recvWindow) && now - recvWindow <= ts && ts < now + 1000)) {
    reply = fail(RET.TIMESTAMP, `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${recvWindow}]`);
  } else if (!verdict.allowed) {
    reply = fail(RET.RATE_LIMIT);
  } else if (!Array.isArray(request.args) || request.args.length !== 1 || typeof request.args[0] !== "object" || request.args[0] === null) {
    reply = fail(RET.PARAM, "params error: args must hold exactly one request object");
  } else {
    try {
      reply = handler.run(deps.port(), new Params(request.args[0] as Record<string, unknown>), peer.credential.accountId, receivedAt);
    } catch {
      reply = fail(RET.SERVER_ERROR);
    }
  }
  // The accept-then-timeout fault covers order creation on this channel too: booked, never answered.
  if (op === "order.create" && !isFailure(reply) && deps.faults.take("acceptThenTimeout")) return;
  // Observed: a refused order's answer has no retExtInfo; an accepted one has it.
  const body = isFailure(reply) ? { data: reply.result, header: limitHeader } : { data: reply.result, retExtInfo: reply.retExtInfo, header: limitHeader };
  answer(reply.retCode, reply.retMsg, body);
}
