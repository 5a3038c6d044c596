/**
 * Configuration: defaults, a JSON file, then `--set key=value` overrides, then validation.
 * A broken configuration stops hean before it starts, with the path and value that are wrong:
 * every key is checked here (strategy parameters against the strategy's own schema, simulator
 * options against what the simulator accepts), so nothing that starts later can refuse it.
 */
import { readFileSync } from "node:fs";
import { MAX_TIMER_MS } from "../core/clock.ts";
import { type Dec, dec, format, tryDec } from "../core/decimal.ts";
import { describeValue, HeanError } from "../core/errors.ts";
import { InstrumentRegistry, unlistedSymbolHint } from "../core/instrument.ts";
import { suggest } from "../core/suggest.ts";
import { DEFAULT_RISK_CONFIG, type RiskConfig, validateRiskConfig } from "../risk/config.ts";
import { DEFAULT_RECENT_TERMINAL_ORDERS, DEFAULT_REMEMBERED_FILL_IDS, DEFAULT_REMEMBERED_ORDERS } from "../engine/engine-state.ts";
import { DEFAULT_EXECUTION_CONFIG, type ExecutionConfig, validateExecutionConfig } from "../execution/router/config.ts";
import { BINANCE_ENDPOINTS, BYBIT_ENDPOINTS, DEFAULT_LIVE_VENUE_CONFIG, type LiveVenueConfig, validateLiveVenueConfig } from "./venue-config.ts";
import { validateStrategy } from "../strategies/registry.ts";
import { fileLabel } from "../strategies/load.ts";
import type { StrategySpec } from "../strategies/spec.ts";
import { validateStrategies } from "./strategies-config.ts";
import { DEFAULT_REDIS_CONFIG, type RedisConfig, validateRedisConfig } from "./redis-config.ts";

export type Mode = "paper" | "live";
/** Every venue id hean knows (`src/venues/registry.ts` has one entry per id). */
export const VENUE_NAMES = ["sim", "bybit", "binance"] as const;
export type VenueName = (typeof VENUE_NAMES)[number];
export type Scenario = "calm" | "trend" | "flash-crash" | "stale";
export const SCENARIOS: readonly Scenario[] = ["calm", "trend", "flash-crash", "stale"];

export interface HeanConfig {
  readonly mode: Mode;
  readonly venue: VenueName;
  readonly symbols: readonly string[];
  /** One strategy over every symbol: a built-in by name, or a module of one's own (`file`, `--strategy-file`; then `name` is its file's base name). */
  readonly strategy: { readonly name: string; readonly file?: string | undefined; readonly params: Readonly<Record<string, number | string | boolean>> };
  /** Several strategies, each on its own symbol with its own capital share, max hold and horizon; empty: `strategy` alone. */
  readonly strategies: readonly StrategySpec[];
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
    /**
     * Orders that left the state, remembered compactly (id, side, size, status) so a late venue
     * report about one is still recognised; at least `MIN_REMEMBERED`.
     */
    readonly rememberedOrders: number;
    /** Fill ids remembered to count a fill seen twice once (stream replays, reconciliation overlaps); at least `MIN_REMEMBERED`. */
    readonly rememberedFillIds: number;
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
    readonly binance: LiveVenueConfig;
  };
  readonly api: { readonly host: string; readonly port: number | null };
  /** Telegram pushes besides alerts: each fill, and each closed trade with its P&L (the bot itself: HEAN_TELEGRAM_TOKEN). */
  readonly telegram: { readonly notify: { readonly fills: boolean; readonly exits: boolean } };
  /** Distributed mode on Redis Streams (off while `url` is null). */
  readonly redis: RedisConfig;
}

export const DEFAULT_CONFIG: HeanConfig = {
  mode: "paper",
  venue: "sim",
  symbols: ["BTCUSDT", "ETHUSDT"],
  strategy: { name: "impulse", file: undefined, params: {} },
  strategies: [],
  scenario: "calm",
  seed: 1,
  initialCash: dec("10000"),
  journal: {
    path: "data/hean.db",
    durability: "full",
    snapshotEvery: 10_000,
    markIntervalMs: 1_000,
    recentTerminalOrders: DEFAULT_RECENT_TERMINAL_ORDERS,
    rememberedOrders: DEFAULT_REMEMBERED_ORDERS,
    rememberedFillIds: DEFAULT_REMEMBERED_FILL_IDS,
  },
  risk: DEFAULT_RISK_CONFIG,
  execution: DEFAULT_EXECUTION_CONFIG,
  sim: { latencyMs: 3, jitterMs: 2, updatesPerSecond: 10 },
  bus: { marketCapacity: 10_000, criticalCapacity: 100_000, loopLagAlertMs: 200 },
  shutdown: { workingOrders: "cancel", settleTimeoutMs: 5_000 },
  live: { iUnderstandLiveTrading: false },
  venues: { bybit: DEFAULT_LIVE_VENUE_CONFIG, binance: DEFAULT_LIVE_VENUE_CONFIG },
  api: { host: "127.0.0.1", port: null },
  telegram: { notify: { fills: true, exits: true } },
  redis: DEFAULT_REDIS_CONFIG,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/**
 * Build the configuration from defaults, an optional file, flag values (`cli`, keyed by config
 * path) and `key=value` overrides, in that order of precedence. Only what was written is
 * collected; `validateConfig` lays it over the defaults, so a limit's validator can tell a value
 * the operator chose from a default (the risk ladders need that). A `cli` key
 * `venue.X` is a shortcut into the selected venue's block (`--rest-url` → `venues.bybit.restUrl`).
 */
export function loadConfig(options: { file?: string | undefined; overrides?: readonly string[]; cli?: Record<string, unknown> }): HeanConfig {
  let written: JsonObject = {};
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
    written = merge(written, parsed as JsonObject, "");
  }
  const cli = Object.entries(options.cli ?? {}).filter(([, v]) => v !== undefined);
  for (const [key, value] of cli) if (!key.startsWith("venue.")) written = setPath(written, key, value as Json);
  for (const [key, value] of cli) {
    if (!key.startsWith("venue.")) continue;
    const venue = written.venue ?? DEFAULT_CONFIG.venue;
    const blocks = Object.keys(DEFAULT_CONFIG.venues);
    if (typeof venue !== "string" || !blocks.includes(venue)) {
      throw new HeanError("CONFIG_INVALID", `${key} applies to a live venue (a shortcut into venues.<id>.${key.slice("venue.".length)}, for ${blocks.join(", ")}), not to venue ${JSON.stringify(venue)}`, { path: key, venue: describeValue(venue) });
    }
    written = setPath(written, `venues.${venue}.${key.slice("venue.".length)}`, value as Json);
  }
  for (const assignment of options.overrides ?? []) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new HeanError("CONFIG_INVALID", `--set expects key=value, got ${describeValue(assignment)}`, { assignment: describeValue(assignment) });
    written = setPath(written, assignment.slice(0, eq).trim(), parseValue(assignment.slice(eq + 1)));
  }
  return validateConfig(written);
}

/** A `--set` value is JSON when it parses as JSON (numbers, true, "quoted"), else the raw text. */
function parseValue(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** Keys that would reach an object's prototype instead of a setting. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor"]);

function checkKey(key: string, path: string): void {
  if (key.length === 0 || FORBIDDEN_KEYS.has(key)) {
    throw new HeanError("CONFIG_INVALID", `bad config key ${describeValue(path)}`, { path: describeValue(path) });
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a key is known is decided by `validateConfig`, which sees every key of every section. */
function setPath(root: JsonObject, path: string, value: Json): JsonObject {
  const keys = path.split(".");
  for (const k of keys) checkKey(k, path);
  const out = structuredClone(root);
  let node = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const child = node[k];
    if (child === undefined) node[k] = {};
    else if (!isObject(child)) {
      const at = keys.slice(0, i + 1).join(".");
      throw new HeanError("CONFIG_INVALID", `cannot set ${describeValue(path)}: config ${at} is ${describeValue(child)}, not a group of settings`, { path: at, value: describeValue(child) });
    }
    node = node[k] as JsonObject;
  }
  node[keys[keys.length - 1]!] = value;
  return out;
}

function merge(base: JsonObject, over: JsonObject, prefix: string): JsonObject {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    checkKey(k, path);
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v, path) : v;
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

// ------------------------------------------------------------------ validation

/** The simulated market's update rate must be in (0, this]: beyond it a tick is shorter than 10 µs. */
export const MAX_UPDATES_PER_SECOND = 100_000;
/** The simulated market's generator takes a 32-bit seed: a larger one would alias a smaller one. */
export const MAX_SEED = 0xffff_ffff;
export const MAX_PORT = 65_535;

function fail(path: string, expected: string, value: unknown): never {
  throw new HeanError("CONFIG_INVALID", `config ${path} must be ${expected}, got ${describeValue(value)}`, { path, value: describeValue(value) });
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A section of settings: unknown keys are refused, missing ones take their default. */
function section<T extends object>(value: unknown, path: string, defaults: T): (key: keyof T & string) => unknown {
  if (value === undefined) return (key) => defaults[key];
  if (!isObject(value)) return fail(path === "" ? "(the whole configuration)" : path, "an object", value);
  const known = Object.keys(defaults);
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) {
      const full = path === "" ? k : `${path}.${k}`;
      const near = suggest(k, known);
      throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(full)}${near.length > 0 ? ` (did you mean ${near.map((n) => (path === "" ? n : `${path}.${n}`)).join(" or ")}?)` : ""} (known: ${known.join(", ")})`, { path: full, known });
    }
  }
  return (key) => {
    const v = own(value, key);
    return v === undefined ? defaults[key] : v;
  };
}

const str = (v: unknown, path: string, allowed?: readonly string[]): string => {
  if (typeof v !== "string" || (allowed !== undefined && !allowed.includes(v))) {
    // A mistyped word names the nearest valid ones (src/core/suggest.ts).
    const near = allowed !== undefined && typeof v === "string" ? suggest(v, allowed) : [];
    fail(path, allowed === undefined ? "a string" : `one of ${allowed.join(", ")}${near.length > 0 ? ` (did you mean ${near.join(" or ")}?)` : ""}`, v);
  }
  return v;
};
const nonEmpty = (v: unknown, path: string): string => {
  if (typeof v !== "string" || v.trim().length === 0 || v.includes("\0")) fail(path, "a non-empty string", v);
  return v;
};
/**
 * The least that `journal.rememberedOrders` and `rememberedFillIds` may be: late reports arrive
 * minutes after the order or fill, and fewer would forget them within a busy minute.
 */
export const MIN_REMEMBERED = 1_000;
const num = (v: unknown, path: string, min: number, max: number, integer = false): number => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(path, `${integer ? "an integer" : "a number"} from ${min} to ${max}`, v);
  }
  return v;
};
/** Milliseconds that may become a timer: no longer than a timer can wait. */
const ms = (v: unknown, path: string, min = 0): number => num(v, path, min, MAX_TIMER_MS);
const bool = (v: unknown, path: string): boolean => (typeof v === "boolean" ? v : fail(path, "true or false", v));

/** A venue block's endpoints when none are written: the venue's own (mainnet) URLs. */
const LIVE_ENDPOINT_DEFAULTS = { restUrl: "", wsPublicUrl: "", wsPrivateUrl: "", testnet: false } as const;

/**
 * Symbols: each once, each a plausible symbol. Whether the venue lists it is the venue's to say
 * (its instruments are read at start); the built-in simulated venue's list is known here, so a
 * symbol it does not list is refused before anything starts.
 */
function symbolList(v: unknown, venue: unknown): string[] {
  const list = typeof v === "string" ? v.split(",") : v;
  if (!Array.isArray(list) || list.length === 0) fail("symbols", "a non-empty list of symbols", v);
  const instruments = new InstrumentRegistry();
  const seen = new Map<string, number>();
  return list.map((s: unknown, i) => {
    const symbol = str(s, `symbols[${i}]`).trim().toUpperCase();
    if (!/^[A-Z0-9]{2,30}$/.test(symbol)) fail(`symbols[${i}]`, "a symbol (2 to 30 letters and digits)", s);
    if (venue === "sim" && instruments.find(symbol) === undefined) {
      fail(`symbols[${i}]`, `a symbol sim lists (${unlistedSymbolHint(symbol, instruments.symbols())})`, s);
    }
    const first = seen.get(symbol);
    if (first !== undefined) {
      throw new HeanError("CONFIG_INVALID", `config symbols[${i}] repeats symbols[${first}] (${symbol}): each symbol once`, { path: `symbols[${i}]`, value: describeValue(s) });
    }
    seen.set(symbol, i);
    return symbol;
  });
}

/** The run's symbols taken from `strategies[].symbol`: a symbol the venue does not list is named by its entry. */
function strategySymbolList(symbols: string[], entries: readonly unknown[], venue: unknown): string[] {
  try {
    return symbolList(symbols, venue);
  } catch (e) {
    const at = e instanceof HeanError && typeof e.context.path === "string" ? /^symbols\[(\d+)\]$/.exec(e.context.path) : null;
    if (at === null) throw e;
    const symbol = symbols[Number(at[1])];
    const i = entries.findIndex((x) => isObject(x) && typeof x.symbol === "string" && x.symbol.trim().toUpperCase() === symbol);
    const message = e instanceof HeanError ? e.message.replace(/^CONFIG_INVALID: config symbols\[\d+\]/, `config strategies[${i}].symbol`) : "";
    throw new HeanError("CONFIG_INVALID", message, { ...(e as HeanError).context, path: `strategies[${i}].symbol` });
  }
}

/**
 * Lay a partial configuration (what a file, flags and `--set` wrote) over the defaults and check
 * every key. Throws HeanError CONFIG_INVALID naming the key and the value; never returns a
 * half-valid config.
 */
export function validateConfig(input: unknown): HeanConfig {
  const D = DEFAULT_CONFIG;
  const r = section(input, "", D);
  const written = (key: string): unknown => (isObject(input) ? own(input, key) : undefined);
  const strategyIn = section(r("strategy"), "strategy", D.strategy);
  const paramsIn = strategyIn("params");
  if (!isObject(paramsIn)) fail("strategy.params", "an object", paramsIn);
  // A strategy module's parameters are checked against its own schema when it is loaded (before the run starts).
  const strategyWritten = written("strategy");
  const fileIn = strategyIn("file");
  if (fileIn !== undefined && (typeof fileIn !== "string" || fileIn.trim() === "" || fileIn.includes("\0"))) fail("strategy.file", "the path of a strategy module (.ts, .mts, .js, .mjs)", fileIn);
  if (fileIn !== undefined && isObject(strategyWritten) && own(strategyWritten, "name") !== undefined) {
    throw new HeanError("CONFIG_INVALID", "config strategy.name and strategy.file both given (--strategy and --strategy-file): choose one", { path: "strategy.file" });
  }
  const strategy = typeof fileIn === "string" ? { name: fileLabel(fileIn), params: paramsIn } : validateStrategy(strategyIn("name"), paramsIn);
  const strategiesIn = r("strategies");
  const several = Array.isArray(strategiesIn) && strategiesIn.length === 0 ? undefined : strategiesIn;
  if (several !== undefined && strategyWritten !== undefined) {
    throw new HeanError("CONFIG_INVALID", "config strategy (--strategy, --strategy-file) and strategies both given: one strategy, or a list of them", { path: "strategies" });
  }
  // Without a symbol list, the run trades the strategies' symbols.
  const strategySymbols = Array.isArray(several) ? [...new Set(several.flatMap((e) => (isObject(e) && typeof e.symbol === "string" ? [e.symbol.trim().toUpperCase()] : [])))] : [];
  const symbolsIn = written("symbols") === undefined && strategySymbols.length > 0 ? strategySymbols : r("symbols");
  const symbols = symbolsIn === strategySymbols ? strategySymbolList(strategySymbols, several as unknown[], r("venue")) : symbolList(symbolsIn, r("venue"));
  const journal = section(r("journal"), "journal", D.journal);
  const sim = section(r("sim"), "sim", D.sim);
  const bus = section(r("bus"), "bus", D.bus);
  const shutdown = section(r("shutdown"), "shutdown", D.shutdown);
  const live = section(r("live"), "live", D.live);
  const venues = section(r("venues"), "venues", D.venues);
  const bybitIn = venues("bybit");
  const binanceIn = venues("binance");
  const api = section(r("api"), "api", D.api);
  const cashIn = r("initialCash");
  const initialCash = typeof cashIn === "bigint" ? (cashIn as Dec) : tryDec(typeof cashIn === "string" ? cashIn.trim() : cashIn);
  if (initialCash === undefined || initialCash <= 0n) fail("initialCash", "a positive decimal number", cashIn);
  const port = api("port");
  const telegram = section(r("telegram"), "telegram", D.telegram);
  const notify = section(telegram("notify"), "telegram.notify", D.telegram.notify);
  return {
    mode: str(r("mode"), "mode", ["paper", "live"]) as Mode,
    venue: str(r("venue"), "venue", VENUE_NAMES) as VenueName,
    symbols,
    strategy: { name: strategy.name, file: typeof fileIn === "string" ? fileIn : undefined, params: strategy.params as HeanConfig["strategy"]["params"] },
    strategies: several === undefined ? [] : validateStrategies(several, symbols),
    scenario: str(r("scenario"), "scenario", SCENARIOS) as Scenario,
    seed: num(r("seed"), "seed", 0, MAX_SEED, true),
    initialCash,
    journal: {
      path: nonEmpty(journal("path"), "journal.path"),
      durability: str(journal("durability"), "journal.durability", ["full", "normal"]) as "full" | "normal",
      snapshotEvery: num(journal("snapshotEvery"), "journal.snapshotEvery", 1, Number.MAX_SAFE_INTEGER, true),
      markIntervalMs: ms(journal("markIntervalMs"), "journal.markIntervalMs"),
      recentTerminalOrders: num(journal("recentTerminalOrders"), "journal.recentTerminalOrders", 1, Number.MAX_SAFE_INTEGER, true),
      rememberedOrders: num(journal("rememberedOrders"), "journal.rememberedOrders", MIN_REMEMBERED, Number.MAX_SAFE_INTEGER, true),
      rememberedFillIds: num(journal("rememberedFillIds"), "journal.rememberedFillIds", MIN_REMEMBERED, Number.MAX_SAFE_INTEGER, true),
    },
    // These two lay what was written over their own defaults.
    risk: validateRiskConfig(written("risk")),
    execution: validateExecutionConfig(written("execution")),
    sim: {
      latencyMs: ms(sim("latencyMs"), "sim.latencyMs"),
      jitterMs: ms(sim("jitterMs"), "sim.jitterMs"),
      updatesPerSecond: num(sim("updatesPerSecond"), "sim.updatesPerSecond", 0.1, MAX_UPDATES_PER_SECOND),
    },
    bus: {
      marketCapacity: num(bus("marketCapacity"), "bus.marketCapacity", 1, 100_000_000, true),
      criticalCapacity: num(bus("criticalCapacity"), "bus.criticalCapacity", 1, 100_000_000, true),
      loopLagAlertMs: ms(bus("loopLagAlertMs"), "bus.loopLagAlertMs", 1),
    },
    shutdown: {
      workingOrders: str(shutdown("workingOrders"), "shutdown.workingOrders", ["cancel", "keep"]) as "cancel" | "keep",
      settleTimeoutMs: ms(shutdown("settleTimeoutMs"), "shutdown.settleTimeoutMs"),
    },
    live: {
      iUnderstandLiveTrading: bool(live("iUnderstandLiveTrading"), "live.iUnderstandLiveTrading"),
    },
    venues: {
      // What was written lies over the endpoint defaults; the venue's validator fills in the tuning.
      bybit: validateLiveVenueConfig(bybitIn === D.venues.bybit ? LIVE_ENDPOINT_DEFAULTS : isObject(bybitIn) ? { ...LIVE_ENDPOINT_DEFAULTS, ...bybitIn } : bybitIn, "venues.bybit", BYBIT_ENDPOINTS),
      binance: validateLiveVenueConfig(binanceIn === D.venues.binance ? LIVE_ENDPOINT_DEFAULTS : isObject(binanceIn) ? { ...LIVE_ENDPOINT_DEFAULTS, ...binanceIn } : binanceIn, "venues.binance", BINANCE_ENDPOINTS),
    },
    api: {
      host: nonEmpty(api("host"), "api.host"),
      port: port === null ? null : num(port, "api.port", 0, MAX_PORT, true),
    },
    telegram: { notify: { fills: bool(notify("fills"), "telegram.notify.fills"), exits: bool(notify("exits"), "telegram.notify.exits") } },
    redis: validateRedisConfig(written("redis")),
  };
}
