/**
 * `strategies`: several strategies in one run, each on its own symbol with its own capital share,
 * maximum hold and horizon:
 *
 *   "strategies": [
 *     { "name": "impulse", "symbol": "BTCUSDT", "capitalShare": 0.5, "maxHoldMs": 600000 },
 *     { "file": "./my-strategy.ts", "symbol": "ETHUSDT", "params": { "window": 120 },
 *       "capitalShare": 0.3, "maxHoldMs": 3600000, "horizonUtc": "21:00" }
 *   ]
 *
 * One strategy per symbol: positions are netted per symbol, so two strategies on one symbol would
 * trade against each other's position. The shares add up to at most 1 (STRATEGY_CAPITAL_SHARE).
 * Parameters of a built-in are checked here; a file's are checked when it is loaded, before the
 * run starts.
 */
import { MAX_TIMER_MS } from "../core/clock.ts";
import { describeValue, HeanError } from "../core/errors.ts";
import { parseHhMm } from "../risk/config.ts";
import { STRATEGY_ID } from "../strategies/load.ts";
import { validateStrategy } from "../strategies/registry.ts";
import type { StrategySpec } from "../strategies/spec.ts";

const ENTRY_KEYS = ["name", "file", "id", "symbol", "params", "capitalShare", "maxHoldMs", "horizonUtc"];
/** Shares are floats from JSON: 0.1 + 0.2 + 0.7 must still count as 1. */
const SHARE_EPSILON = 1e-9;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(path: string, expected: string, value: unknown): never {
  throw new HeanError("CONFIG_INVALID", `config ${path} must be ${expected}, got ${describeValue(value)}`, { path, value: describeValue(value) });
}

function params(v: unknown, path: string): Readonly<Record<string, number | string | boolean>> {
  if (v === undefined) return {};
  if (!isRecord(v)) fail(path, "an object", v);
  for (const [k, x] of Object.entries(v)) if (!["number", "string", "boolean"].includes(typeof x)) fail(`${path}.${k}`, "a number, string or true/false", x);
  return v as Record<string, number | string | boolean>;
}

function filePath(v: unknown, path: string): string {
  if (typeof v !== "string" || v.trim() === "" || v.includes("\0")) fail(path, "the path of a strategy module (.ts, .mts, .js, .mjs)", v);
  return v;
}

/** The single strategy of `config.strategy` (name or file): capital share 1, the risk section's hold and horizons. */
export function singleStrategySpec(strategy: { readonly name: string; readonly file?: string | undefined; readonly params: Readonly<Record<string, number | string | boolean>> }): StrategySpec {
  return {
    source: strategy.file !== undefined ? { kind: "file", path: strategy.file } : { kind: "builtin", name: strategy.name },
    params: strategy.params,
    capitalShare: 1,
  };
}

/**
 * Check `strategies` against the run's symbols. Returns the entries in order; throws CONFIG_INVALID
 * (naming `strategies[i].<key>`) or STRATEGY_CAPITAL_SHARE.
 */
export function validateStrategies(input: unknown, symbols: readonly string[]): StrategySpec[] {
  if (!Array.isArray(input) || input.length === 0) fail("strategies", "a non-empty list of { name | file, symbol, capitalShare, … }", input);
  const bySymbol = new Map<string, number>();
  const byId = new Map<string, number>();
  let total = 0;
  const out = input.map((entry: unknown, i): StrategySpec => {
    const at = `strategies[${i}]`;
    if (!isRecord(entry)) fail(at, "an object { name | file, symbol, capitalShare, … }", entry);
    for (const k of Object.keys(entry)) {
      if (!ENTRY_KEYS.includes(k)) throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(`${at}.${k}`)} (known: ${ENTRY_KEYS.join(", ")})`, { path: `${at}.${k}`, known: ENTRY_KEYS });
    }
    const p = params(entry.params, `${at}.params`);
    let source: StrategySpec["source"];
    if (entry.file !== undefined && entry.name !== undefined) {
      throw new HeanError("CONFIG_INVALID", `config ${at} names both a built-in (name) and a file: choose one`, { path: at });
    } else if (entry.file !== undefined) source = { kind: "file", path: filePath(entry.file, `${at}.file`) };
    else if (entry.name !== undefined) source = { kind: "builtin", name: validateStrategy(entry.name, p, at).name };
    else throw new HeanError("CONFIG_INVALID", `config ${at} needs a name (a built-in strategy) or a file (a strategy module)`, { path: at });

    const symbolIn = entry.symbol;
    if (typeof symbolIn !== "string" || symbolIn.trim() === "") fail(`${at}.symbol`, "a symbol of the run", symbolIn);
    const symbol = symbolIn.trim().toUpperCase();
    if (!symbols.includes(symbol)) fail(`${at}.symbol`, `one of the run's symbols (${symbols.join(", ")})`, symbolIn);
    const other = bySymbol.get(symbol);
    if (other !== undefined) {
      throw new HeanError("CONFIG_INVALID", `config ${at}.symbol repeats strategies[${other}].symbol (${symbol}): one strategy per symbol, since positions are netted per symbol`, {
        path: `${at}.symbol`,
        value: symbol,
      });
    }
    bySymbol.set(symbol, i);

    let id: string | undefined;
    if (entry.id !== undefined) {
      if (typeof entry.id !== "string" || !STRATEGY_ID.test(entry.id)) fail(`${at}.id`, 'an id of 1 to 64 letters, digits, ".", "-" or "_"', entry.id);
      const dup = byId.get(entry.id);
      if (dup !== undefined) throw new HeanError("CONFIG_INVALID", `config ${at}.id repeats strategies[${dup}].id (${entry.id})`, { path: `${at}.id`, value: entry.id });
      byId.set(entry.id, i);
      id = entry.id;
    }

    const share = entry.capitalShare;
    if (typeof share !== "number" || !Number.isFinite(share) || share <= 0 || share > 1) {
      // Required, with no default: several strategies sharing one account must each say their part.
      const wrong = share === undefined ? "is required: the fraction of equity it sizes against, in (0, 1]" : `must be a fraction of equity in (0, 1], got ${describeValue(share)}`;
      throw new HeanError("STRATEGY_CAPITAL_SHARE", `config ${at}.capitalShare ${wrong}`, { path: `${at}.capitalShare`, value: describeValue(share) });
    }
    total += share;

    let maxHoldMs: number | undefined;
    if (entry.maxHoldMs !== undefined) {
      const m = entry.maxHoldMs;
      if (typeof m !== "number" || !Number.isFinite(m) || m <= 0 || m > MAX_TIMER_MS) fail(`${at}.maxHoldMs`, `a duration in ms in (0, ${MAX_TIMER_MS}]`, m);
      maxHoldMs = m;
    }
    let horizonUtc: string | undefined;
    if (entry.horizonUtc !== undefined) {
      if (typeof entry.horizonUtc !== "string" || parseHhMm(entry.horizonUtc) === undefined) fail(`${at}.horizonUtc`, '"HH:MM" (00:00–23:59 UTC)', entry.horizonUtc);
      horizonUtc = entry.horizonUtc;
    }
    return { id, source, symbol, params: p, capitalShare: share, maxHoldMs, horizonUtc };
  });
  if (total > 1 + SHARE_EPSILON) {
    throw new HeanError("STRATEGY_CAPITAL_SHARE", `config strategies[].capitalShare add up to ${Number(total.toFixed(9))}: together they may use at most all of the capital (1)`, {
      path: "strategies",
      total,
      shares: out.map((s) => s.capitalShare),
    });
  }
  return out;
}
