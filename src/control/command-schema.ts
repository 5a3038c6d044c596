/**
 * What an operator command looks like on the wire, and the one validator every control surface
 * (HTTP API, dashboard, Telegram) uses before anything reaches the engine.
 *
 * Arguments, by command:
 * - `stop`, `resume`, `flatten`, `cancel-all`, `reset-hard-stop`: optional `reason` (free text).
 * - `set-stoploss`: `symbol` (one the engine trades) and `pct`, the stop distance in PERCENT of
 *   the entry price (2 = 2%), 0 < pct < 100.
 * - `close-position`: `symbol` (one the engine trades); closes that position with a reduce-only
 *   order, optional `reason`.
 * Unknown fields are refused so a typo ("pcts") never silently does nothing.
 */
import type { CommandType } from "../core/events.ts";

export const COMMAND_TYPES: readonly CommandType[] = [
  "stop",
  "resume",
  "flatten",
  "cancel-all",
  "set-stoploss",
  "reset-hard-stop",
  "close-position",
];

/** Command ids are echoed into the journal and logs: keep them short and plain. */
export const COMMAND_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/;
const MAX_REASON_LENGTH = 200;
const PLAIN_DECIMAL = /^\d+(?:\.\d+)?$/;

export interface ValidCommand {
  readonly ok: true;
  readonly commandId: string;
  readonly command: CommandType;
  readonly args: Readonly<Record<string, string | number>>;
}

export interface InvalidCommand {
  readonly ok: false;
  readonly message: string;
}

export type CommandValidation = ValidCommand | InvalidCommand;

const invalid = (message: string): InvalidCommand => ({ ok: false, message });

const isCommandType = (value: unknown): value is CommandType =>
  typeof value === "string" && (COMMAND_TYPES as readonly string[]).includes(value);

/**
 * Validates a parsed request body `{type, commandId, ...args}` against the symbols the engine
 * trades. Never throws.
 */
export function validateCommand(body: Readonly<Record<string, unknown>>, symbols: readonly string[]): CommandValidation {
  const { type, commandId, ...rest } = body;
  if (type === undefined) return invalid(`"type" is required: one of ${COMMAND_TYPES.join(", ")}`);
  if (!isCommandType(type)) {
    return invalid(`unknown command type ${JSON.stringify(type)}: expected one of ${COMMAND_TYPES.join(", ")}`);
  }
  if (commandId === undefined) return invalid(`"commandId" is required (a unique id per command, reused on retry)`);
  if (typeof commandId !== "string" || !COMMAND_ID_PATTERN.test(commandId)) {
    return invalid(`"commandId" must be 1-80 characters of letters, digits and . _ : - (starting with a letter or digit)`);
  }
  const args =
    type === "set-stoploss" ? validateStopLossArgs(rest, symbols) : type === "close-position" ? validateClosePositionArgs(rest, symbols) : validateReasonOnly(type, rest);
  if (!args.ok) return args;
  return { ok: true, commandId, command: type, args: args.args };
}

type ArgsResult = { readonly ok: true; readonly args: Record<string, string | number> } | InvalidCommand;

function unknownFields(fields: Readonly<Record<string, unknown>>, allowed: readonly string[]): string[] {
  return Object.keys(fields).filter((k) => !allowed.includes(k));
}

function validateReason(reason: unknown): string | InvalidCommand | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason !== "string" || reason.length > MAX_REASON_LENGTH || /[\u0000-\u001f\u007f]/.test(reason)) {
    return invalid(`"reason" must be a single line of at most ${MAX_REASON_LENGTH} characters`);
  }
  return reason;
}

function validateReasonOnly(type: CommandType, fields: Readonly<Record<string, unknown>>): ArgsResult {
  const extra = unknownFields(fields, ["reason"]);
  if (extra.length > 0) return invalid(`"${type}" takes no field ${extra.map((k) => JSON.stringify(k)).join(", ")} (only "reason")`);
  const reason = validateReason(fields["reason"]);
  if (typeof reason === "object") return reason;
  return { ok: true, args: reason === undefined ? {} : { reason } };
}

/** A symbol the engine trades, upper-cased, or why not. */
function validateSymbol(type: CommandType, symbol: unknown, symbols: readonly string[]): string | InvalidCommand {
  if (typeof symbol !== "string" || symbol === "") return invalid(`"${type}" needs "symbol" (one of ${symbols.join(", ")})`);
  const upper = symbol.toUpperCase();
  if (!symbols.includes(upper)) return invalid(`unknown symbol ${JSON.stringify(symbol)}: the engine trades ${symbols.join(", ")}`);
  return upper;
}

function validateClosePositionArgs(fields: Readonly<Record<string, unknown>>, symbols: readonly string[]): ArgsResult {
  const extra = unknownFields(fields, ["symbol", "reason"]);
  if (extra.length > 0) return invalid(`"close-position" takes "symbol" and "reason", not ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
  const symbol = validateSymbol("close-position", fields["symbol"], symbols);
  if (typeof symbol === "object") return symbol;
  const reason = validateReason(fields["reason"]);
  if (typeof reason === "object") return reason;
  return { ok: true, args: reason === undefined ? { symbol } : { symbol, reason } };
}

function validateStopLossArgs(fields: Readonly<Record<string, unknown>>, symbols: readonly string[]): ArgsResult {
  const extra = unknownFields(fields, ["symbol", "pct", "reason"]);
  if (extra.length > 0) return invalid(`"set-stoploss" takes "symbol", "pct" and "reason", not ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
  const { symbol, pct } = fields;
  if (typeof symbol !== "string" || symbol === "") return invalid(`"set-stoploss" needs "symbol" (one of ${symbols.join(", ")})`);
  const upper = symbol.toUpperCase();
  if (!symbols.includes(upper)) return invalid(`unknown symbol ${JSON.stringify(symbol)}: the engine trades ${symbols.join(", ")}`);
  // Text (Telegram) must spell a plain decimal: Number() would also take "0x10" as 16 and "1e1" as 10.
  const value = typeof pct === "string" && PLAIN_DECIMAL.test(pct) ? Number(pct) : pct;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return invalid(`"pct" must be a finite number (or plain decimal text like "2.5"): the stop distance in percent of entry (2 = 2%)`);
  }
  if (value <= 0 || value >= 100) return invalid(`"pct" must be above 0 and below 100 (percent of entry), got ${value}`);
  const reason = validateReason(fields["reason"]);
  if (typeof reason === "object") return reason;
  return { ok: true, args: reason === undefined ? { symbol: upper, pct: value } : { symbol: upper, pct: value, reason } };
}
