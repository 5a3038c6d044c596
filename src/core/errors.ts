/**
 * The one catalogue of error codes (fastify style). Every error hean raises carries a stable
 * code from here, a message for humans and a context object for logs. Add a code here before
 * using it; the type system refuses unknown codes.
 */
import { fileURLToPath } from "node:url";

export const ERROR_CATALOGUE = {
  // numbers
  DEC_PARSE: "a value is not a plain decimal number",
  DEC_PRECISION: "a value has more decimals than hean keeps",
  DEC_NOT_FINITE: "a float is NaN or infinite",
  DEC_DIV_ZERO: "division by zero",
  DEC_BAD_STEP: "a rounding step is not positive",
  CLOCK_INVALID: "a simulated clock was asked to move by a non-finite amount",
  // instruments and orders
  INSTRUMENT_UNKNOWN: "the symbol is not a known instrument",
  ORDER_INVALID: "an order fails the instrument's rules",
  ORDER_TRANSITION: "an order event is not legal in the order's current state",
  ORDER_UNKNOWN: "an event refers to an order the engine does not know",
  ORDER_DUPLICATE: "an intent reuses a client order id",
  FILL_OVERFILL: "a fill would exceed the order's quantity",
  // events and bus
  EVENT_INVALID: "an event does not match the catalogue",
  BUS_CLOSED: "the bus is closed",
  // journal
  JOURNAL_CORRUPT: "a journal record fails its checksum or sequence",
  JOURNAL_IO: "the journal could not be read or written",
  JOURNAL_VERSION: "the journal was written by an incompatible version",
  JOURNAL_CONFIG_MISMATCH: "the journal belongs to a different configuration",
  JOURNAL_ARGUMENT: "a journal call got an argument it cannot accept",
  JOURNAL_LOCKED: "another live process holds the journal",
  JOURNAL_LOSS_UNCONFIRMED: "the journal lost records and the operator has not accepted the loss",
  // config and CLI
  CONFIG_INVALID: "the configuration is invalid",
  CLI_USAGE: "the command line is invalid",
  // venues
  VENUE_REJECTED: "the venue rejected a request",
  VENUE_UNAVAILABLE: "the venue cannot be reached",
  VENUE_PROTOCOL: "the venue sent something hean does not understand",
  VENUE_AUTH_FAILED: "the venue refused the API keys (wrong, expired or lacking permission)",
  VENUE_URL_NOT_FOUND: "the venue's REST URL answered 'not found' (HTTP 404) for its API: the configured base URL is wrong",
  VENUE_RATE_LIMITED: "the venue (or our limiter on its behalf) refused a request for its rate",
  START_ABORTED: "a stop (signal or --duration) interrupted the start before trading began",
  VENUE_POSITION_MODE: "the venue account is in a position mode hean does not trade (Binance hedge mode: switch it to one-way)",
  VENUE_ACCOUNT_MODE: "the venue account pays fees or holds margin in coins hean does not account for (Binance BNB fee deduction, multi-assets margin)",
  // risk and commands
  RISK_DENIED: "a pre-trade check denied an order",
  COMMAND_INVALID: "a command is malformed",
  COMMAND_CONFLICT: "a commandId already names a different command",
  LIVE_NOT_CONFIRMED: "live trading was requested without the explicit confirmation",
  // historical data
  DATA_MALFORMED: "a historical data file has a row or a packing hean cannot read",
  DATA_OUT_OF_ORDER: "a historical data file goes back in time",
  DATA_DOWNLOAD: "a historical data file could not be downloaded or failed its checksum",
  SWEEP_WORKER_DIED: "a sweep's worker thread ended (process.exit, an uncaught error) before it answered for its run",
  // operator surfaces
  CONTROL_UNAVAILABLE: "a control surface (API, Telegram) could not start or reach its service",
  // strategies of one's own
  STRATEGY_INVALID: "a strategy (file, parameters or signal) does not fit the strategy interface",
  STRATEGY_CAPITAL_SHARE: "the strategies' capital shares are out of range or add up to more than 1",
  // distributed mode (Redis)
  REDIS_UNAVAILABLE: "Redis cannot be reached (the engine keeps trading on its own journal)",
  FLEET_TIMEOUT: "an engine did not answer a fleet command in time (the command stays queued)",
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export type ErrorContext = Readonly<Record<string, unknown>>;

export class HeanError extends Error {
  override readonly name = "HeanError";
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.context = context;
  }

  toJSON(): { code: ErrorCode; message: string; context: ErrorContext } {
    return { code: this.code, message: this.message, context: this.context };
  }
}

export function isHeanError(e: unknown, code?: ErrorCode): e is HeanError {
  return e instanceof HeanError && (code === undefined || e.code === code);
}

/**
 * Where an error was thrown, as `path:line:column`: its stack's first frame in a file (a
 * strategy's own code, for a strategy that threw). Undefined for what carries no such frame.
 */
export function thrownAt(e: unknown): string | undefined {
  let stack: unknown;
  try {
    stack = e instanceof Error ? e.stack : undefined;
  } catch {
    return undefined; // a getter that throws: no place to name
  }
  if (typeof stack !== "string") return undefined;
  const frame = /\(?(file:\/\/[^\s()]+):(\d+):(\d+)\)?$/m.exec(stack);
  return frame === null ? undefined : `${fileURLToPath(frame[1]!)}:${frame[2]}:${frame[3]}`;
}

/** A short, safe description of anything thrown (for dead letters and alerts). */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof HeanError) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: e.name, message: e.message };
  return { code: "UNKNOWN", message: String(e) };
}

/**
 * A short description of an untrusted value for an error message or context: strings quoted,
 * numbers as written, containers by kind. Never throws (bigints, proxies, cycles included) and
 * never dumps a whole object into a log line.
 */
export function describeValue(value: unknown): string {
  try {
    if (typeof value === "string") return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
    if (Array.isArray(value)) return "array";
    return typeof value;
  } catch {
    return "unreadable";
  }
}
