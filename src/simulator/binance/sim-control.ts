/**
 * The simulator's own control routes for Binance (not Binance's): `GET /__sim/state`,
 * `GET|POST /__sim/faults`, `POST /__sim/price`, `POST /__sim/reset`, `POST /__sim/funding`.
 * Plain JSON, no auth, no faults. The state has the Bybit simulator's shape (orders, executions,
 * positions, wallet, faults, streams) in Binance's words.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { add, tryDec, type Dec } from "../../core/decimal.ts";
import { sendJson } from "../shared/http-io.ts";
import { absDec, decText, priceText, qtyText } from "../shared/number-text.ts";
import type { BinanceExchange } from "./exchange.ts";
import { FUNDING_RATE } from "./exchange.ts";
import { parseBinanceFaults, type BinanceExtras } from "./faults.ts";
import type { FaultSpec } from "../shared/faults.ts";

export interface BinanceResetOptions {
  readonly seed?: number | undefined;
  readonly scenario?: string | undefined;
  readonly startingBalance?: Dec | undefined;
}

export interface BinanceControlDeps {
  exchange(): BinanceExchange;
  readonly primaryAccount: string;
  applyFaults(spec: FaultSpec, extras: BinanceExtras): void;
  describeFaults(): Record<string, unknown>;
  streams(): Record<string, unknown>[];
  reset(options: BinanceResetOptions): Promise<void>;
  now(): number;
}

const bad = (res: ServerResponse, error: string): void => sendJson(res, 400, { ok: false, error });

function decField(raw: unknown): Dec | undefined {
  return typeof raw === "string" || typeof raw === "number" ? tryDec(String(raw)) : undefined;
}

export async function handleBinanceControl(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, deps: BinanceControlDeps): Promise<void> {
  const route = `${req.method ?? ""} ${path}`;
  let input: unknown = {};
  if (body !== undefined && body.trim() !== "") {
    try {
      input = JSON.parse(body);
    } catch {
      input = undefined;
    }
  }
  if (req.method === "POST" && (typeof input !== "object" || input === null || Array.isArray(input))) return bad(res, "the body must be a JSON object");
  const fields = (input ?? {}) as Record<string, unknown>;
  const ex = deps.exchange();
  switch (route) {
    case "GET /__sim/state": {
      const account = new URL(req.url ?? "/", "http://x").searchParams.get("account") ?? deps.primaryAccount;
      sendJson(res, 200, { ...binanceState(ex, account, deps.describeFaults(), deps.now()), streams: deps.streams() });
      return;
    }
    case "GET /__sim/faults":
      sendJson(res, 200, { ok: true, faults: deps.describeFaults() });
      return;
    case "POST /__sim/faults": {
      const parsed = parseBinanceFaults(fields);
      if (!parsed.ok) return bad(res, parsed.error);
      deps.applyFaults(parsed.spec, parsed.extras);
      sendJson(res, 200, { ok: true, faults: deps.describeFaults() });
      return;
    }
    case "POST /__sim/price": {
      const symbol = fields["symbol"];
      const price = decField(fields["price"]);
      const instrument = typeof symbol === "string" ? ex.instrument(symbol) : undefined;
      if (instrument === undefined) return bad(res, `unknown symbol ${JSON.stringify(symbol)}`);
      if (price === undefined || price <= 0n) return bad(res, `price must be a positive decimal, got ${JSON.stringify(fields["price"])}`);
      ex.setPrice(instrument.symbol, price);
      sendJson(res, 200, { ok: true, symbol: instrument.symbol, price: decText(price) });
      return;
    }
    case "POST /__sim/funding": {
      const symbol = fields["symbol"];
      if (symbol !== undefined && (typeof symbol !== "string" || ex.instrument(symbol) === undefined)) return bad(res, `unknown symbol ${JSON.stringify(symbol)}`);
      const rate = fields["rate"] === undefined ? FUNDING_RATE : decField(fields["rate"]);
      if (rate === undefined) return bad(res, `rate must be a decimal, got ${JSON.stringify(fields["rate"])}`);
      const settled = ex.settleFunding(symbol as string | undefined, rate);
      sendJson(res, 200, { ok: true, settled, rate: decText(rate) });
      return;
    }
    case "POST /__sim/reset": {
      const seed = fields["seed"];
      const scenario = fields["scenario"];
      const balance = fields["startingBalance"];
      if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0)) return bad(res, "seed must be a non-negative integer");
      if (scenario !== undefined && typeof scenario !== "string") return bad(res, "scenario must be a string");
      const startingBalance = balance === undefined ? undefined : decField(balance);
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

/** Everything a test asserts about an account, oldest first, in Binance's field names. */
export function binanceState(ex: BinanceExchange, accountId: string, faults: Record<string, unknown>, now: number): Record<string, unknown> {
  const w = ex.wallet(accountId);
  return {
    time: now,
    account: accountId,
    orders: ex.orders(accountId).map((o) => {
      const i = ex.instrument(o.symbol)!;
      return {
        orderId: o.orderId,
        clientOrderId: o.clientOrderId,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        origType: o.origType,
        price: priceText(i, o.price),
        stopPrice: priceText(i, o.stopPrice),
        origQty: qtyText(i, o.origQty),
        reduceOnly: o.reduceOnly,
        closePosition: o.closePosition,
        timeInForce: o.timeInForce,
        status: o.status,
        executedQty: qtyText(i, o.executedQty),
        receivedAt: o.receivedAt,
        time: o.time,
        updateTime: o.updateTime,
      };
    }),
    executions: ex.trades(accountId).map((t) => {
      const i = ex.instrument(t.symbol)!;
      return {
        tradeId: t.id,
        orderId: t.orderId,
        clientOrderId: t.clientOrderId,
        symbol: t.symbol,
        side: t.side,
        qty: qtyText(i, t.qty),
        price: priceText(i, t.price),
        commission: decText(t.commission),
        realizedPnl: decText(t.realizedPnl),
        maker: t.maker,
        time: t.time,
      };
    }),
    positions: ex.instruments().map((i) => {
      const p = ex.position(accountId, i.symbol);
      return {
        symbol: i.symbol,
        side: p.positionAmt > 0n ? "LONG" : p.positionAmt < 0n ? "SHORT" : "",
        positionAmt: qtyText(i, p.positionAmt),
        size: qtyText(i, absDec(p.positionAmt)),
        entryPrice: decText(p.entryPrice),
        unRealizedProfit: decText(p.unRealizedProfit),
        leverage: p.leverage,
      };
    }),
    wallet: {
      asset: "USDT",
      walletBalance: decText(w.walletBalance),
      marginBalance: decText(add(w.walletBalance, w.unrealizedProfit)),
      unrealizedProfit: decText(w.unrealizedProfit),
      availableBalance: decText(w.availableBalance),
    },
    income: ex.income(accountId).map((r) => ({ symbol: r.symbol, incomeType: r.incomeType, income: decText(r.income), time: r.time, tranId: r.tranId })),
    faults,
  };
}
