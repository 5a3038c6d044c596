/**
 * `hean token`: a new random API token for HEAN_API_TOKEN, long enough for the control server
 * (which refuses one shorter than MIN_TOKEN_LENGTH) and safe in a shell and an HTTP header.
 */
import { randomBytes } from "node:crypto";
import { HeanError } from "../core/errors.ts";
import { MIN_TOKEN_LENGTH } from "../control/http/server.ts";
import { integerFlag, parseFlags } from "./flags.ts";

const DEFAULT_BYTES = 32;
/** Base64url gives 4 characters per 3 bytes: this many bytes always clear the minimum. */
const MIN_BYTES = Math.ceil((MIN_TOKEN_LENGTH * 3) / 4);

export function tokenHelp(): string {
  return `hean token [--bytes N]: print a new random API token for HEAN_API_TOKEN

  The token guards the HTTP API and the dashboard's commands; hean refuses one shorter than
  ${MIN_TOKEN_LENGTH} characters. Default: ${DEFAULT_BYTES} random bytes as ${Math.ceil((DEFAULT_BYTES * 4) / 3)} URL-safe base64 characters
  (--bytes from ${MIN_BYTES} to 1024).
  Example: export HEAN_API_TOKEN=$(hean token)
`;
}

/** A token of `bytes` random bytes, base64url (no padding): letters, digits, '-' and '_'. */
export function newToken(bytes = DEFAULT_BYTES): string {
  return randomBytes(bytes).toString("base64url");
}

export function tokenCommand(argv: readonly string[]): number {
  const { values, positionals } = parseFlags(argv, { bytes: { type: "string" } } as const);
  if (positionals.length > 0) throw new HeanError("CLI_USAGE", `hean token: unexpected argument ${JSON.stringify(positionals[0])}`, {});
  process.stdout.write(`${newToken(integerFlag("bytes", values.bytes, MIN_BYTES, 1024) ?? DEFAULT_BYTES)}\n`);
  return 0;
}
