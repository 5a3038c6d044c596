/**
 * Exact decimal arithmetic for prices, quantities and money.
 *
 * A `Dec` is a bigint holding the value scaled by 10^18. Every price and quantity an exchange
 * sends fits exactly (no venue quotes more than 18 decimals), so sums of fills are exact and a
 * replay reproduces the same numbers bit for bit. Products and quotients round explicitly
 * (half-even by default); nothing here ever goes through float64 unless asked (`toNumber`).
 */
import { BoundedMemo } from "./bounded-memo.ts";
import { HeanError } from "./errors.ts";

declare const decBrand: unique symbol;
export type Dec = bigint & { readonly [decBrand]: true };

export const DECIMALS = 18;
const SCALE = 10n ** 18n;
const HALF = SCALE / 2n;

export const ZERO = 0n as Dec;
export const ONE = SCALE as Dec;

export type Rounding = "half-even" | "floor" | "ceil" | "trunc";

const DEC_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** 10^(18 − k) for k fraction digits, k = 0..15. */
const FAST_SCALE: readonly bigint[] = Array.from({ length: 16 }, (_, k) => 10n ** BigInt(DECIMALS - k));

/**
 * The common case of a venue's prices and sizes ("30247.20", "0.224"): unsigned, at most 15
 * digits, so the digits fit a float64 exactly and one BigInt multiplication gives the units
 * (no regex, no substrings, ~5× faster). Anything else (signs, long numbers, malformed text):
 * undefined, and the general path decides, so the accepted language is exactly DEC_PATTERN's.
 */
function fastDec(text: string): Dec | undefined {
  const n = text.length;
  if (n === 0 || n > 16) return undefined;
  let digits = 0;
  let units = 0;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0 && i > 0 && i < n - 1) dot = i;
    else return undefined;
  }
  if (digits > 15) return undefined;
  return (BigInt(units) * FAST_SCALE[dot < 0 ? 0 : n - 1 - dot]!) as Dec;
}

/**
 * What `fastDec` returns once a caller has scanned the digits itself (a byte-level CSV reader):
 * `units` is the number the digits spell without the dot (at most 15 digits, so exact),
 * `fractionDigits` how many stood after it (0..15). Lets such a reader build the decimal without
 * making a string of the field first.
 */
export function decFromDigits(units: number, fractionDigits: number): Dec {
  return (BigInt(units) * FAST_SCALE[fractionDigits]!) as Dec;
}

/** Parse an exact decimal string ("0.001", "-42", "1e-3" is rejected: exchanges send plain decimals). */
export function dec(text: string): Dec {
  const fast = fastDec(text);
  if (fast !== undefined) return fast;
  const m = DEC_PATTERN.exec(text);
  if (m === null) throw new HeanError("DEC_PARSE", `not a decimal number: ${JSON.stringify(text)}`, { text });
  const [, sign, int, frac = ""] = m;
  if (frac.length > DECIMALS) {
    throw new HeanError("DEC_PRECISION", `more than ${DECIMALS} decimals: ${text}`, { text });
  }
  const units = BigInt(int!) * SCALE + (frac.length === 0 ? 0n : BigInt(frac.padEnd(DECIMALS, "0")));
  return (sign === "-" ? -units : units) as Dec;
}

/** Parse without throwing; `undefined` for anything that is not a finite plain decimal. */
export function tryDec(value: unknown): Dec | undefined {
  if (typeof value === "string") {
    const fast = fastDec(value);
    if (fast !== undefined) return fast;
    // One match, not three (historical data parses millions of these).
    const m = DEC_PATTERN.exec(value);
    if (m === null) return undefined;
    const [, sign, int, frac = ""] = m;
    if (frac.length > DECIMALS) return undefined;
    const units = BigInt(int!) * SCALE + (frac.length === 0 ? 0n : BigInt(frac.padEnd(DECIMALS, "0")));
    return (sign === "-" ? -units : units) as Dec;
  }
  // From 1e21 up a float prints in exponent notation, which is no plain decimal.
  if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) < 1e21) return fromNumber(value);
  return undefined;
}

/** 10^k as a float64 (exact for every k used here, k ≤ 15). */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A float64 that stands in for a plain decimal string's value where only identity and order
 * matter (a book's price levels): the value's nearest float64 when it has at most 15
 * significant digits. No two such decimals share a float64 (DBL_DIG is 15) and rounding to
 * nearest keeps their order, so comparing keys compares the decimals exactly, without the two
 * BigInts `dec` builds. NaN for longer numbers and for text `tryDec` refuses; `tryDec` tells
 * the two apart.
 */
export function decKey(text: string): number {
  const n = text.length;
  // The common case, as in fastDec: unsigned, at most 15 digits. units / 10^k divides two exact
  // float64s, so it is the correctly rounded value of the decimal.
  if (n > 0 && n <= 16) {
    let digits = 0;
    let units = 0;
    let dot = -1;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        units = units * 10 + (c - 48);
        digits++;
      } else if (c === 46 && dot < 0 && i > 0 && i < n - 1) dot = i;
      else break;
    }
    if (i === n && digits <= 15) return units / POW10[dot < 0 ? 0 : n - 1 - dot]!;
  }
  // Signs, padding zeros, long or malformed text: the exact parser decides, on its canonical form.
  const d = tryDec(text);
  if (d === undefined) return NaN;
  const canonical = format(d);
  let significant = 0;
  for (let i = 0; i < canonical.length; i++) {
    const c = canonical.charCodeAt(i);
    if (c >= 48 && c <= 57 && (significant > 0 || c !== 48)) significant++;
  }
  return significant <= 15 ? Number(canonical) : NaN;
}

/** From an integer count of units (e.g. ticks) and the unit size: `fromUnits(12345n, tick)`. */
export function fromUnits(units: bigint, step: Dec): Dec {
  return (units * step) as Dec;
}

/** How many whole `step`s are in `value` (exact when value is a multiple of step). */
export function toUnits(value: Dec, step: Dec): bigint {
  return value / step;
}

/** From a float, for values that only inform (indicators, reports); rounds to 12 significant decimals. */
export function fromNumber(value: number): Dec {
  if (!Number.isFinite(value)) throw new HeanError("DEC_NOT_FINITE", `not a finite number: ${value}`, { value });
  // toFixed keeps us out of exponent notation for the magnitudes we handle.
  return dec(value.toFixed(12));
}

/**
 * Every book update is converted several times (stats, governor, router) and prices and sizes
 * repeat a lot, while two BigInt divisions cost more than a Map lookup.
 */
const TO_NUMBER_MEMO = new BoundedMemo<bigint, number>(4096, (value) => {
  // Split to keep precision for large magnitudes.
  const int = value / SCALE;
  const frac = value % SCALE;
  return Number(int) + Number(frac) / 1e18;
});

export function toNumber(value: Dec): number {
  return TO_NUMBER_MEMO.get(value);
}

export function format(value: Dec): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const int = abs / SCALE;
  const frac = abs % SCALE;
  let text = int.toString();
  if (frac !== 0n) text += "." + frac.toString().padStart(DECIMALS, "0").replace(/0+$/, "");
  return negative ? "-" + text : text;
}

/** Format with exactly `places` decimals, rounding half-even (for the wire, where venues want fixed places). */
export function formatFixed(value: Dec, places: number): string {
  const step = (10n ** BigInt(DECIMALS - places)) as Dec;
  const rounded = roundToStep(value, step, "half-even");
  const text = format(rounded);
  if (places === 0) return text;
  const [int, frac = ""] = text.split(".");
  return `${int}.${frac.padEnd(places, "0")}`;
}

export const add = (a: Dec, b: Dec): Dec => (a + b) as Dec;
export const sub = (a: Dec, b: Dec): Dec => (a - b) as Dec;
export const neg = (a: Dec): Dec => -a as Dec;
export const abs = (a: Dec): Dec => (a < 0n ? -a : a) as Dec;
export const sign = (a: Dec): -1 | 0 | 1 => (a > 0n ? 1 : a < 0n ? -1 : 0);
export const min = (a: Dec, b: Dec): Dec => (a < b ? a : b);
export const max = (a: Dec, b: Dec): Dec => (a > b ? a : b);
export const isZero = (a: Dec): boolean => a === 0n;
export const cmp = (a: Dec, b: Dec): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0);

/** Integer multiple: `mulInt(qty, 3)`. Exact. */
export const mulInt = (a: Dec, k: bigint | number): Dec => (a * BigInt(k)) as Dec;

/** a × b, rounded to 18 decimals. */
export function mul(a: Dec, b: Dec, rounding: Rounding = "half-even"): Dec {
  return divRound(a * b, SCALE, rounding) as Dec;
}

/** a ÷ b, rounded to 18 decimals. */
export function div(a: Dec, b: Dec, rounding: Rounding = "half-even"): Dec {
  if (b === 0n) throw new HeanError("DEC_DIV_ZERO", "division by zero", { a: format(a) });
  return divRound(a * SCALE, b, rounding) as Dec;
}

/** a × n ÷ d with a single rounding (keeps proportional splits exact when they can be). */
export function mulDiv(a: Dec, n: Dec, d: Dec, rounding: Rounding = "half-even"): Dec {
  if (d === 0n) throw new HeanError("DEC_DIV_ZERO", "division by zero", { a: format(a) });
  return divRound(a * n, d, rounding) as Dec;
}

/** Round to a multiple of `step` (tick or lot). */
export function roundToStep(value: Dec, step: Dec, rounding: Rounding): Dec {
  if (step <= 0n) throw new HeanError("DEC_BAD_STEP", "step must be positive", { step: format(step) });
  // Most values are on the grid already (book prices checked against the tick on every update):
  // one remainder instead of a division and a multiplication, for the same answer.
  if (value % step === 0n) return value;
  return (divRound(value, step, rounding) * step) as Dec;
}

export const isMultipleOf = (value: Dec, step: Dec): boolean => step > 0n && value % step === 0n;

function divRound(n: bigint, d: bigint, rounding: Rounding): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  switch (rounding) {
    case "trunc":
      return q;
    case "floor":
      return n < 0n ? q - 1n : q;
    case "ceil":
      return n > 0n ? q + 1n : q;
    case "half-even": {
      const twice = (r < 0n ? -r : r) * 2n;
      const away = n < 0n ? q - 1n : q + 1n;
      if (twice > d) return away;
      if (twice < d) return q;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** For tests and reports that want to show intent: `HALF` is 0.5. */
export const HALF_DEC = HALF as Dec;
