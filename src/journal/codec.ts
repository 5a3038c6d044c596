/**
 * The journal's payload codec: JSON where every bigint (`Dec`) becomes `{"$d":"<decimal>"}`.
 *
 * Encoding copies the value into a JSON-safe tree and calls `JSON.stringify` once (a replacer
 * function is ~40% slower). Decoding is `JSON.parse` plus one walk that swaps the markers for
 * `Dec`s; a reviver costs ~3x more because V8 calls it for every key.
 *
 * Only values that come back identical are accepted: non-finite numbers, `undefined` inside
 * arrays, functions, symbols, class instances and cycles are refused with EVENT_INVALID
 * instead of being silently changed by JSON. `undefined` object properties are dropped (for the
 * catalogue's optional fields that means the same thing), and -0 is written as 0 (as JSON does;
 * equal as a number). A plain object that happens to own a `$d` or `$o` key is escaped as
 * `{"$o":[[key,value],…]}` so no data is ever mistaken for a marker. An own `__proto__` key is
 * data like any other (JSON.parse makes it one), never the object's prototype.
 *
 * Decoding never throws anything but JOURNAL_CORRUPT: nesting deeper than any encoding makes is
 * refused before it can exhaust the stack.
 */
import { BoundedMemo } from "../core/bounded-memo.ts";
import type { Dec } from "../core/decimal.ts";
import { HeanError } from "../core/errors.ts";
import type { HeanEvent } from "../core/events.ts";
import { ALL_EVENT_TYPES } from "../core/events.ts";
import { formatDecimalText, parseDecimalText } from "./decimal-text.ts";

const MAX_DEPTH = 64;
/** An encoded value nests at most three JSON levels per level of the value (`$o` → entries → entry). */
const MAX_DECODE_DEPTH = 3 * MAX_DEPTH + 2;
const KNOWN_TYPES: ReadonlySet<string> = new Set(ALL_EVENT_TYPES);

/** Encode any JSON-able value that may contain `Dec`s (snapshots use this). */
export function encodeValue(value: unknown): string {
  try {
    return JSON.stringify(toJsonSafe(value, 0));
  } catch (e) {
    if (e instanceof Refusal) {
      const path = "$" + e.segments.reverse().join("");
      throw new HeanError("EVENT_INVALID", `cannot journal ${e.what} at ${path}: it would not read back the same`, { path });
    }
    throw e;
  }
}

/** Encode one event; refuses anything that is not a catalogue event that round-trips. */
export function encodeEvent(event: HeanEvent): string {
  checkEventShape(event);
  return encodeValue(event);
}

/** Decode what `encodeValue` wrote. Throws JOURNAL_CORRUPT for text that is not such a value. */
export function decodeValue(text: string): unknown {
  return revive(parse(text));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HeanError("JOURNAL_CORRUPT", `undecodable payload: ${(e as Error).message}`, {}, { cause: e });
  }
}

/** Decode one event and check it is shaped like one (a `type` from the catalogue, a finite `ts`). */
export function decodeEvent(text: string): HeanEvent {
  const value = parse(text);
  checkEventShape(value, "JOURNAL_CORRUPT");
  // An event is never a marker itself: walk its fields only (saves two megamorphic lookups per record).
  reviveChildren(value as unknown as Record<string, unknown>, 0);
  return value;
}

/** For printing: the same tree with every `Dec` as its decimal string. */
export function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") return formatDecimalText(value as Dec);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) put(out, key, toPlain((value as Record<string, unknown>)[key]));
  return out;
}

function checkEventShape(value: unknown, code: "EVENT_INVALID" | "JOURNAL_CORRUPT" = "EVENT_INVALID"): asserts value is HeanEvent {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HeanError(code, "an event must be an object", { got: typeof value });
  }
  const { type, ts } = value as { type?: unknown; ts?: unknown };
  if (typeof type !== "string" || !KNOWN_TYPES.has(type)) {
    throw new HeanError(code, `unknown event type ${JSON.stringify(type)}`, { type: String(type) });
  }
  if (typeof ts !== "number" || !Number.isFinite(ts)) {
    throw new HeanError(code, `event ${type} has no finite ts`, { type, ts: String(ts) });
  }
}

/** Thrown inside the walk; the path is built only when something is refused (keeps encoding cheap). */
class Refusal {
  readonly what: string;
  readonly segments: string[] = [];
  constructor(what: string) {
    this.what = what;
  }
}

function toJsonSafe(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new Refusal(`a non-finite number (${value})`);
      return value === 0 ? 0 : value; // -0 as 0, in the tree as in the JSON text
    case "bigint":
      return { $d: decimalText(value as Dec) };
    case "object":
      break;
    default:
      throw new Refusal(`a ${typeof value}`);
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) throw new Refusal(`nesting deeper than ${MAX_DEPTH} (a cycle?)`);
  if (Array.isArray(value)) return arrayToJsonSafe(value, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Refusal(`an instance of ${describeProto(proto)}`);
  const source = value as Record<string, unknown>;
  const escape = Object.hasOwn(source, "$d") || Object.hasOwn(source, "$o");
  const out: Record<string, unknown> = {};
  const entries: [string, unknown][] | undefined = escape ? [] : undefined;
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined) continue;
    let safe: unknown;
    try {
      safe = toJsonSafe(item, depth + 1);
    } catch (e) {
      if (e instanceof Refusal) e.segments.push(`.${key}`);
      throw e;
    }
    if (entries !== undefined) entries.push([key, safe]);
    else put(out, key, safe);
  }
  return entries !== undefined ? { $o: entries } : out;
}

/**
 * Prices and quantities repeat (ticks, lot sizes, the same fill price across events): formatting
 * them was a fifth of encoding an event, a lookup costs a tenth of formatting.
 */
const DECIMAL_TEXTS = new BoundedMemo<Dec, string>(4096, formatDecimalText);
const decimalText = (value: Dec): string => DECIMAL_TEXTS.get(value);

function arrayToJsonSafe(value: readonly unknown[], depth: number): unknown[] {
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    try {
      if (item === undefined) throw new Refusal("undefined inside an array");
      out[i] = toJsonSafe(item, depth + 1);
    } catch (e) {
      if (e instanceof Refusal) e.segments.push(`[${i}]`);
      throw e;
    }
  }
  return out;
}

function describeProto(proto: unknown): string {
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === "string" ? ctor.name : "an unknown class";
}

/** Swap markers for values, in place (the tree is fresh from JSON.parse, nobody else holds it). */
function revive(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  return reviveNested(value as Record<string, unknown>, depth);
}

const NOT_A_MARKER: unique symbol = Symbol("not a marker");

function reviveMarker(node: Record<string, unknown>, depth: number): unknown {
  const d = node.$d;
  if (d !== undefined) {
    if (typeof d !== "string") throw new HeanError("JOURNAL_CORRUPT", "undecodable payload: a $d marker without text", {});
    return decodeDecimal(d);
  }
  const o = node.$o;
  if (o !== undefined) {
    if (!Array.isArray(o)) throw new HeanError("JOURNAL_CORRUPT", "undecodable payload: a $o marker without entries", {});
    const out: Record<string, unknown> = {};
    for (const entry of o as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") {
        throw new HeanError("JOURNAL_CORRUPT", "undecodable payload: a malformed $o entry", {});
      }
      put(out, entry[0], revive(entry[1], depth + 1));
    }
    return out;
  }
  return NOT_A_MARKER;
}

function reviveChildren(node: Record<string, unknown> | unknown[], depth: number): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (typeof child === "object" && child !== null) node[i] = reviveNested(child as Record<string, unknown>, depth + 1);
    }
    return;
  }
  // for-in over a JSON.parse result sees only own enumerable keys and is the fastest walk in V8.
  for (const key in node) {
    const child = node[key];
    if (typeof child === "object" && child !== null) put(node, key, reviveNested(child as Record<string, unknown>, depth + 1));
  }
}

function reviveNested(child: Record<string, unknown>, depth: number): unknown {
  if (depth > MAX_DECODE_DEPTH) throw new HeanError("JOURNAL_CORRUPT", `undecodable payload: nested deeper than ${MAX_DECODE_DEPTH}`, {});
  const marker = reviveMarker(child, depth);
  if (marker !== NOT_A_MARKER) return marker;
  reviveChildren(child, depth);
  return child;
}

/** `obj[key] = value`, except that `__proto__` becomes an own property instead of the prototype. */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/**
 * The same prices and sizes recur across a journal; a replay revives ~2 decimals per record and
 * a lookup costs a fraction of building the bigint. A bigint is immutable, so sharing one is safe.
 * A text that fails to parse throws and is never stored.
 */
const DECIMAL_VALUES = new BoundedMemo<string, Dec>(4096, parseDecimalText);

function decodeDecimal(text: string): Dec {
  try {
    return DECIMAL_VALUES.get(text);
  } catch (e) {
    throw new HeanError("JOURNAL_CORRUPT", `undecodable payload: bad decimal ${JSON.stringify(text)}`, {}, { cause: e });
  }
}
