/**
 * Configuration: defaults, a JSON file, then `--set key=value` overrides, then validation.
 * A broken configuration stops hean before it starts, with the path and value that are wrong.
 */
import { readFileSync } from "node:fs";
import { type Dec, dec, format } from "../core/decimal.ts";
import { HeanError } from "../core/errors.ts";
import { DEFAULT_RISK_CONFIG, type RiskConfig, validateRiskConfig } from "../risk/config.ts";
import { DEFAULT_RECENT_TERMINAL_ORDERS } from "../engine/engine-state.ts";
import { DEFAULT_EXECUTION_CONFIG, type ExecutionConfig, validateExecutionConfig } from "../execution/router/config.ts";
import { BYBIT_ENDPOINTS, DEFAULT_LIVE_VENUE_CONFIG, type LiveVenueConfig, validateLiveVenueConfig } from "./venue-config.ts";

export type Mode = "paper" | "live";
/** Every venue id hean knows (`src/venues/registry.ts` has one entry per id). */
export const VENUE_NAMES = ["sim", "bybit"] as const;
export type VenueName = (typeof VENUE_NAMES)[number];
export type Scenario = "calm" | "trend" | "flash-crash" | "stale";
export const SCENARIOS: readonly Scenario[] = ["calm", "trend", "flash-crash", "stale"];

export interface HeanConfig {
  readonly mode: Mode;
  readonly venue: VenueName;
  readonly symbols: readonly string[];
  readonly strategy: { readonly name: string; readonly params: Readonly<Record<string, number | string | boolean>> };
  readonly scenario: Scenario;
  readonly seed: number;
  readonly initialCash: Dec;
  /** Entries are sized to this notional when the sizer has no stop information (USDT). */
  readonly journal: {
    readonly path: string;
    readonly durability: "full" | "normal";
    readonly snapshotEvery: number;
    readonly markIntervalMs: number;
    /** Terminal orders (and ended router parents) kept in engine state, snapshots and reports; the journal keeps every one. */
    readonly recentTerminalOrders: number;
  };
  readonly risk: RiskConfig;
  /** How strategy orders are executed: the maker-first router's urgency, TTL bounds, reprices and fallback bound. */
  readonly execution: ExecutionConfig;
  readonly sim: {
    readonly latencyMs: number;
    readonly jitterMs: number;
    readonly updatesPerSecond: number;
  };
  readonly bus: {
    readonly marketCapacity: number;
    readonly criticalCapacity: number;
    readonly loopLagAlertMs: number;
  };
  readonly shutdown: {
    /** What to do with working orders on SIGINT/SIGTERM: cancel them, or leave them working. */
    readonly workingOrders: "cancel" | "keep";
    readonly settleTimeoutMs: number;
  };
  readonly live: {
    readonly iUnderstandLiveTrading: boolean;
  };
  /** Each live venue's own block: endpoints, testnet, tuning of the live core. */
  readonly venues: {
    readonly bybit: LiveVenueConfig;
  };
  readonly api: { readonly host: string; readonly port: number | null };
}

export const DEFAULT_CONFIG: HeanConfig = {
  mode: "paper",
  venue: "sim",
  symbols: ["BTCUSDT", "ETHUSDT"],
  strategy: { name: "impulse", params: {} },
  scenario: "calm",
  seed: 1,
  initialCash: dec("10000"),
  journal: { path: "data/hean.db", durability: "full", snapshotEvery: 10_000, markIntervalMs: 1_000, recentTerminalOrders: DEFAULT_RECENT_TERMINAL_ORDERS },
  risk: DEFAULT_RISK_CONFIG,
  execution: DEFAULT_EXECUTION_CONFIG,
  sim: { latencyMs: 3, jitterMs: 2, updatesPerSecond: 10 },
  bus: { marketCapacity: 10_000, criticalCapacity: 100_000, loopLagAlertMs: 200 },
  shutdown: { workingOrders: "cancel", settleTimeoutMs: 5_000 },
  live: { iUnderstandLiveTrading: false },
  venues: { bybit: DEFAULT_LIVE_VENUE_CONFIG },
  api: { host: "127.0.0.1", port: null },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Build the configuration from defaults, an optional file and `key=value` overrides. A `cli` key
 * `venue.X` is a shortcut into the selected venue's block (`--rest-url` → `venues.bybit.restUrl`).
 */
export function loadConfig(options: { file?: string | undefined; overrides?: readonly string[]; cli?: Record<string, unknown> }): HeanConfig {
  let raw = toPlain(DEFAULT_CONFIG) as { [k: string]: Json };
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, "utf8");
    } catch (e) {
      throw new HeanError("CONFIG_INVALID", `cannot read config file ${options.file}: ${(e as Error).message}`, { file: options.file });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new HeanError("CONFIG_INVALID", `config file ${options.file} is not valid JSON: ${(e as Error).message}`, { file: options.file });
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new HeanError("CONFIG_INVALID", `config file ${options.file} must hold a JSON object`, { file: options.file });
    }
    raw = merge(raw, parsed as { [k: string]: Json }, "");
  }
  const cli = Object.entries(options.cli ?? {}).filter(([, v]) => v !== undefined);
  for (const [key, value] of cli) if (!key.startsWith("venue.")) raw = setPath(raw, key, value as Json);
  for (const [key, value] of cli) {
    if (!key.startsWith("venue.")) continue;
    const venue = raw.venue;
    const blocks = raw.venues as { [k: string]: Json };
    if (typeof venue !== "string" || !(venue in blocks)) {
      throw new HeanError("CONFIG_INVALID", `${key.slice("venue.".length)} applies to a live venue (one of ${Object.keys(blocks).join(", ")}), not to venue ${JSON.stringify(venue)}`, { key, venue });
    }
    raw = setPath(raw, `venues.${venue}.${key.slice("venue.".length)}`, value as Json);
  }
  for (const assignment of options.overrides ?? []) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new HeanError("CONFIG_INVALID", `--set expects key=value, got ${JSON.stringify(assignment)}`, { assignment });
    raw = setPath(raw, assignment.slice(0, eq).trim(), parseValue(assignment.slice(eq + 1)));
  }
  return validateConfig(raw);
}

function parseValue(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function setPath(root: { [k: string]: Json }, path: string, value: Json): { [k: string]: Json } {
  const keys = path.split(".");
  if (keys.some((k) => k.length === 0)) throw new HeanError("CONFIG_INVALID", `bad config key ${JSON.stringify(path)}`, { path });
  const out = structuredClone(root);
  let node: { [k: string]: Json } = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const child = node[k];
    // strategy.params is open-ended; everything else must already exist.
    if (child === undefined && path.startsWith("strategy.params.")) {
      node[k] = {};
    } else if (typeof child !== "object" || child === null || Array.isArray(child)) {
      throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(path)}`, { path, known: Object.keys(node) });
    }
    node = node[k] as { [k: string]: Json };
  }
  const last = keys[keys.length - 1]!;
  if (!(last in node) && !path.startsWith("strategy.params.") && !isOptionalKey(path)) {
    throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(path)}`, { path, known: Object.keys(node) });
  }
  node[last] = value;
  return out;
}

/** Keys that have no default value but may be set. */
function isOptionalKey(path: string): boolean {
  return /^risk\.(horizonUtc|stopLossPct|takeProfitPct)(\.|$)/.test(path);
}

function merge(base: { [k: string]: Json }, over: { [k: string]: Json }, prefix: string): { [k: string]: Json } {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    const b = base[k];
    if (b === undefined && !path.startsWith("strategy.params") && !isOptionalKey(path)) {
      throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(path)}`, { path, known: Object.keys(base) });
    }
    out[k] =
      typeof b === "object" && b !== null && !Array.isArray(b) && typeof v === "object" && v !== null && !Array.isArray(v)
        ? merge(b, v, path)
        : v;
  }
  return out;
}

/** Decimals become strings so the whole config is plain JSON (and printable). */
function toPlain(value: unknown): Json {
  if (typeof value === "bigint") return format(value as Dec);
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value as Json;
}

export function configToJson(config: HeanConfig): Json {
  return toPlain(config);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new HeanError("CONFIG_INVALID", `config ${path} must be ${expected}, got ${JSON.stringify(value)}`, { path, value });
}

const str = (v: unknown, path: string, allowed?: readonly string[]): string => {
  if (typeof v !== "string" || (allowed !== undefined && !allowed.includes(v))) {
    fail(path, allowed === undefined ? "a string" : `one of ${allowed.join(", ")}`, v);
  }
  return v;
};
const num = (v: unknown, path: string, min = -Infinity, integer = false): number => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    fail(path, `${integer ? "an integer" : "a number"}${min > -Infinity ? ` ≥ ${min}` : ""}`, v);
  }
  return v;
};
const bool = (v: unknown, path: string): boolean => (typeof v === "boolean" ? v : fail(path, "true or false", v));
const decimal = (v: unknown, path: string): Dec => {
  if (typeof v === "number" && Number.isFinite(v)) return dec(String(v));
  if (typeof v === "string") {
    try {
      return dec(v);
    } catch {
      /* fall through to the clear error */
    }
  }
  return fail(path, "a decimal number", v);
};
const obj = (v: unknown, path: string): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, "an object", v);

export function validateConfig(raw: unknown): HeanConfig {
  const r = obj(raw, "(root)");
  const strategy = obj(r.strategy, "strategy");
  const params = obj(strategy.params ?? {}, "strategy.params");
  const journal = obj(r.journal, "journal");
  const sim = obj(r.sim, "sim");
  const bus = obj(r.bus, "bus");
  const shutdown = obj(r.shutdown, "shutdown");
  const live = obj(r.live, "live");
  const venues = obj(r.venues, "venues");
  const api = obj(r.api, "api");
  const symbolsRaw = typeof r.symbols === "string" ? r.symbols.split(",") : r.symbols;
  if (!Array.isArray(symbolsRaw) || symbolsRaw.length === 0) fail("symbols", "a non-empty list of symbols", r.symbols);
  const symbols = symbolsRaw.map((s, i) => str(s, `symbols[${i}]`).trim().toUpperCase());
  const initialCash = decimal(r.initialCash, "initialCash");
  if (initialCash <= 0n) fail("initialCash", "positive", r.initialCash);
  return {
    mode: str(r.mode, "mode", ["paper", "live"]) as Mode,
    venue: str(r.venue, "venue", VENUE_NAMES) as VenueName,
    symbols,
    strategy: {
      name: str(strategy.name, "strategy.name"),
      params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === "string" || typeof v === "boolean" ? v : num(v, `strategy.params.${k}`)])),
    },
    scenario: str(r.scenario, "scenario", SCENARIOS) as Scenario,
    seed: num(r.seed, "seed", 0, true),
    initialCash,
    journal: {
      path: str(journal.path, "journal.path"),
      durability: str(journal.durability, "journal.durability", ["full", "normal"]) as "full" | "normal",
      snapshotEvery: num(journal.snapshotEvery, "journal.snapshotEvery", 1, true),
      markIntervalMs: num(journal.markIntervalMs, "journal.markIntervalMs", 0),
      recentTerminalOrders: num(journal.recentTerminalOrders, "journal.recentTerminalOrders", 1, true),
    },
    risk: validateRiskConfig(r.risk),
    execution: validateExecutionConfig(r.execution),
    sim: {
      latencyMs: num(sim.latencyMs, "sim.latencyMs", 0),
      jitterMs: num(sim.jitterMs, "sim.jitterMs", 0),
      updatesPerSecond: num(sim.updatesPerSecond, "sim.updatesPerSecond", 0.1),
    },
    bus: {
      marketCapacity: num(bus.marketCapacity, "bus.marketCapacity", 1, true),
      criticalCapacity: num(bus.criticalCapacity, "bus.criticalCapacity", 1, true),
      loopLagAlertMs: num(bus.loopLagAlertMs, "bus.loopLagAlertMs", 1),
    },
    shutdown: {
      workingOrders: str(shutdown.workingOrders, "shutdown.workingOrders", ["cancel", "keep"]) as "cancel" | "keep",
      settleTimeoutMs: num(shutdown.settleTimeoutMs, "shutdown.settleTimeoutMs", 0),
    },
    live: {
      iUnderstandLiveTrading: bool(live.iUnderstandLiveTrading, "live.iUnderstandLiveTrading"),
    },
    venues: {
      bybit: validateLiveVenueConfig(venues.bybit, "venues.bybit", BYBIT_ENDPOINTS),
    },
    api: {
      host: str(api.host, "api.host"),
      port: api.port === null ? null : num(api.port, "api.port", 0, true),
    },
  };
}
