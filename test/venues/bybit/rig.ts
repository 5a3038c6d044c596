/**
 * An in-process rig for the Bybit adapter: the Bybit simulator on a free port, a `BybitVenue`
 * pointed at it, and the shared venue rig (`../live/venue-rig.ts`): an `EngineState` applying every
 * event the venue sends (recording what it refused), orders placed as the executor places them.
 */
import { createHmac } from "node:crypto";
import { dec, format } from "../../../src/core/decimal.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { engineAccountView } from "../../../src/venues/live/account-view.ts";
import type { AccountView } from "../../../src/venues/venue.ts";
import { BybitVenue, type BybitVenueOptions } from "../../../src/venues/bybit/adapter.ts";
import { resolveLiveTuning } from "../../../src/config/venue-config.ts";
import { BybitSigner, authorizeLiveSigning } from "../../../src/venues/bybit/signer.ts";
import { VenueRig } from "../live/venue-rig.ts";

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

export { sleep, waitFor } from "../live/venue-rig.ts";
export type { PlaceInput } from "../live/venue-rig.ts";

export function liveSigner(key = KEY, secret = SECRET): BybitSigner {
  return new BybitSigner(authorizeLiveSigning({ mode: "live", venue: "bybit", live: { iUnderstandLiveTrading: true } }), new Secret(key), new Secret(secret));
}

export class Rig extends VenueRig<BybitVenue> {
  readonly sim: BybitSimulator;

  private constructor(sim: BybitSimulator, state: EngineState, venue: BybitVenue) {
    super(state, venue);
    this.sim = sim;
  }

  static async start(
    options: { seed?: number; tuning?: Record<string, unknown>; state?: EngineState; sim?: BybitSimulator; boot?: boolean; account?: (a: AccountView) => AccountView; venue?: Partial<BybitVenueOptions> } = {},
  ): Promise<Rig> {
    const sim = options.sim ?? (await startBybitSimulator({ port: 0, seed: options.seed ?? 11, apiKey: KEY, apiSecret: SECRET }));
    const state = options.state ?? new EngineState(dec("10000"));
    const account = engineAccountView(state, "rig-journal");
    const venue = new BybitVenue({
      restUrl: sim.url,
      wsPublicUrl: sim.wsPublicUrl,
      wsPrivateUrl: sim.wsPrivateUrl,
      symbols: ["BTCUSDT", "ETHUSDT"],
      signer: liveSigner(),
      account: options.account?.(account) ?? account,
      tuning: resolveLiveTuning({ ...FAST, ...options.tuning }),
      ...options.venue,
    });
    const rig = new Rig(sim, state, venue);
    await venue.start(rig.apply);
    if (options.boot !== false) await venue.reconcile("boot");
    return rig;
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

/** A signed REST call straight to the simulator (to act as "someone else" on the account, or, with another account's key, on the market). */
export async function signedCall(sim: BybitSimulator, method: "GET" | "POST", path: string, params: Record<string, unknown>, key = KEY, secret = SECRET): Promise<any> {
  const timestamp = String(Date.now());
  const recv = "5000";
  const query = method === "GET" ? new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString() : "";
  const body = method === "POST" ? JSON.stringify(params) : "";
  const sign = createHmac("sha256", secret).update(timestamp + key + recv + (method === "GET" ? query : body)).digest("hex");
  const res = await fetch(`${sim.url}${path}${query === "" ? "" : `?${query}`}`, {
    method,
    headers: { "X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": timestamp, "X-BAPI-RECV-WINDOW": recv, "X-BAPI-SIGN": sign, "Content-Type": "application/json" },
    ...(method === "POST" ? { body } : {}),
  });
  return res.json();
}

export const fmt = format;

/** `--set` overrides for a live run on the Bybit simulator (with `FAST` tuning), journaling at `journalPath`. */
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
