/**
 * Loading a strategy of one's own from a file (`--strategy-file`, `strategies[].file`, and
 * `hean backtest`). The module is imported (TypeScript through Node's type stripping), its
 * default export checked against `StrategyDefinition`, the configured parameters checked against
 * its schema, and `create` called. Anything that does not fit is refused with STRATEGY_INVALID
 * naming the file and what is wrong, before anything trades.
 *
 * The running instance is wrapped (`FileStrategy`) into hean's `Strategy`: books, trades and fills
 * reach it in plain numbers, and its signals are completed with the time and its id.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { toNumber } from "../core/decimal.ts";
import { describeValue, HeanError, thrownAt } from "../core/errors.ts";
import type { BookEvent, FillEvent, SignalEvent, TradeEvent } from "../core/events.ts";
import type { StrategyContext, StrategyDefinition, StrategyHandlers, StrategyParams, StrategySignal } from "./module.ts";
import { checkParam } from "./registry.ts";
import { SignalContractError } from "./signal-check.ts";
import type { ParamSchema, ParamSpec, Strategy, StrategyView } from "./strategy.ts";

const EXTENSIONS: readonly string[] = [".ts", ".mts", ".js", ".mjs"];
/** A strategy id: it names the strategy in orders, trades, reports and config (`horizonUtc`). */
export const STRATEGY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A strategy module, loaded and checked: ready to `instantiate` as often as needed. */
export interface LoadedStrategy {
  /** Absolute path of the module. */
  readonly file: string;
  readonly definition: StrategyDefinition;
  readonly schema: ParamSchema;
  readonly defaults: StrategyParams;
}

function invalid(file: string, what: string, context: Record<string, unknown> = {}): never {
  throw new HeanError("STRATEGY_INVALID", `strategy file ${file}: ${what}`, { file, ...context });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Import a strategy module and check its default export. Throws STRATEGY_INVALID. */
export async function loadStrategyModule(path: string): Promise<LoadedStrategy> {
  if (typeof path !== "string" || path.trim() === "" || path.includes("\0")) {
    throw new HeanError("STRATEGY_INVALID", `a strategy file path must be a non-empty string, got ${describeValue(path)}`, { file: describeValue(path) });
  }
  const file = resolve(path);
  if (!EXTENSIONS.includes(extname(file))) invalid(file, `must be a ${EXTENSIONS.join(", ")} module`);
  if (!existsSync(file) || !statSync(file).isFile()) invalid(file, "no such file");
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    // Type stripping refuses non-erasable syntax (enums, namespaces, parameter properties).
    const hint = err.code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX" ? " (Node runs TypeScript by erasing types: no enums, namespaces or parameter properties)" : "";
    const at = importFailureAt(e, file);
    invalid(file, `cannot be loaded: ${String(err.message ?? e)}${hint}${at === undefined ? "" : ` (at ${at})`}`, { cause: String(err.code ?? ""), ...(at === undefined ? {} : { at }) });
  }
  return checkDefinition(file, mod.default);
}

/**
 * Where an import failed, as `path:line:column`, for the one-line error (Node's own report of it
 * is several lines that the message alone leaves out). A syntax error in TypeScript carries
 * "path:line" and a caret line above its stack; one in JavaScript does not, and `node --check`
 * (run only on this failure path) prints the same. An error thrown while the module ran is placed
 * at its first frame in a file.
 */
function importFailureAt(e: unknown, file: string): string | undefined {
  if (!(e instanceof Error) || typeof e.stack !== "string") return undefined;
  if (e instanceof SyntaxError) {
    const located = caretLocation(e.stack) ?? caretLocation(spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 }).stderr ?? "");
    if (located !== undefined) return located;
  }
  return thrownAt(e);
}

/** "path:line", the source (a line or more), a caret under the column: what Node prints above a syntax error. */
function caretLocation(text: string): string | undefined {
  const [where, ...rest] = text.split("\n");
  const m = /^(\/.+|file:\/\/.+):(\d+)$/.exec(where ?? "");
  if (m === null) return undefined;
  const path = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
  const caret = rest.find((line) => /^\s*\^+\s*$/.test(line));
  return caret === undefined ? `${path}:${m[2]}` : `${path}:${m[2]}:${caret.indexOf("^") + 1}`;
}

/** Check a module's default export against `StrategyDefinition`. Exported for tests and inline definitions. */
export function checkDefinition(file: string, def: unknown): LoadedStrategy {
  if (def === undefined) invalid(file, "has no default export (export default { name, params, defaults, create })");
  if (!isRecord(def)) invalid(file, `default export must be an object { name, params, defaults, create }, got ${describeValue(def)}`);
  const name = def.name;
  if (typeof name !== "string" || !STRATEGY_ID.test(name)) invalid(file, `name must be 1 to 64 letters, digits, ".", "-" or "_", got ${describeValue(name)}`, { field: "name" });
  if (typeof def.create !== "function") invalid(file, `create must be a function (params, context) => handlers, got ${describeValue(def.create)}`, { field: "create" });
  for (const k of Object.keys(def)) {
    if (!["name", "description", "params", "defaults", "create"].includes(k)) invalid(file, `default export has an unknown key ${JSON.stringify(k)} (known: name, description, params, defaults, create)`, { field: k });
  }
  const schemaIn = def.params ?? {};
  if (!isRecord(schemaIn)) invalid(file, `params must be an object of parameter specs, got ${describeValue(schemaIn)}`, { field: "params" });
  const schema: Record<string, ParamSpec> = {};
  for (const [key, spec] of Object.entries(schemaIn)) schema[key] = checkSpec(file, key, spec);
  const defaultsIn = def.defaults ?? {};
  if (!isRecord(defaultsIn)) invalid(file, `defaults must be an object, got ${describeValue(defaultsIn)}`, { field: "defaults" });
  for (const key of Object.keys(schema)) {
    if (!Object.hasOwn(defaultsIn, key)) invalid(file, `defaults.${key} is missing: every parameter needs a default`, { field: `defaults.${key}` });
  }
  checkParams(file, schema, defaultsIn, "defaults");
  return { file, definition: def as unknown as StrategyDefinition, schema, defaults: defaultsIn as StrategyParams };
}

function checkSpec(file: string, key: string, spec: unknown): ParamSpec {
  const at = `params.${key}`;
  if (!isRecord(spec)) invalid(file, `${at} must be a spec object ({ kind: "number", min, max } or { kind: "choice", values }), got ${describeValue(spec)}`, { field: at });
  if (spec.kind === "choice") {
    const values = spec.values;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) invalid(file, `${at}.values must be a non-empty list of strings`, { field: `${at}.values` });
    return { kind: "choice", values: [...(values as string[])] };
  }
  if (spec.kind === "number") {
    const { min, max } = spec;
    if (typeof min !== "number" || typeof max !== "number" || !Number.isFinite(min) || !Number.isFinite(max) || min > max) {
      invalid(file, `${at} needs finite min ≤ max, got min ${describeValue(min)}, max ${describeValue(max)}`, { field: at });
    }
    return { kind: "number", min, max, ...(spec.integer === true ? { integer: true } : {}), ...(spec.minExclusive === true ? { minExclusive: true } : {}) };
  }
  return invalid(file, `${at}.kind must be "number" or "choice", got ${describeValue(spec.kind)}`, { field: `${at}.kind` });
}

/** Check parameter values against a schema; `where` names them in the error (`params`, `defaults`, `strategies[1].params`). */
export function checkParams(file: string, schema: ParamSchema, params: Readonly<Record<string, unknown>>, where: string): void {
  for (const [key, value] of Object.entries(params)) {
    const spec = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (spec === undefined) {
      const known = Object.keys(schema);
      invalid(file, `${where}.${key} is not a parameter of this strategy (${known.length === 0 ? "it takes none" : `known: ${known.join(", ")}`})`, { field: `${where}.${key}`, known });
    }
    const problem = checkParam(spec, value);
    if (problem !== undefined) invalid(file, `${where}.${key} must be ${problem}, got ${describeValue(value)}`, { field: `${where}.${key}`, value: describeValue(value) });
  }
}

export interface InstanceOptions {
  /** Default: the definition's name. */
  readonly id?: string | undefined;
  /** The symbols it trades; undefined: whichever the run trades (it may then signal any of them). */
  readonly symbols?: readonly string[] | undefined;
  /** Where the parameters came from, for error messages (default `params`). */
  readonly where?: string | undefined;
}

/** Build one running instance: parameters checked and laid over the defaults, `create` called. */
export function instantiate(loaded: LoadedStrategy, params: Readonly<Record<string, unknown>> = {}, options: InstanceOptions = {}): Strategy {
  const { file, definition, schema, defaults } = loaded;
  checkParams(file, schema, params, options.where ?? "params");
  const id = options.id ?? definition.name;
  if (!STRATEGY_ID.test(id)) invalid(file, `strategy id must be 1 to 64 letters, digits, ".", "-" or "_", got ${describeValue(id)}`, { field: "id" });
  const merged = Object.freeze({ ...defaults, ...params }) as StrategyParams;
  const context: StrategyContext = Object.freeze({ id, symbols: Object.freeze([...(options.symbols ?? [])]) });
  let handlers: unknown;
  try {
    handlers = definition.create(merged, context);
  } catch (e) {
    invalid(file, `create threw: ${e instanceof Error ? e.message : describeValue(e)}`);
  }
  if (!isRecord(handlers)) invalid(file, `create must return an object with an onBook(book, view) function, got ${describeValue(handlers)}`, { field: "onBook" });
  const h = handlers;
  if (typeof h.onBook !== "function") invalid(file, `create must return an object with an onBook(book, view) function, got onBook ${describeValue(h.onBook)}`, { field: "onBook" });
  for (const k of ["onTrade", "onFill", "onTimer"]) {
    if (h[k] !== undefined && typeof h[k] !== "function") invalid(file, `${k} must be a function when present, got ${describeValue(h[k])}`, { field: k });
  }
  return new FileStrategy(id, handlers as unknown as StrategyHandlers, options.symbols);
}

/**
 * Load a strategy file and build one instance of it. This is what `hean run --strategy-file`
 * and `hean backtest --strategy-file` call. Throws STRATEGY_INVALID.
 */
export async function createStrategyFromFile(path: string, params: Readonly<Record<string, unknown>> = {}, options: InstanceOptions = {}): Promise<Strategy> {
  return instantiate(await loadStrategyModule(path), params, options);
}

/** The id a file strategy gets when none is configured: its definition's name, else the file's base name. */
export function fileLabel(path: string): string {
  return basename(path, extname(path));
}

/** A file strategy as hean's `Strategy`: plain numbers in, completed signals out. */
export class FileStrategy implements Strategy {
  readonly id: string;
  readonly #h: StrategyHandlers;
  readonly #only: string | undefined;
  readonly #symbols: readonly string[];

  constructor(id: string, handlers: StrategyHandlers, symbols: readonly string[] | undefined) {
    this.id = id;
    this.#h = handlers;
    // A strategy of one symbol may leave `symbol` out of its signals.
    this.#only = symbols?.length === 1 ? symbols[0] : undefined;
    this.#symbols = symbols ?? [];
  }

  onBook(book: BookEvent, view: StrategyView): SignalEvent | undefined {
    const s = this.#h.onBook(
      { symbol: book.symbol, ts: book.ts, bid: toNumber(book.bid), bidQty: toNumber(book.bidQty), ask: toNumber(book.ask), askQty: toNumber(book.askQty), afterGap: book.afterGap },
      view,
    );
    return s === undefined || s === null ? undefined : this.#complete(s, view, book.symbol);
  }

  onTrade(trade: TradeEvent, view: StrategyView): void {
    this.#h.onTrade?.({ symbol: trade.symbol, ts: trade.ts, price: toNumber(trade.price), qty: toNumber(trade.qty), side: trade.side }, view);
  }

  onFill(fill: FillEvent, view: StrategyView): void {
    this.#h.onFill?.({ symbol: fill.symbol, ts: fill.ts, side: fill.side, price: toNumber(fill.price), qty: toNumber(fill.qty), fee: toNumber(fill.fee), liquidity: fill.liquidity }, view);
  }

  onTimer(view: StrategyView): SignalEvent[] {
    const out = this.#h.onTimer?.(view);
    if (out === undefined || out === null) return [];
    if (!Array.isArray(out)) throw new SignalContractError(this.id, `onTimer must return a list of signals, got ${describeValue(out)}`);
    return out.map((s: StrategySignal) => this.#complete(s, view, this.#only));
  }

  #complete(s: StrategySignal, view: StrategyView, fallbackSymbol: string | undefined): SignalEvent {
    if (typeof s !== "object" || s === null) throw new SignalContractError(this.id, `a signal must be an object, got ${describeValue(s)}`);
    const symbol = (s as { symbol?: string }).symbol ?? fallbackSymbol;
    if (symbol === undefined) {
      // Only a strategy on one symbol may leave it out (its own is meant); "" named no symbol to check.
      throw new SignalContractError(this.id, `signal.symbol is required unless the strategy trades one symbol (it trades ${this.#symbols.join(", ") || "none named"})`);
    }
    const base = { type: "signal" as const, ts: view.now(), strategyId: this.id, symbol, reason: typeof s.reason === "string" ? s.reason : `${this.id} ${String(s.action)}` };
    if (s.action === "open") {
      return {
        ...base,
        action: "open",
        side: s.side,
        confidence: s.confidence ?? 0.5,
        stopDistance: s.stopDistance,
        ...(s.context !== undefined ? { context: s.context } : {}),
        ...(s.urgency !== undefined ? { urgency: s.urgency } : {}),
        ...(s.sizeFraction !== undefined ? { sizeFraction: s.sizeFraction } : {}),
      };
    }
    // A close leaves whatever is held; the side is decided from the position.
    const held = view.positionQty(symbol);
    return {
      ...base,
      action: s.action as "close",
      side: held < 0 ? "buy" : "sell",
      confidence: 1,
      stopDistance: 1,
      ...(s.urgency !== undefined ? { urgency: s.urgency } : {}),
    };
  }
}
