/**
 * A command on the bus, as stream fields, and the one decoder the engine trusts.
 *
 * Fields: `commandId`, `type`, `args` (a JSON object: the command's arguments), `source` (who
 * sent it: "ctl@host", "fleet-risk", …) and `ttlMs` (how long a risk-adding command stays
 * valid). The time it was sent is the entry's stream id (Redis' own clock), so the engine judges
 * a command's age without trusting the sender's clock.
 *
 * Whatever a producer wrote, decoding never throws: an entry is either a valid command or a
 * reason, and a reason sends the entry to the dead stream.
 */
import type { CommandType } from "../core/events.ts";
import { validateCommand } from "../control/command-schema.ts";

/** Commands that only take risk off apply whenever they arrive, however late. */
export const ALWAYS_APPLY: readonly CommandType[] = ["stop", "flatten", "cancel-all"];

/** A risk-adding command older than this (and no TTL of its own) is refused: 5 minutes. */
export const DEFAULT_COMMAND_TTL_MS = 300_000;
const MAX_TTL_MS = 7 * 24 * 3_600_000;
const MAX_SOURCE_LENGTH = 120;
const MAX_ARGS_LENGTH = 2_000;

export interface BusCommand {
  readonly commandId: string;
  readonly command: CommandType;
  readonly args: Readonly<Record<string, string | number>>;
  readonly source: string;
  /** Undefined: the engine's configured TTL. */
  readonly ttlMs: number | undefined;
}

export type DecodedEntry = { readonly ok: true; readonly command: BusCommand } | { readonly ok: false; readonly reason: string; readonly commandId: string | undefined };

export function encodeCommandEntry(c: BusCommand): Record<string, string> {
  const fields: Record<string, string> = {
    commandId: c.commandId,
    type: c.command,
    args: JSON.stringify(c.args),
    source: c.source,
  };
  if (c.ttlMs !== undefined) fields["ttlMs"] = String(c.ttlMs);
  return fields;
}

const KNOWN_FIELDS = new Set(["commandId", "type", "args", "source", "ttlMs"]);

export function decodeCommandEntry(fields: Readonly<Record<string, string>>, symbols: readonly string[]): DecodedEntry {
  const rawId = fields["commandId"];
  const commandId = typeof rawId === "string" && rawId.length > 0 && rawId.length <= 80 ? rawId : undefined;
  const bad = (reason: string): DecodedEntry => ({ ok: false, reason, commandId });
  const extra = Object.keys(fields).filter((k) => !KNOWN_FIELDS.has(k));
  if (extra.length > 0) return bad(`unknown field(s) ${extra.slice(0, 5).map((k) => JSON.stringify(k)).join(", ")}`);
  const argsText = fields["args"] ?? "{}";
  if (argsText.length > MAX_ARGS_LENGTH) return bad(`"args" longer than ${MAX_ARGS_LENGTH} characters`);
  let args: unknown;
  try {
    args = JSON.parse(argsText);
  } catch {
    return bad(`"args" is not JSON`);
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) return bad(`"args" must be a JSON object`);
  if (Object.hasOwn(args, "type") || Object.hasOwn(args, "commandId")) return bad(`"args" must not hold "type" or "commandId"`);
  const source = fields["source"] ?? "";
  if (source.length === 0 || source.length > MAX_SOURCE_LENGTH || /[\u0000-\u001f\u007f]/.test(source)) {
    return bad(`"source" must be a single line of 1-${MAX_SOURCE_LENGTH} characters`);
  }
  let ttlMs: number | undefined;
  if (fields["ttlMs"] !== undefined) {
    const text = fields["ttlMs"];
    ttlMs = /^\d{1,12}$/.test(text) ? Number(text) : Number.NaN;
    if (!(ttlMs >= 0 && ttlMs <= MAX_TTL_MS)) return bad(`"ttlMs" must be whole milliseconds from 0 to ${MAX_TTL_MS}`);
  }
  const valid = validateCommand({ ...(args as Record<string, unknown>), type: fields["type"], commandId: fields["commandId"] }, symbols);
  if (!valid.ok) return bad(valid.message);
  return { ok: true, command: { commandId: valid.commandId, command: valid.command, args: valid.args, source, ttlMs } };
}

/**
 * Whether a command sent `ageMs` ago still applies: stop, flatten and cancel-all always do (a
 * late stop is still a stop); anything that can add risk only within its time-to-live, so a
 * `resume` queued during an outage does not restart trading hours later.
 */
export function expired(command: BusCommand, ageMs: number, defaultTtlMs: number): boolean {
  if (ALWAYS_APPLY.includes(command.command)) return false;
  return ageMs > (command.ttlMs ?? defaultTtlMs);
}
