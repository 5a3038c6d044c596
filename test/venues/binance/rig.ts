/**
 * An in-process rig for the Binance adapter: the Binance simulator (`hean sim binance`) on a free
 * port, a `BinanceVenue` pointed at it, and the shared venue rig (`../live/venue-rig.ts`): an
 * `EngineState` applying every event the venue sends, orders placed as the executor places them.
 */
import { createHmac } from "node:crypto";
import { dec } from "../../../src/core/decimal.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { resolveLiveTuning } from "../../../src/config/venue-config.ts";
import { type BinanceSimulator, startBinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { engineAccountView } from "../../../src/venues/live/account-view.ts";
import type { AccountView } from "../../../src/venues/venue.ts";
import { BinanceVenue, type BinanceVenueOptions } from "../../../src/venues/binance/adapter.ts";
import { BinanceSigner, authorizeLiveSigning } from "../../../src/venues/binance/signer.ts";
import { type RestProxy, restProxy } from "../live/rest-proxy.ts";
import { VenueRig } from "../live/venue-rig.ts";
import { FAST } from "../bybit/rig.ts";

export { FAST };
export { sleep, waitFor } from "../live/venue-rig.ts";

export const KEY = "bn-rig-key";
export const SECRET = "bn-rig-secret-abcdef";

export function liveSigner(key = KEY, secret = SECRET): BinanceSigner {
  return new BinanceSigner(authorizeLiveSigning({ mode: "live", venue: "binance", live: { iUnderstandLiveTrading: true } }), new Secret(key), new Secret(secret));
}

export interface BinanceRigOptions {
  readonly seed?: number;
  readonly tuning?: Record<string, unknown>;
  readonly state?: EngineState;
  readonly sim?: BinanceSimulator;
  readonly boot?: boolean;
  readonly account?: (a: AccountView) => AccountView;
  /** Point REST here instead of the simulator (a proxy in front of it). */
  readonly restUrl?: string;
  readonly venue?: Partial<BinanceVenueOptions>;
}

export class BinanceRig extends VenueRig<BinanceVenue> {
  readonly sim: BinanceSimulator;

  private constructor(sim: BinanceSimulator, state: EngineState, venue: BinanceVenue) {
    super(state, venue);
    this.sim = sim;
  }

  static build(options: BinanceRigOptions = {}, sim: BinanceSimulator): BinanceRig {
    const state = options.state ?? new EngineState(dec("10000"));
    const account = engineAccountView(state, "rig-journal");
    const venue = new BinanceVenue({
      restUrl: options.restUrl ?? sim.url,
      wsPublicUrl: sim.wsUrl,
      wsPrivateUrl: sim.wsUrl,
      symbols: ["BTCUSDT", "ETHUSDT"],
      signer: liveSigner(),
      account: options.account?.(account) ?? account,
      tuning: resolveLiveTuning({ ...FAST, ...options.tuning }, "venues.binance"),
      ...options.venue,
    });
    return new BinanceRig(sim, state, venue);
  }

  static async start(options: BinanceRigOptions = {}): Promise<BinanceRig> {
    const sim = options.sim ?? (await startBinanceSimulator({ port: 0, seed: options.seed ?? 11, apiKey: KEY, apiSecret: SECRET }));
    const rig = BinanceRig.build(options, sim);
    await rig.venue.start(rig.apply);
    if (options.boot !== false) await rig.venue.reconcile("boot");
    return rig;
  }

  async venueState(): Promise<any> {
    const res = await fetch(`${this.sim.url}/__sim/state`);
    return res.json();
  }

  async venueOrders(id: string): Promise<any[]> {
    return (await this.venueState()).orders.filter((o: any) => o.clientOrderId === id);
  }

  async stop(closeSim = true): Promise<void> {
    await this.venue.stop();
    if (closeSim) await this.sim.close();
  }
}

/** A signed REST call straight to the simulator (to act as "someone else" on the account, or, with another account's key, on the market). */
export async function signedCall(sim: BinanceSimulator, method: "GET" | "POST" | "DELETE", path: string, params: Record<string, unknown>, key = KEY, secret = SECRET): Promise<any> {
  const query = new URLSearchParams(Object.entries({ ...params, timestamp: Date.now(), recvWindow: 5000 }).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const signature = createHmac("sha256", secret).update(query).digest("hex");
  const res = await fetch(`${sim.url}${path}?${query}&signature=${signature}`, { method, headers: { "X-MBX-APIKEY": key } });
  return res.json();
}

/** `--set` overrides for a live run on the Binance simulator (with `FAST` tuning), journaling at `journalPath`. */
export function liveOverrides(sim: BinanceSimulator, journalPath: string): string[] {
  return [
    `journal.path=${JSON.stringify(journalPath)}`,
    "mode=live",
    "venue=binance",
    "live.iUnderstandLiveTrading=true",
    `venues.binance.restUrl=${JSON.stringify(sim.url)}`,
    `venues.binance.wsPublicUrl=${JSON.stringify(sim.wsUrl)}`,
    `venues.binance.wsPrivateUrl=${JSON.stringify(sim.wsUrl)}`,
    ...Object.entries(FAST).map(([k, v]) => `venues.binance.${k}=${JSON.stringify(v)}`),
    'strategy.name="none"',
  ];
}

/**
 * The simulator's REST through a proxy (`restProxy`) that counts the requests `counted` picks and
 * answers those `refused` picks (asked per request: a test can stop refusing) with Binance's
 * -1102 refusal instead of passing them on.
 */
export function binanceRestProxy(sim: BinanceSimulator, options: { readonly counted?: (url: URL) => boolean; readonly refused?: (url: URL) => boolean }): Promise<RestProxy> {
  const refusal = { status: 400, body: { code: -1102, msg: "Mandatory parameter was not sent, was empty/null, or malformed." } };
  return restProxy(sim.url, { ...(options.counted !== undefined ? { counted: options.counted } : {}), refused: (url) => (options.refused?.(url) === true ? refusal : undefined) });
}

/** A request for one order's trades (`GET /fapi/v1/userTrades?orderId=`), as the venue's fetch of an order's fills sends it. */
export const orderTradesRead = (url: URL): boolean => url.pathname === "/fapi/v1/userTrades" && url.searchParams.has("orderId");
