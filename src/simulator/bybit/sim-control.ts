/**
 * The simulator's own control routes (not Bybit's): `GET /__sim/state`, `POST /__sim/reset`,
 * `GET|POST /__sim/faults`, `POST /__sim/price`. Plain JSON, no envelope, no auth, no faults.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { add } from "../../core/decimal.ts";
import type { ExchangePort } from "./exchange-port.ts";
import { parseFaults, type FaultSpec } from "../shared/faults.ts";
import type { ResetFields as ResetOptions } from "../shared/control-input.ts";
import { handleSimControl } from "../shared/control-input.ts";
import type { OrderView } from "./model.ts";
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
  });
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
