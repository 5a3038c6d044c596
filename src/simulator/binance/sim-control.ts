/**
 * The simulator's own control routes for Binance (not Binance's): `GET /__sim/state`,
 * `GET|POST /__sim/faults`, `POST /__sim/price`, `POST /__sim/reset`, `POST /__sim/funding`.
 * Plain JSON, no auth, no faults. The state has the Bybit simulator's shape (orders, executions,
 * positions, wallet, faults, streams) in Binance's words.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { add } from "../../core/decimal.ts";
import type { ResetFields as BinanceResetOptions } from "../shared/control-input.ts";
import { badRequest, decimalField, handleSimControl } from "../shared/control-input.ts";
import { sendJson } from "../shared/http-io.ts";
import { absDec, decText, priceText, qtyText } from "../shared/number-text.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BinanceExchange, BnOrderView, BnTrade } from "./exchange.ts";
import { FUNDING_RATE } from "./exchange.ts";
import { parseBinanceFaults, type BinanceExtras } from "./faults.ts";
import type { FaultSpec } from "../shared/faults.ts";

export type { BinanceResetOptions };

export interface BinanceControlDeps {
  exchange(): BinanceExchange;
  readonly primaryAccount: string;
  applyFaults(spec: FaultSpec, extras: BinanceExtras): void;
  describeFaults(): Record<string, unknown>;
  streams(): Record<string, unknown>[];
  reset(options: BinanceResetOptions): Promise<void>;
  now(): number;
}


export function handleBinanceControl(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, deps: BinanceControlDeps): Promise<void> {
  const ex = deps.exchange();
  return handleSimControl(req, res, path, body, {
    primaryAccount: deps.primaryAccount,
    state: (account) => ({ ...binanceState(ex, account, deps.describeFaults(), deps.now()), streams: deps.streams() }),
    applyFaults: (fields) => {
      const parsed = parseBinanceFaults(fields);
      if (!parsed.ok) return parsed.error;
      deps.applyFaults(parsed.spec, parsed.extras);
      return undefined;
    },
    describeFaults: deps.describeFaults,
    knownSymbol: (symbol) => ex.instrument(symbol) !== undefined,
    setPrice: (symbol, price) => ex.setPrice(symbol, price),
    reset: deps.reset,
    extra: { "POST /__sim/funding": (fields, r) => settleFunding(ex, fields, r) },
  });
}

/** `POST /__sim/funding {symbol?, rate?}`: settle funding now (all symbols when none is named; the default rate 0.0001). */
function settleFunding(ex: BinanceExchange, fields: Record<string, unknown>, res: ServerResponse): void {
  const symbol = fields["symbol"];
  if (symbol !== undefined && (typeof symbol !== "string" || ex.instrument(symbol) === undefined)) return badRequest(res, `unknown symbol ${JSON.stringify(symbol)}`);
  const rate = fields["rate"] === undefined ? FUNDING_RATE : decimalField(fields["rate"]);
  if (rate === undefined) return badRequest(res, `rate must be a decimal, got ${JSON.stringify(fields["rate"])}`);
  const settled = ex.settleFunding(symbol as string | undefined, rate);
  sendJson(res, 200, { ok: true, settled, rate: decText(rate) });
}

const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

const ORDER_FIELDS = ["orderId", "clientOrderId", "symbol", "side", "type", "origType", "reduceOnly", "closePosition", "timeInForce", "status", "receivedAt", "time", "updateTime"] as const;
const TRADE_FIELDS = ["orderId", "clientOrderId", "symbol", "side", "maker", "time"] as const;

const orderRow = (i: Instrument, o: BnOrderView): Record<string, unknown> => ({
  ...pick(o, ORDER_FIELDS),
  price: priceText(i, o.price),
  stopPrice: priceText(i, o.stopPrice),
  origQty: qtyText(i, o.origQty),
  executedQty: qtyText(i, o.executedQty),
});

const tradeRow = (i: Instrument, t: BnTrade): Record<string, unknown> => ({
  tradeId: t.id,
  ...pick(t, TRADE_FIELDS),
  qty: qtyText(i, t.qty),
  price: priceText(i, t.price),
  commission: decText(t.commission),
  realizedPnl: decText(t.realizedPnl),
});

/** Everything a test asserts about an account, oldest first, in Binance's field names (the Bybit simulator's state shape). */
export function binanceState(ex: BinanceExchange, accountId: string, faults: Record<string, unknown>, now: number): Record<string, unknown> {
  const w = ex.wallet(accountId);
  const instrument = (symbol: string): Instrument => ex.instrument(symbol)!;
  return {
    time: now,
    account: accountId,
    orders: ex.orders(accountId).map((o) => orderRow(instrument(o.symbol), o)),
    executions: ex.trades(accountId).map((t) => tradeRow(instrument(t.symbol), t)),
    positions: ex.instruments().map((i) => {
      const p = ex.position(accountId, i.symbol);
      const side = p.positionAmt > 0n ? "LONG" : p.positionAmt < 0n ? "SHORT" : "";
      return { symbol: i.symbol, side, positionAmt: qtyText(i, p.positionAmt), size: qtyText(i, absDec(p.positionAmt)), entryPrice: decText(p.entryPrice), unRealizedProfit: decText(p.unRealizedProfit), leverage: p.leverage };
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
