/**
 * An in-process rig for the Bybit adapter: the Bybit simulator on a free port, a `BybitVenue`
 * pointed at it, and an `EngineState` that applies every event the venue sends (as the engine
 * would), recording what it refused. Orders are placed the way the executor places them:
 * intent and `submitted` applied first, then `venue.submit`.
 */
import { createHmac } from "node:crypto";
import { dec, format, type Dec, mul, roundToStep } from "../../../src/core/decimal.ts";
import { describeError } from "../../../src/core/errors.ts";
import type { BookEvent, FillEvent, HeanEvent, OrderType, Side, TimeInForce } from "../../../src/core/events.ts";
import { BUILTIN_INSTRUMENTS } from "../../../src/core/instrument.ts";
import { Secret } from "../../../src/control/secrets.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { engineAccountView } from "../../../src/venues/live/account-view.ts";
import type { AccountView } from "../../../src/venues/venue.ts";
import { BybitVenue } from "../../../src/venues/bybit/adapter.ts";
import { resolveLiveTuning } from "../../../src/config/venue-config.ts";
import { BybitSigner, authorizeLiveSigning } from "../../../src/venues/bybit/signer.ts";

export const KEY = "rig-key";
export const SECRET = "rig-secret-abcdef";

export const FAST = {
  recvWindowMs: 1_000,
  proofMarginMs: 200,
  orderTimeoutMs: 600,
  requestTimeoutMs: 800,
  publicIdleMs: 2_000,
  reconnectInitialMs: 50,
  reconnectMaxMs: 400,
  reconcileOrdersMs: 60_000,
  reconcilePositionsMs: 60_000,
  positionSettleMs: 300,
  cancelConfirmMs: 500,
  breakerOpenMs: 300,
  rateLimitBackoffMs: 100,
  rateLimitMaxBackoffMs: 500,
  breakerMaxOpenMs: 1_000,
  retryBaseMs: 50,
  retryMaxMs: 200,
  startTimeoutMs: 5_000,
  finalReconcileMs: 1_000,
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function liveSigner(key = KEY, secret = SECRET): BybitSigner {
  return new BybitSigner(authorizeLiveSigning({ mode: "live", venue: "bybit", live: { iUnderstandLiveTrading: true } }), new Secret(key), new Secret(secret));
}

export interface PlaceInput {
  readonly symbol?: string;
  readonly side: Side;
  readonly qty: string;
  readonly price?: Dec | undefined;
  readonly orderType?: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly?: boolean;
}

export class Rig {
  readonly sim: BybitSimulator;
  readonly state: EngineState;
  readonly venue: BybitVenue;
  readonly events: HeanEvent[] = [];
  readonly refused: string[] = [];
  duplicateFills = 0;
  #n = 0;

  private constructor(sim: BybitSimulator, state: EngineState, venue: BybitVenue) {
    this.sim = sim;
    this.state = state;
    this.venue = venue;
  }

  static async start(options: { seed?: number; tuning?: Record<string, unknown>; state?: EngineState; sim?: BybitSimulator; boot?: boolean; account?: (a: AccountView) => AccountView } = {}): Promise<Rig> {
    const sim = options.sim ?? (await startBybitSimulator({ port: 0, seed: options.seed ?? 11, apiKey: KEY, apiSecret: SECRET }));
    const state = options.state ?? new EngineState(dec("10000"));
    const account = engineAccountView(state);
    const venue = new BybitVenue({
      restUrl: sim.url,
      wsPublicUrl: sim.wsPublicUrl,
      wsPrivateUrl: sim.wsPrivateUrl,
      symbols: ["BTCUSDT", "ETHUSDT"],
      signer: liveSigner(),
      account: options.account?.(account) ?? account,
      tuning: resolveLiveTuning({ ...FAST, ...options.tuning }),
    });
    const rig = new Rig(sim, state, venue);
    await venue.start((e) => rig.#apply(e));
    if (options.boot !== false) await venue.reconcile("boot");
    return rig;
  }

  #apply(e: HeanEvent): void {
    this.events.push(e);
    try {
      if (this.state.apply(e) === "duplicate-fill") this.duplicateFills++;
    } catch (err) {
      this.refused.push(`${e.type}: ${describeError(err).message}`);
    }
  }

  of<T extends HeanEvent["type"]>(type: T): Extract<HeanEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<HeanEvent, { type: T }> => e.type === type);
  }

  alerts(code: string): HeanEvent[] {
    return this.events.filter((e) => e.type === "alert" && e.code === code);
  }

  book(symbol = "BTCUSDT"): BookEvent | undefined {
    return this.of("market.book").filter((b) => b.symbol === symbol).at(-1);
  }

  async waitBook(symbol = "BTCUSDT"): Promise<BookEvent> {
    return waitFor(`a ${symbol} book`, () => this.book(symbol));
  }

  /** A marketable limit price `bps` through the touch, on the instrument's tick. */
  async through(side: Side, bps = 50, symbol = "BTCUSDT"): Promise<Dec> {
    const b = await this.waitBook(symbol);
    const tick = BUILTIN_INSTRUMENTS.find((i) => i.symbol === symbol)!.tickSize;
    const f = dec(String(1 + (side === "buy" ? bps : -bps) / 10_000));
    return roundToStep(mul(side === "buy" ? b.ask : b.bid, f), tick, side === "buy" ? "ceil" : "floor");
  }

  /** A resting price `bps` away from the touch on the passive side. */
  async away(side: Side, bps = 200, symbol = "BTCUSDT"): Promise<Dec> {
    return this.through(side, -bps, symbol);
  }

  /** Intent and submitted applied (as the executor does), then handed to the venue. */
  place(o: PlaceInput, id = `rig${Date.now().toString(36)}${++this.#n}`): string {
    const symbol = o.symbol ?? "BTCUSDT";
    const orderType = o.orderType ?? "limit";
    const ts = Date.now();
    this.state.apply({
      type: "order.intent",
      ts,
      clientOrderId: id,
      strategyId: "rig",
      symbol,
      side: o.side,
      orderType,
      qty: dec(o.qty),
      price: o.price,
      timeInForce: o.timeInForce ?? "IOC",
      reduceOnly: o.reduceOnly ?? false,
      purpose: o.reduceOnly === true ? "exit" : "entry",
    });
    this.state.apply({ type: "order.submitted", ts, clientOrderId: id, attempt: 1 });
    this.venue.submit({ clientOrderId: id, symbol, side: o.side, orderType, qty: dec(o.qty), price: o.price, timeInForce: o.timeInForce ?? "IOC", reduceOnly: o.reduceOnly ?? false });
    return id;
  }

  cancel(id: string): void {
    const o = this.state.orders.get(id)!;
    this.state.apply({ type: "order.cancel-requested", ts: Date.now(), clientOrderId: id, reason: "rig" });
    this.venue.cancel(id, o.symbol);
  }

  status(id: string): string | undefined {
    return this.state.orders.get(id)?.status;
  }

  fillsOf(id: string): FillEvent[] {
    return this.of("order.filled").filter((f) => f.clientOrderId === id);
  }

  async venueState(): Promise<any> {
    const res = await fetch(`${this.sim.url}/__sim/state`);
    return res.json();
  }

  async venueOrders(id: string): Promise<any[]> {
    return (await this.venueState()).orders.filter((o: any) => o.orderLinkId === id);
  }

  async stop(closeSim = true): Promise<void> {
    await this.venue.stop();
    if (closeSim) await this.sim.close();
  }
}

/** A signed REST call straight to the simulator (to act as "someone else" on the account). */
export async function signedCall(sim: BybitSimulator, method: "GET" | "POST", path: string, params: Record<string, unknown>): Promise<any> {
  const timestamp = String(Date.now());
  const recv = "5000";
  const query = method === "GET" ? new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString() : "";
  const body = method === "POST" ? JSON.stringify(params) : "";
  const sign = createHmac("sha256", SECRET).update(timestamp + KEY + recv + (method === "GET" ? query : body)).digest("hex");
  const res = await fetch(`${sim.url}${path}${query === "" ? "" : `?${query}`}`, {
    method,
    headers: { "X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": timestamp, "X-BAPI-RECV-WINDOW": recv, "X-BAPI-SIGN": sign, "Content-Type": "application/json" },
    ...(method === "POST" ? { body } : {}),
  });
  return res.json();
}

export const fmt = format;

/** Config overrides for a live runtime on `sim` with the fast tuning and no strategy. */
export function liveOverrides(sim: BybitSimulator, journalPath: string): string[] {
  return [
    `journal.path=${JSON.stringify(journalPath)}`,
    "mode=live",
    "venue=bybit",
    "live.iUnderstandLiveTrading=true",
    `venues.bybit.restUrl=${JSON.stringify(sim.url)}`,
    `venues.bybit.wsPublicUrl=${JSON.stringify(sim.wsPublicUrl)}`,
    `venues.bybit.wsPrivateUrl=${JSON.stringify(sim.wsPrivateUrl)}`,
    ...Object.entries(FAST).map(([k, v]) => `venues.bybit.${k}=${JSON.stringify(v)}`),
    'strategy.name="none"',
  ];
}
