/**
 * What the chaos harness needs to know about each venue, in one table: how to start its
 * simulator and find its URLs, how the engine is pointed at it (flags, key variables, tuning
 * prefix), which faults its schedules draw from, and how its `GET /__sim/state` reads in the
 * harness's common shape (`SimState`: the Bybit simulator's field names, which the comparison
 * was first written in). Everything else in the harness is venue-neutral.
 */
import type { SimState } from "./harness.ts";

export type ChaosVenueName = "bybit" | "binance";

type FaultMaker = (r: () => number) => Record<string, unknown>;

export interface ChaosVenue {
  readonly name: ChaosVenueName;
  /** `hean sim <name>` plus these; the harness adds port, seed and the keys. */
  readonly simArgs: readonly string[];
  /** The REST base on the simulator's start line (group 1). */
  readonly startedLine: RegExp;
  /** The engine's `--rest-url`, `--ws-public-url`, `--ws-private-url` for a simulator at `http://host:port`. */
  urls(origin: string): { readonly url: string; readonly wsPublicUrl: string; readonly wsPrivateUrl: string };
  /** Where the engine reads its keys. */
  readonly keyEnv: { readonly key: string; readonly secret: string };
  /** `--set <prefix>.<tuning key>=…` */
  readonly tuningPrefix: string;
  /** Order statuses of the venue's own words under which an order still works. */
  readonly openStatuses: ReadonlySet<string>;
  /** The simulator's raw `GET /__sim/state` in the common shape. */
  normalize(raw: any): SimState;
  /** The faults random schedules draw from (each a maker of one fault set from the schedule's PRNG). */
  readonly faults: readonly FaultMaker[];
  /** What the engine logs when an order-book gap made it resync. */
  readonly gapMessage: RegExp;
  /** The 429 storm of the breaker scenario. */
  readonly storm429: Record<string, unknown>;
  /** How long each fault step of a random schedule lasts, at least and at most (ms). */
  readonly stepMs: readonly [number, number];
}

const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** The faults both simulators take under the same keys (src/simulator/shared/faults.ts). */
const SHARED_FAULTS: readonly FaultMaker[] = [
  (r) => ({ acceptThenTimeout: int(r, 1, 2) }),
  (r) => ({ acceptThenTimeout: int(r, 1, 2), acceptThenTimeoutResetMs: int(r, 100, 600) }),
  (r) => ({ http5xx: int(r, 1, 4) }),
  (r) => ({ http429: int(r, 1, 3) }),
  (r) => ({ dropPrivateWsEveryMs: int(r, 500, 1_500) }),
  () => ({ disconnectPrivate: true }),
  () => ({ disconnectPublic: true }),
  (r) => ({ duplicatePrivate: int(r, 1, 6) }),
  (r) => ({ reorderPrivate: int(r, 1, 6) }),
  (r) => ({ bookGaps: int(r, 1, 2) }),
];
const LATENCY: FaultMaker = (r) => ({ latencyMs: { rest: int(r, 0, 150), private: int(r, 0, 100) }, jitterMs: { rest: int(r, 0, 80), private: int(r, 0, 80) } });

/** The Bybit table is the harness's original one, in the original order: its seeds replay the same schedules as before. */
export const BYBIT: ChaosVenue = {
  name: "bybit",
  simArgs: ["sim", "bybit"],
  startedLine: /rest (http:\/\/[^\s]+)/,
  urls: (origin) => {
    const ws = origin.replace("http://", "ws://");
    return { url: origin, wsPublicUrl: `${ws}/v5/public/linear`, wsPrivateUrl: `${ws}/v5/private` };
  },
  keyEnv: { key: "HEAN_BYBIT_API_KEY", secret: "HEAN_BYBIT_API_SECRET" },
  tuningPrefix: "venues.bybit",
  openStatuses: new Set(["New", "PartiallyFilled", "Untriggered"]),
  normalize: (raw) => raw as SimState,
  faults: [...SHARED_FAULTS, () => ({ bookRestart: true }), LATENCY],
  gapMessage: /sequence gap: expected u=\d+, got u=\d+; resyncing from a fresh snapshot/,
  storm429: { http429: 12 },
  stepMs: [600, 1_100],
};

const LONG_SHORT: Record<string, string> = { LONG: "Buy", SHORT: "Sell" };

/**
 * Binance USD-M: the simulator's state is in Binance's words (src/simulator/binance/sim-control.ts).
 * Trade ids are unique per symbol only, so the adapter journals `<symbol>:<tradeId>` as the fill id
 * (src/venues/binance/wire.ts `fillIdOf`); the executions' ids read the same here.
 */
export const BINANCE: ChaosVenue = {
  name: "binance",
  simArgs: ["sim", "binance"],
  startedLine: /rest (http:\/\/[^\s/]+)\/fapi/,
  urls: (origin) => {
    const ws = origin.replace("http://", "ws://");
    return { url: origin, wsPublicUrl: ws, wsPrivateUrl: ws };
  },
  keyEnv: { key: "HEAN_BINANCE_API_KEY", secret: "HEAN_BINANCE_API_SECRET" },
  tuningPrefix: "venues.binance",
  openStatuses: new Set(["NEW", "PARTIALLY_FILLED"]),
  normalize: (raw) => ({
    orders: (raw.orders as any[]).map((o) => ({
      orderId: String(o.orderId),
      orderLinkId: String(o.clientOrderId),
      symbol: o.symbol,
      side: o.side,
      qty: o.origQty,
      orderStatus: o.status,
      cumExecQty: o.executedQty,
      receivedAt: o.receivedAt,
      reduceOnly: o.reduceOnly,
    })),
    executions: (raw.executions as any[]).map((e) => ({
      execId: `${e.symbol}:${e.tradeId}`,
      orderLinkId: String(e.clientOrderId),
      symbol: e.symbol,
      side: e.side,
      execQty: e.qty,
      execTime: String(e.time),
    })),
    positions: (raw.positions as any[]).map((p) => ({ symbol: p.symbol, side: LONG_SHORT[p.side] ?? "", size: p.size })),
    wallet: { walletBalance: raw.wallet.walletBalance },
  }),
  // A 429 or 418 carries Retry-After, which the adapter honours: seconds here, where Binance says up to a minute (429) or minutes to days (418).
  faults: [
    ...SHARED_FAULTS.map((make): FaultMaker => (r) => {
      const f = make(r);
      return "http429" in f ? { ...f, retryAfterS: 1 } : f;
    }),
    (r) => ({ http418: int(r, 1, 2), retryAfterS: int(r, 1, 2) }),
    () => ({ expireListenKeys: true }),
    LATENCY,
  ],
  gapMessage: /sequence break: pu=\d+ is not the previous u=\d+; resyncing from a fresh snapshot/,
  storm429: { http429: 12, retryAfterS: 1 },
  // Shorter steps: the faults are mostly counts the engine's traffic uses up, and 50 schedules must fit CI.
  stepMs: [400, 800],
};

export const CHAOS_VENUES: Readonly<Record<ChaosVenueName, ChaosVenue>> = { bybit: BYBIT, binance: BINANCE };

export function chaosVenue(name: string): ChaosVenue | undefined {
  return Object.hasOwn(CHAOS_VENUES, name) ? CHAOS_VENUES[name as ChaosVenueName] : undefined;
}
