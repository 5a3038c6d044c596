/**
 * What an operator command asks for, as one comparable string: its type and its arguments with
 * the keys sorted. A commandId makes a command idempotent only if a resend under that id asks for
 * the same thing; the same id with another payload is a conflict, never a silent duplicate.
 * Who sent it (`source`) and when it arrived (`ts`) are transport facts, not part of the payload:
 * a resend through another surface or a second later is still the same command.
 */
import type { CommandEvent } from "./events.ts";

export function commandPayload(command: CommandEvent["command"], args: CommandEvent["args"]): string {
  const sorted = Object.keys(args)
    .sort()
    .map((k) => [k, args[k]]);
  return JSON.stringify([command, sorted]);
}
