/**
 * The `redis` block: the distributed mode (command bus, event stream, fleet, context feeds).
 * No `url` (and no HEAN_REDIS_URL) means the embedded default: SQLite journal, in-process
 * commands, nothing on the network. The URL may carry a password: it is registered as a secret
 * and never logged.
 */
import { MAX_TIMER_MS } from "../core/clock.ts";
import { describeValue, HeanError } from "../core/errors.ts";

export interface RedisConfig {
  /** `redis://[:password@]host:port[/db]`; null: distributed mode off. */
  readonly url: string | null;
  /** This engine's name in the fleet; null: derived from the journal's id. */
  readonly engineId: string | null;
  /** A command left unacknowledged this long by a consumer is reclaimed (ms). */
  readonly claimIdleMs: number;
  /** Deliveries after which a command that keeps failing goes to the dead stream. */
  readonly maxDeliveries: number;
  /** How long a risk-adding command (resume, set-stoploss, reset-hard-stop) stays valid (ms). */
  readonly commandTtlMs: number;
  /** Events kept on the engine's event stream (approximate). */
  readonly eventsMaxLen: number;
  readonly heartbeatMs: number;
  /** Context older than this is stale: strategies see it as absent (ms). */
  readonly contextMaxAgeMs: number;
}

export const DEFAULT_REDIS_CONFIG: RedisConfig = {
  url: null,
  engineId: null,
  claimIdleMs: 30_000,
  maxDeliveries: 5,
  commandTtlMs: 300_000,
  eventsMaxLen: 100_000,
  heartbeatMs: 1_000,
  contextMaxAgeMs: 60_000,
};

const ENGINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function fail(path: string, expected: string, value: unknown): never {
  throw new HeanError("CONFIG_INVALID", `config ${path} must be ${expected}, got ${path === "redis.url" ? "[redacted]" : describeValue(value)}`, { path });
}

/** Lays what was written over the defaults; unknown keys are refused. */
export function validateRedisConfig(input: unknown): RedisConfig {
  if (input === undefined) return DEFAULT_REDIS_CONFIG;
  if (typeof input !== "object" || input === null || Array.isArray(input)) fail("redis", "an object", input);
  const written = input as Record<string, unknown>;
  const known = Object.keys(DEFAULT_REDIS_CONFIG);
  for (const k of Object.keys(written)) {
    if (!known.includes(k)) throw new HeanError("CONFIG_INVALID", `unknown config key "redis.${k}" (known: ${known.join(", ")})`, { path: `redis.${k}`, known });
  }
  const get = (k: keyof RedisConfig): unknown => (Object.hasOwn(written, k) && written[k] !== undefined ? written[k] : DEFAULT_REDIS_CONFIG[k]);
  const int = (k: keyof RedisConfig, min: number, max: number): number => {
    const v = get(k);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(`redis.${k}`, `an integer from ${min} to ${max}`, v);
    return v;
  };
  const url = get("url");
  if (url !== null && (typeof url !== "string" || !/^rediss?:\/\/[^\s]+$/.test(url))) fail("redis.url", "a redis:// or rediss:// URL (or null)", url);
  const engineId = get("engineId");
  if (engineId !== null && (typeof engineId !== "string" || !ENGINE_ID.test(engineId))) {
    fail("redis.engineId", "1-64 letters, digits and . _ - (starting with a letter or digit)", engineId);
  }
  return {
    url: url as string | null,
    engineId: engineId as string | null,
    claimIdleMs: int("claimIdleMs", 10, MAX_TIMER_MS),
    maxDeliveries: int("maxDeliveries", 1, 1_000),
    commandTtlMs: int("commandTtlMs", 0, MAX_TIMER_MS),
    eventsMaxLen: int("eventsMaxLen", 100, 100_000_000),
    heartbeatMs: int("heartbeatMs", 50, 3_600_000),
    contextMaxAgeMs: int("contextMaxAgeMs", 1, MAX_TIMER_MS),
  };
}
