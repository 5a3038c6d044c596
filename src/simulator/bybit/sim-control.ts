/**
 * The simulator's own control routes (not Bybit's): `GET /__sim/state`, `POST /__sim/reset`,
 * `GET|POST /__sim/faults`, `POST /__sim/price`, `GET /__sim/requests` (the request log). Plain JSON, no envelope, no auth, no faults.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { add, tryDec, type Dec } from "../../core/decimal.ts";
import type { ExchangePort } from "./exchange-port.ts";
import { parseFaults, type FaultSpec } from "./faults.ts";
import { sendJson } from "./http-io.ts";
import type { OrderView } from "./model.ts";
import type { SimRequest } from "./request-log.ts";
import { availableBalance } from "./wire-account.ts";
import { absDec, decText, priceText, qtyText } from "./wire-format.ts";

export interface ResetOptions {
  readonly seed?: number | undefined;
  readonly scenario?: string | undefined;
  readonly startingBalance?: Dec | undefined;
}

export interface SimControlDeps {
  port(): ExchangePort;
  /** The account `GET /__sim/state` shows unless `?account=` names another. */
  readonly primaryAccount: string;
  applyFaults(spec: FaultSpec): void;
  describeFaults(): Record<string, unknown>;
  /** Open WebSocket connections: kind, authenticated, topics. */
  streams(): Record<string, unknown>[];
  /** Every REST request and stream connection so far (`request-log.ts`). */
  requests(): readonly SimRequest[];
  reset(options: ResetOptions): Promise<void>;
  now(): number;
}

function parseJsonBody(body: string | undefined): unknown {
  if (body === undefined || body.trim() === "") return {};
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const bad = (res: ServerResponse, error: string): void => sendJson(res, 400, { ok: false, error });

export async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, deps: SimControlDeps): Promise<void> {
  const route = `${req.method ?? ""} ${path}`;
  const input = parseJsonBody(body);
  if (req.method === "POST" && (typeof input !== "object" || input === null || Array.isArray(input))) {
    bad(res, "the body must be a JSON object");
    return;
  }
  const fields = (input ?? {}) as Record<string, unknown>;
  switch (route) {
    case "GET /__sim/state": {
      const account = new URL(req.url ?? "/", "http://x").searchParams.get("account") ?? deps.primaryAccount;
      sendJson(res, 200, { ...simState(deps.port(), account, deps.describeFaults(), deps.now()), streams: deps.streams() });
      return;
    }
    case "GET /__sim/faults":
      sendJson(res, 200, { ok: true, faults: deps.describeFaults() });
      return;
    case "GET /__sim/requests":
      sendJson(res, 200, { ok: true, requests: deps.requests() });
      return;
    case "POST /__sim/faults": {
      const parsed = parseFaults(fields);
      if (!parsed.ok) {
        bad(res, parsed.error);
        return;
      }
      deps.applyFaults(parsed.spec);
      sendJson(res, 200, { ok: true, faults: deps.describeFaults() });
      return;
    }
    case "POST /__sim/price": {
      const symbol = fields["symbol"];
      const raw = fields["price"];
      const price = typeof raw === "string" || typeof raw === "number" ? tryDec(typeof raw === "number" ? String(raw) : raw) : undefined;
      const instrument = typeof symbol === "string" ? deps.port().instrument(symbol) : undefined;
      if (instrument === undefined) return bad(res, `unknown symbol ${JSON.stringify(symbol)}`);
      if (price === undefined || price <= 0n) return bad(res, `price must be a positive decimal, got ${JSON.stringify(raw)}`);
      deps.port().setPrice(instrument.symbol, price);
      sendJson(res, 200, { ok: true, symbol: instrument.symbol, price: decText(price) });
      return;
    }
    case "POST /__sim/reset": {
      const seed = fields["seed"];
      const scenario = fields["scenario"];
      const balance = fields["startingBalance"];
      if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0)) return bad(res, "seed must be a non-negative integer");
      if (scenario !== undefined && typeof scenario !== "string") return bad(res, "scenario must be a string");
      const startingBalance = balance === undefined ? undefined : tryDec(typeof balance === "number" ? String(balance) : balance);
      if (balance !== undefined && (startingBalance === undefined || startingBalance < 0n)) return bad(res, "startingBalance must be a decimal ≥ 0");
      try {
        await deps.reset({ seed: seed as number | undefined, scenario: scenario as string | undefined, startingBalance });
      } catch (e) {
        return bad(res, e instanceof Error ? e.message : String(e));
      }
      sendJson(res, 200, { ok: true });
      return;
    }
    default:
      sendJson(res, 404, { ok: false, error: `no simulator route ${route}` });
  }
}

function orderState(port: ExchangePort, o: OrderView): Record<string, unknown> {
  const i = port.instrument(o.symbol)!;
  return {
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    price: o.price === undefined ? "0" : priceText(i, o.price),
    qty: qtyText(i, o.qty),
    reduceOnly: o.reduceOnly,
    timeInForce: o.timeInForce,
    orderStatus: o.orderStatus,
    cumExecQty: qtyText(i, o.cumExecQty),
    cancelType: o.cancelType,
    rejectReason: o.rejectReason,
    receivedAt: o.receivedAt,
    createdTime: o.createdTime,
    updatedTime: o.updatedTime,
  };
}

/** Everything a test wants to assert about the account, oldest first, in Bybit's field names. */
export function simState(port: ExchangePort, accountId: string, faults: Record<string, unknown>, now: number): Record<string, unknown> {
  const wallet = port.wallet(accountId);
  return {
    time: now,
    account: accountId,
    orders: port.orders(accountId).reverse().map((o) => orderState(port, o)),
    executions: port
      .executions(accountId)
      .reverse()
      .map((e) => {
        const i = port.instrument(e.symbol)!;
        return {
          execId: e.execId,
          orderId: e.orderId,
          orderLinkId: e.orderLinkId,
          symbol: e.symbol,
          side: e.side,
          execQty: qtyText(i, e.execQty),
          execPrice: priceText(i, e.execPrice),
          execFee: decText(e.execFee),
          isMaker: e.isMaker,
          execTime: String(e.execTime),
        };
      }),
    positions: port.instruments().map((i) => {
      const p = port.position(accountId, i.symbol);
      return {
        symbol: i.symbol,
        side: p.size > 0n ? "Buy" : p.size < 0n ? "Sell" : "",
        size: qtyText(i, absDec(p.size)),
        avgPrice: decText(p.avgPrice),
        unrealisedPnl: decText(p.unrealisedPnl),
        cumRealisedPnl: decText(p.cumRealisedPnl),
        stopLoss: p.stopLoss === undefined ? "" : decText(p.stopLoss),
      };
    }),
    wallet: {
      coin: wallet.coin,
      walletBalance: decText(wallet.walletBalance),
      equity: decText(add(wallet.walletBalance, wallet.unrealisedPnl)),
      unrealisedPnl: decText(wallet.unrealisedPnl),
      cumRealisedPnl: decText(wallet.cumRealisedPnl),
      availableBalance: decText(availableBalance(wallet)),
    },
    faults,
  };
}
