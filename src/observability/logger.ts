/**
 * Structured logs: one JSON object per line (pino), with a level, an ISO time, the service and
 * whatever context the caller binds (`logger.child({ component: "http" })`).
 *
 * Secrets are kept out twice. First by key: `redact` paths censor the usual places (api keys,
 * secrets, tokens, passwords, authorization and venue auth headers) wherever they sit in the
 * first two levels of a logged object. Then by value: every line passes through a scrubber that
 * replaces known secret values (registered at start-up, see `readSecret`) and credential shapes,
 * wherever they hide: deep objects, error messages, URLs, the message itself.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import type { Secret } from "../core/secrets.ts";
import { createScrubber, SCRUBBED } from "./scrub.ts";
import { type LogFormat, prettyDestination } from "./pretty.ts";

export type Logger = PinoLogger;
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

const SECRET_KEYS = [
  "apiKey",
  "apiSecret",
  "api_key",
  "api_secret",
  "secret",
  "token",
  "apiToken",
  "botToken",
  "password",
  "passphrase",
  "privateKey",
  "authorization",
  "Authorization",
  "cookie",
  "signature",
  "sign",
];

const SECRET_HEADERS = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-bapi-api-key",
  "x-bapi-sign",
  "x-mbx-apikey",
];

/** Where secrets live in the objects hean logs; fast-redact paths (one wildcard level). */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_HEADERS.flatMap((h) => [
    `headers["${h}"]`,
    `*.headers["${h}"]`,
    `req.headers["${h}"]`,
    `request.headers["${h}"]`,
  ]),
];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go: a stream or anything with `write(line)`. Default: stdout, asynchronously. */
  readonly destination?: DestinationStream;
  /** Secret values to scrub besides those registered process-wide. */
  readonly secrets?: Iterable<Secret | string>;
  /** `pretty`: one human line per entry (src/observability/pretty.ts) on `destination` or stdout. Default json. */
  readonly format?: LogFormat;
  /** Bound to every line. */
  readonly base?: Readonly<Record<string, unknown>>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = createScrubber(options.secrets ?? []);
  const destination =
    options.format === "pretty"
      ? prettyDestination(options.destination ?? process.stdout, options.destination === undefined && process.stdout.isTTY === true)
      : (options.destination ?? pino.destination({ dest: 1, sync: false }));
  const base = { service: "hean", pid: process.pid, ...options.base };
  return pino(
    {
      level: options.level ?? "info",
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: withoutBoundKeys(base) },
      redact: { paths: [...REDACT_PATHS], censor: SCRUBBED },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}

/** Keys every line already has: pino's own, and what hean's children bind (`component`). */
const LINE_KEYS = ["level", "time", "msg", "component"];

/**
 * A line's fields without the keys the line already has from its logger (pino writes both, and a
 * JSON line with `"venue"` twice is read differently by each reader: most keep the last, some
 * refuse it). A field equal to the bound value says nothing more and is left out; a different
 * value is kept as `field.<key>` (an alert's context naming another venue than the run's).
 */
export function withoutBoundKeys(base: Readonly<Record<string, unknown>>): (fields: Record<string, unknown>) => Record<string, unknown> {
  const bound = new Set([...Object.keys(base), ...LINE_KEYS]);
  return (fields) => {
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(fields)) {
      if (!bound.has(key)) continue;
      out ??= { ...fields };
      const value = out[key];
      delete out[key];
      if (!Object.hasOwn(base, key) || base[key] !== value) out[`field.${key}`] = value;
    }
    return out ?? fields;
  };
}

/** A logger that writes nothing, for components started without one. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
