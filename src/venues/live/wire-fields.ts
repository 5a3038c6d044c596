/**
 * The field readers both exchanges' wire parsers are built on: each refuses a value of the wrong
 * shape with `VENUE_PROTOCOL`, naming the venue, the message kind and the field, and shows at
 * most 40 characters of what it got (no whole payload, and so no secret, reaches an error).
 * What differs by venue (how sides, ids and times are spelt) stays in the venue's `wire.ts`.
 */
import { type Dec, tryDec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";

export type Raw = Record<string, unknown>;

export const isRaw = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** A short, safe rendering of an offending value for the error message. */
function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  const text = typeof v === "string" ? JSON.stringify(v) : typeof v === "number" || typeof v === "boolean" || v === null ? String(v) : Array.isArray(v) ? "an array" : typeof v;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export type Range = "positive" | "non-negative" | "any";

const inRange = (d: Dec, range: Range): boolean => (range === "positive" ? d > 0n : range === "non-negative" ? d >= 0n : true);

export interface WireFields<K extends string> {
  protocolError(kind: K, field: string, value: unknown, expected: string): HeanError;
  objectOf(kind: K, raw: unknown): Raw;
  listOf(kind: K, raw: unknown): unknown[];
  /** A string; `optional` reads a missing field as "", `nonEmpty` refuses "". */
  text(kind: K, raw: Raw, field: string, options?: { readonly nonEmpty?: boolean; readonly optional?: boolean }): string;
  /**
   * A decimal sent as a string. `blank` says what an empty string (or, with `absent`, a missing
   * field) means; without it both are errors. A JSON number is always an error: both venues quote
   * their decimals, and a float that reached us has already lost the exact value.
   */
  decimal(kind: K, raw: Raw, field: string, range: Range): Dec;
  decimal<B>(kind: K, raw: Raw, field: string, range: Range, blank: { readonly is: B; readonly absent?: boolean }): Dec | B;
  flag(kind: K, raw: Raw, field: string): boolean;
}

/** The readers for one venue's messages, `venue` being how its errors name it ("Bybit"). */
export function wireFields<K extends string>(venue: string): WireFields<K> {
  const protocolError = (kind: K, field: string, value: unknown, expected: string): HeanError =>
    new HeanError("VENUE_PROTOCOL", `${venue} ${kind}: "${field}" must be ${expected}, got ${shown(value)}`, { kind, field });
  function decimal(kind: K, raw: Raw, field: string, range: Range): Dec;
  function decimal<B>(kind: K, raw: Raw, field: string, range: Range, blank: { readonly is: B; readonly absent?: boolean }): Dec | B;
  function decimal<B>(kind: K, raw: Raw, field: string, range: Range, blank?: { readonly is: B; readonly absent?: boolean }): Dec | B {
    const v = raw[field];
    if (blank !== undefined && (v === "" || (v === undefined && blank.absent === true))) return blank.is;
    const d = typeof v === "string" ? tryDec(v) : undefined;
    if (d === undefined || !inRange(d, range)) throw protocolError(kind, field, v, `a ${range === "any" ? "" : `${range} `}plain decimal string`);
    return d;
  }
  return {
    protocolError,
    objectOf(kind, raw) {
      if (!isRaw(raw)) throw protocolError(kind, "(item)", raw, "an object");
      return raw;
    },
    listOf(kind, raw) {
      if (!Array.isArray(raw)) throw protocolError(kind, "(answer)", raw, "a list");
      return raw;
    },
    text(kind, raw, field, options = {}) {
      const v = raw[field];
      if (v === undefined && options.optional === true) return "";
      if (typeof v !== "string" || (options.nonEmpty === true && v === "")) throw protocolError(kind, field, v, options.nonEmpty === true ? "a non-empty string" : "a string");
      return v;
    },
    decimal,
    flag(kind, raw, field) {
      const v = raw[field];
      if (typeof v !== "boolean") throw protocolError(kind, field, v, "true or false");
      return v;
    },
  };
}
