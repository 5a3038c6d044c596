/**
 * A live venue's config block (`venues.<id>`): its endpoints, testnet switch and the tuning of
 * the shared live core (every timeout, interval and policy). Defaults follow Bybit's
 * documentation (recv window 5 s, ping every 20 s) and the issue (reconcile open orders and
 * executions every 30 s, positions and wallet every 60 s). Unknown keys and out-of-range values
 * are refused with the key named, changing nothing.
 */
import { type Dec, dec } from "../core/decimal.ts";
import { HeanError, describeValue } from "../core/errors.ts";

/** Whether an order the venue provably never received is sent again under the same client order id. */
export type ResendPolicy = "always" | "reduce-only" | "never";

export interface LiveTuning {
  /** X-BAPI-RECV-WINDOW: also how long after a send the venue may still accept it. */
  readonly recvWindowMs: number;
  /** A create with no answer after this long is UNKNOWN. */
  readonly orderTimeoutMs: number;
  /** Reads and cancels time out after this long. */
  readonly requestTimeoutMs: number;
  /** Extra margin on top of the recv window before absence at the venue counts as proof. */
  readonly proofMarginMs: number;
  readonly resendUnseen: ResendPolicy;
  /** How long an entry may wait for the rate limiter before it is refused unsent. */
  readonly orderMaxWaitMs: number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** An open public socket that carries no data for this long is reconnected. */
  readonly publicIdleMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  /** Wait this long for both streams on start before carrying on (health shows what is down). */
  readonly startTimeoutMs: number;
  /**
   * The whole start (clock, streams, boot reconciliation) must succeed within this, retrying an
   * unreachable venue with backoff meanwhile; then hean exits with a clear message.
   */
  readonly bootTimeoutMs: number;
  readonly bookDepth: 1 | 50 | 200 | 1000;
  readonly reconcileOrdersMs: number;
  readonly reconcilePositionsMs: number;
  /** Executions are fetched from the last one seen minus this overlap. */
  readonly executionOverlapMs: number;
  /** On a restart, how far back executions and the ledger are searched at least (from the last reconciliation when that is earlier). */
  readonly bootLookbackMs: number;
  /** A position difference up to this (base units) is tolerated. */
  readonly positionTolerance: Dec;
  /** Adopt the venue's position (an external fill) when a mismatch persists. */
  readonly adoptVenuePositions: boolean;
  /** A mismatch must persist this long, unchanged and with no activity, before it is adopted. */
  readonly positionSettleMs: number;
  /** After a cancel is acknowledged, the stream has this long to confirm before we ask. */
  readonly cancelConfirmMs: number;
  readonly retryAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** First backoff after a rate refusal (429 / 10006); doubles per refusal in a row. */
  readonly rateLimitBackoffMs: number;
  readonly rateLimitMaxBackoffMs: number;
  /** Consecutive transport/5xx/429 failures that open the circuit breaker. */
  readonly breakerFailures: number;
  readonly breakerOpenMs: number;
  readonly breakerMaxOpenMs: number;
  /** On stop, how long the last reconciliation may take. */
  readonly finalReconcileMs: number;
}

export const DEFAULT_LIVE_TUNING: LiveTuning = Object.freeze({
  recvWindowMs: 5_000,
  orderTimeoutMs: 5_000,
  requestTimeoutMs: 5_000,
  proofMarginMs: 1_000,
  resendUnseen: "reduce-only" as const,
  orderMaxWaitMs: 2_000,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 10_000,
  publicIdleMs: 5_000,
  connectTimeoutMs: 10_000,
  reconnectInitialMs: 250,
  reconnectMaxMs: 5_000,
  startTimeoutMs: 10_000,
  bootTimeoutMs: 60_000,
  bookDepth: 50 as const,
  reconcileOrdersMs: 30_000,
  reconcilePositionsMs: 60_000,
  executionOverlapMs: 60_000,
  bootLookbackMs: 15 * 60_000,
  positionTolerance: dec("0"),
  adoptVenuePositions: true,
  positionSettleMs: 2_000,
  cancelConfirmMs: 2_000,
  retryAttempts: 3,
  retryBaseMs: 200,
  retryMaxMs: 2_000,
  rateLimitBackoffMs: 250,
  rateLimitMaxBackoffMs: 5_000,
  breakerFailures: 3,
  breakerOpenMs: 2_000,
  breakerMaxOpenMs: 30_000,
  finalReconcileMs: 3_000,
});

const MS_KEYS = [
  "recvWindowMs",
  "orderTimeoutMs",
  "requestTimeoutMs",
  "proofMarginMs",
  "orderMaxWaitMs",
  "pingIntervalMs",
  "pongTimeoutMs",
  "publicIdleMs",
  "connectTimeoutMs",
  "reconnectInitialMs",
  "reconnectMaxMs",
  "startTimeoutMs",
  "bootTimeoutMs",
  "reconcileOrdersMs",
  "reconcilePositionsMs",
  "executionOverlapMs",
  "bootLookbackMs",
  "positionSettleMs",
  "cancelConfirmMs",
  "retryBaseMs",
  "retryMaxMs",
  "breakerOpenMs",
  "breakerMaxOpenMs",
  "rateLimitBackoffMs",
  "rateLimitMaxBackoffMs",
  "finalReconcileMs",
] as const;
const COUNT_KEYS = ["retryAttempts", "breakerFailures"] as const;
const BOOK_DEPTHS = [1, 50, 200, 1000] as const;
const RESEND: readonly ResendPolicy[] = ["always", "reduce-only", "never"];
/** Bybit refuses a recv window beyond 60 s; nothing here needs more than a day. */
const MAX_MS = 86_400_000;

const TUNING_KEYS: readonly string[] = [...MS_KEYS, ...COUNT_KEYS, "resendUnseen", "bookDepth", "adoptVenuePositions", "positionTolerance"];

/** Validate a partial tuning object (from JSON); unknown keys and bad values are refused, named under `prefix`. */
export function resolveLiveTuning(input: unknown, prefix = "venues.bybit"): LiveTuning {
  const bad = (key: string, expected: string, value: unknown): never => {
    throw new HeanError("CONFIG_INVALID", `config ${prefix}.${key} must be ${expected}, got ${describeValue(value)}`, { path: `${prefix}.${key}`, value: describeValue(value) });
  };
  if (input === undefined) return DEFAULT_LIVE_TUNING;
  if (typeof input !== "object" || input === null || Array.isArray(input)) bad("(root)", "a JSON object", input);
  const out: Record<string, unknown> = { ...DEFAULT_LIVE_TUNING };
  for (const [key, value] of Object.entries(input as object)) {
    if ((MS_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_MS) bad(key, `an integer in [1, ${MAX_MS}] (ms)`, value);
      out[key] = value;
    } else if ((COUNT_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100) bad(key, "an integer in [1, 100]", value);
      out[key] = value;
    } else if (key === "resendUnseen") {
      if (!RESEND.includes(value as ResendPolicy)) bad(key, RESEND.join(" | "), value);
      out[key] = value;
    } else if (key === "bookDepth") {
      if (!(BOOK_DEPTHS as readonly unknown[]).includes(value)) bad(key, BOOK_DEPTHS.join(" | "), value);
      out[key] = value;
    } else if (key === "adoptVenuePositions") {
      if (typeof value !== "boolean") bad(key, "true or false", value);
      out[key] = value;
    } else if (key === "positionTolerance") {
      let parsed: Dec | undefined;
      try {
        parsed = typeof value === "string" || typeof value === "number" ? dec(String(value)) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || parsed < 0n) bad(key, "a decimal ≥ 0", value);
      out[key] = parsed;
    } else {
      throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(`${prefix}.${key}`)}`, { path: `${prefix}.${key}`, known: TUNING_KEYS });
    }
  }
  const t = out as unknown as LiveTuning;
  if (t.reconnectMaxMs < t.reconnectInitialMs) bad("reconnectMaxMs", "≥ reconnectInitialMs", t.reconnectMaxMs);
  if (t.breakerMaxOpenMs < t.breakerOpenMs) bad("breakerMaxOpenMs", "≥ breakerOpenMs", t.breakerMaxOpenMs);
  if (t.rateLimitMaxBackoffMs < t.rateLimitBackoffMs) bad("rateLimitMaxBackoffMs", "≥ rateLimitBackoffMs", t.rateLimitMaxBackoffMs);
  if (t.recvWindowMs > 60_000) bad("recvWindowMs", "at most 60000 (Bybit's limit)", t.recvWindowMs);
  return Object.freeze(t);
}

// ---------------------------------------------------------------- the venue block

export interface LiveEndpoints {
  readonly restUrl: string;
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
}

/** `venues.<id>`: endpoints, testnet, tuning. Empty URLs are filled from the venue's mainnet or testnet set. */
export interface LiveVenueConfig extends LiveEndpoints, LiveTuning {
  readonly testnet: boolean;
}

/** The documented endpoints (Bybit V5: linear perpetuals). */
export const BYBIT_ENDPOINTS: Readonly<Record<"mainnet" | "testnet", LiveEndpoints>> = {
  mainnet: { restUrl: "https://api.bybit.com", wsPublicUrl: "wss://stream.bybit.com/v5/public/linear", wsPrivateUrl: "wss://stream.bybit.com/v5/private" },
  testnet: { restUrl: "https://api-testnet.bybit.com", wsPublicUrl: "wss://stream-testnet.bybit.com/v5/public/linear", wsPrivateUrl: "wss://stream-testnet.bybit.com/v5/private" },
};

/**
 * The documented endpoints (Binance USD-M futures): the REST base under which `/fapi` lives, the
 * market-stream base and the user-data-stream base (hean appends `/stream?streams=…` and
 * `/ws/<listenKey>`).
 */
export const BINANCE_ENDPOINTS: Readonly<Record<"mainnet" | "testnet", LiveEndpoints>> = {
  mainnet: { restUrl: "https://fapi.binance.com", wsPublicUrl: "wss://fstream.binance.com", wsPrivateUrl: "wss://fstream.binance.com" },
  testnet: { restUrl: "https://testnet.binancefuture.com", wsPublicUrl: "wss://fstream.binancefuture.com", wsPrivateUrl: "wss://fstream.binancefuture.com" },
};

/** The defaults as they stand in the config before validation: URLs empty ("from `testnet`"). */
export const DEFAULT_LIVE_VENUE_CONFIG: LiveVenueConfig = Object.freeze({ restUrl: "", wsPublicUrl: "", wsPrivateUrl: "", testnet: false, ...DEFAULT_LIVE_TUNING });

const URL_KEYS = ["restUrl", "wsPublicUrl", "wsPrivateUrl"] as const;

/** Validate `venues.<id>` against the venue's documented endpoints. */
export function validateLiveVenueConfig(raw: unknown, prefix: string, endpoints: Readonly<Record<"mainnet" | "testnet", LiveEndpoints>>): LiveVenueConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new HeanError("CONFIG_INVALID", `config ${prefix} must be an object, got ${JSON.stringify(raw)}`, { path: prefix });
  }
  const { restUrl, wsPublicUrl, wsPrivateUrl, testnet, ...tuning } = raw as Record<string, unknown>;
  if (typeof testnet !== "boolean") throw new HeanError("CONFIG_INVALID", `config ${prefix}.testnet must be true or false, got ${JSON.stringify(testnet)}`, { path: `${prefix}.testnet` });
  const set = endpoints[testnet ? "testnet" : "mainnet"];
  const urls: Record<string, string> = {};
  const given: Record<string, unknown> = { restUrl, wsPublicUrl, wsPrivateUrl };
  for (const key of URL_KEYS) {
    const v = given[key];
    if (typeof v !== "string") throw new HeanError("CONFIG_INVALID", `config ${prefix}.${key} must be a URL string, got ${JSON.stringify(v)}`, { path: `${prefix}.${key}` });
    const url = v === "" ? set[key] : v;
    const scheme = key === "restUrl" ? /^https?:\/\/[^\s]+$/ : /^wss?:\/\/[^\s]+$/;
    if (!scheme.test(url)) {
      throw new HeanError("CONFIG_INVALID", `config ${prefix}.${key} must be an ${key === "restUrl" ? "http(s)" : "ws(s)"} URL, got ${JSON.stringify(v)}`, { path: `${prefix}.${key}` });
    }
    urls[key] = url;
  }
  return Object.freeze({ ...(urls as unknown as LiveEndpoints), testnet, ...resolveLiveTuning(tuning, prefix) });
}
