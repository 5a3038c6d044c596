/**
 * Request parameters as Bybit reads them: GET from the query string, POST from the JSON body.
 * Validation failures become 10001 replies naming the parameter, never exceptions.
 */
import { type Dec, tryDec } from "../../core/decimal.ts";
import { RET } from "./codes.ts";
import { fail, type Reply } from "./envelope.ts";

export class Params {
  readonly #source: Readonly<Record<string, unknown>>;

  constructor(source: Readonly<Record<string, unknown>>) {
    this.#source = source;
  }

  static fromQuery(query: string): Params {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(query)) out[k] ??= v;
    return new Params(out);
  }

  has(name: string): boolean {
    const v = this.#source[name];
    return v !== undefined && v !== null && v !== "";
  }

  /** A string (numbers are accepted and printed as JSON would). */
  str(name: string): string | undefined {
    const v = this.#source[name];
    if (typeof v === "string") return v === "" ? undefined : v;
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
    return undefined;
  }

  /** Raw value, for type checks. */
  raw(name: string): unknown {
    return this.#source[name];
  }
}

export const paramError = (message: string): Reply => fail(RET.PARAM, `params error: ${message}`);

/** A positive exact decimal from a string parameter (Bybit wants strings for qty and price). */
export function decParam(params: Params, name: string): Dec | Reply | undefined {
  if (!params.has(name)) return undefined;
  const raw = params.raw(name);
  const value = typeof raw === "string" || typeof raw === "number" ? tryDec(typeof raw === "number" ? String(raw) : raw) : undefined;
  if (value === undefined) return paramError(`${name} invalid`);
  return value;
}

export function boolParam(params: Params, name: string): boolean | Reply {
  const raw = params.raw(name);
  if (raw === undefined || raw === null || raw === "") return false;
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  return paramError(`${name} invalid`);
}

export function intParam(params: Params, name: string, min: number, max: number, fallback: number): number | Reply {
  const text = params.str(name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) return paramError(`${name} must be in [${min}, ${max}]`);
  return Number(text);
}

export const isReply = (value: unknown): value is Reply =>
  typeof value === "object" && value !== null && "retCode" in value && "retMsg" in value;

/** Offset cursors: opaque to the client, like Bybit's. */
export function paginate<T>(items: readonly T[], limit: number, cursor: string | undefined): { page: T[]; nextPageCursor: string } | Reply {
  let offset = 0;
  if (cursor !== undefined) {
    const m = /^page%3D(\d+)$|^page=(\d+)$/.exec(cursor);
    if (m === null) return paramError("cursor invalid");
    offset = Number(m[1] ?? m[2]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? `page%3D${offset + limit}` : "";
  return { page, nextPageCursor: next };
}
