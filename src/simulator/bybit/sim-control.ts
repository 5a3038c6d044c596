/**
 * The simulator's own control routes (not Bybit's): `GET /__sim/state`, `POST /__sim/reset`,
 * `GET|POST /__sim/faults`, `POST /__sim/price`, `POST /__sim/funding` (settle funding now),
 * `POST /__sim/wallet` (deposit or withdraw), `GET /__sim/requests` (the request log). Plain JSON,
 * no envelope, no auth, no faults.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { add } from "../../core/decimal.ts";
import type { ExchangePort } from "./exchange-port.ts";
import { parseFaults, type FaultSpec } from "../shared/faults.ts";
import type { ResetFields as ResetOptions } from "../shared/control-input.ts";
import { badRequest, decimalField, handleSimControl } from "../shared/control-input.ts";
import { sendJson } from "../shared/http-io.ts";
import type { OrderView } from "./model.ts";
import type { SimRequest } from "./request-log.ts";
import { availableBalance } from "./wire-account.ts";
import { absDec, decText, priceText, qtyText } from "./wire-format.ts";

export type { ResetOptions };

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

export function handleControl(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, deps: SimControlDeps): Promise<void> {
  return handleSimControl(req, res, path, body, {
    primaryAccount: deps.primaryAccount,
    state: (account) => ({ ...simState(deps.port(), account, deps.describeFaults(), deps.now()), streams: deps.streams() }),
    applyFaults: (fields) => {
      const parsed = parseFaults(fields);
      if (!parsed.ok) return parsed.error;
      deps.applyFaults(parsed.spec);
      return undefined;
    },
    describeFaults: deps.describeFaults,
    knownSymbol: (symbol) => deps.port().instrument(symbol) !== undefined,
    setPrice: (symbol, price) => deps.port().setPrice(symbol, price),
    reset: deps.reset,
    extra: {
      "POST /__sim/funding": (fields, res) => settleFunding(fields, res, deps.port()),
      "POST /__sim/wallet": (fields, res) => adjustWallet(fields, res, deps.port(), deps.primaryAccount),
      "GET /__sim/requests": (_fields, res) => sendJson(res, 200, { ok: true, requests: deps.requests() }),
    },
  });
}

/** Settle funding now for every open position (or one symbol's), at the mark and `rate` (default: the market's). */
function settleFunding(fields: Record<string, unknown>, res: ServerResponse, port: ExchangePort): void {
  const symbol = fields["symbol"];
  const rawRate = fields["rate"];
  const rate = rawRate === undefined ? undefined : decimalField(rawRate);
  if (rawRate !== undefined && rate === undefined) return badRequest(res, `rate must be a decimal, got ${JSON.stringify(rawRate)}`);
  if (symbol !== undefined && (typeof symbol !== "string" || port.instrument(symbol) === undefined)) return badRequest(res, `unknown symbol ${JSON.stringify(symbol)}`);
  const settled = port.settleFunding(rate, symbol as string | undefined);
  sendJson(res, 200, {
    ok: true,
    settled: settled.map((e) => ({ account: e.accountId, execId: e.execId, symbol: e.symbol, side: e.side, execQty: decText(e.execQty), markPrice: decText(e.markPrice), feeRate: decText(e.feeRate), execFee: decText(e.execFee) })),
  });
}

/** Deposit (or, negative, withdraw); `logged: false` moves the wallet with no ledger entry (a divergence to test). */
function adjustWallet(fields: Record<string, unknown>, res: ServerResponse, port: ExchangePort, primaryAccount: string): void {
  const rawAmount = fields["amount"];
  const amount = decimalField(rawAmount);
  const account = fields["account"] ?? primaryAccount;
  const logged = fields["logged"] ?? true;
  if (amount === undefined || amount === 0n) return badRequest(res, `amount must be a non-zero decimal (negative withdraws), got ${JSON.stringify(rawAmount)}`);
  if (typeof account !== "string") return badRequest(res, "account must be a string");
  if (typeof logged !== "boolean") return badRequest(res, "logged must be true or false");
  const outcome = port.adjustWallet(account, amount, logged);
  if (!outcome.ok) return badRequest(res, outcome.retMsg ?? `refused (${outcome.retCode})`);
  sendJson(res, 200, { ok: true, account, walletBalance: decText(outcome.value.walletBalance) });
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
          execType: e.execType,
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
