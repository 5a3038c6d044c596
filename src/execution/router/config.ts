/**
 * The router's configuration (`execution` in the hean config): defaults and a validator that
 * turns untrusted input into an `ExecutionConfig` or a clear CONFIG_INVALID naming the path.
 */
import { HeanError } from "../../core/errors.ts";
import type { Urgency } from "../../core/events.ts";

export const URGENCIES: readonly Urgency[] = ["passive", "normal", "immediate"];

export interface TtlBounds {
  /** The TTL used until the market statistics have warmed up. */
  readonly baseMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface ExecutionConfig {
  /** Urgency of strategy entries. */
  readonly urgency: Urgency;
  /** Urgency of strategy exits (close signals). */
  readonly exitUrgency: Urgency;
  /**
   * Where a maker leg rests, in ticks from the touch on its own side: 0 joins the touch, k > 0
   * improves it by k ticks (never crossing: at most one tick inside the opposite touch), k < 0
   * rests behind it.
   */
  readonly makerOffsetTicks: number;
  readonly ttl: TtlBounds;
  /** New maker legs after the first one expires, before a `normal` parent falls back. */
  readonly maxReprices: number;
  /** Worst price of a taker leg, in bps beyond the touch it sees. */
  readonly fallbackSlippageBps: number;
}

export const DEFAULT_EXECUTION_CONFIG: ExecutionConfig = Object.freeze({
  urgency: "normal",
  exitUrgency: "normal",
  makerOffsetTicks: 0,
  ttl: Object.freeze({ baseMs: 1_500, minMs: 250, maxMs: 8_000 }),
  maxReprices: 2,
  fallbackSlippageBps: 15,
});

const KEYS = new Set(Object.keys(DEFAULT_EXECUTION_CONFIG));
const TTL_KEYS = new Set(Object.keys(DEFAULT_EXECUTION_CONFIG.ttl));

function fail(path: string, expected: string, value: unknown): never {
  throw new HeanError("CONFIG_INVALID", `config ${path} must be ${expected}, got ${JSON.stringify(value)}`, { path, value: String(value) });
}

function object(v: unknown, path: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "an object", v);
  for (const k of Object.keys(v)) {
    if (!known.has(k)) throw new HeanError("CONFIG_INVALID", `unknown config key ${JSON.stringify(`${path}.${k}`)}`, { path: `${path}.${k}`, known: [...known] });
  }
  return v as Record<string, unknown>;
}

function number(v: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(path, `${integer ? "an integer" : "a number"} from ${min} to ${max}`, v);
  }
  return v;
}

function urgency(v: unknown, path: string): Urgency {
  if (typeof v !== "string" || !(URGENCIES as readonly string[]).includes(v)) fail(path, `one of ${URGENCIES.join(", ")}`, v);
  return v as Urgency;
}

/**
 * Missing keys take their default; unknown keys and bad values are refused. Only a key left out is
 * missing: a null (`--set execution=null`, `"ttl": null`) is a bad value, never the default.
 */
export function validateExecutionConfig(raw: unknown, path = "execution"): ExecutionConfig {
  const or = (v: unknown, fallback: unknown): unknown => (v === undefined ? fallback : v);
  const r = object(or(raw, {}), path, KEYS);
  const d = DEFAULT_EXECUTION_CONFIG;
  const t = object(or(r.ttl, {}), `${path}.ttl`, TTL_KEYS);
  const minMs = number(or(t.minMs, d.ttl.minMs), `${path}.ttl.minMs`, 1, 3_600_000);
  const maxMs = number(or(t.maxMs, d.ttl.maxMs), `${path}.ttl.maxMs`, minMs, 3_600_000);
  const baseMs = number(or(t.baseMs, d.ttl.baseMs), `${path}.ttl.baseMs`, minMs, maxMs);
  return Object.freeze({
    urgency: urgency(or(r.urgency, d.urgency), `${path}.urgency`),
    exitUrgency: urgency(or(r.exitUrgency, d.exitUrgency), `${path}.exitUrgency`),
    makerOffsetTicks: number(or(r.makerOffsetTicks, d.makerOffsetTicks), `${path}.makerOffsetTicks`, -10_000, 10_000, true),
    ttl: Object.freeze({ baseMs, minMs, maxMs }),
    maxReprices: number(or(r.maxReprices, d.maxReprices), `${path}.maxReprices`, 0, 100, true),
    fallbackSlippageBps: number(or(r.fallbackSlippageBps, d.fallbackSlippageBps), `${path}.fallbackSlippageBps`, 0.01, 1_000),
  });
}
