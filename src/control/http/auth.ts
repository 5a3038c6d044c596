/**
 * Who may talk to the control server.
 *
 * Commands need `Authorization: Bearer <token>`, compared in constant time (both sides hashed
 * first, so neither the content nor the length of the token leaks through timing). Reads are
 * open, which is why the server insists on loopback unless a token is set, and why, on loopback,
 * it refuses requests whose Host header names anything but a loopback host: a web page the
 * operator visits cannot use DNS rebinding to read the account through the browser.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { Secret } from "../../core/secrets.ts";
import { ApiError } from "./respond.ts";

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

export function tokenMatches(presented: string, expected: Secret): boolean {
  return timingSafeEqual(digest(presented), digest(expected.reveal()));
}

/** Throws 403 when commands are disabled (no token), 401 when the bearer token is missing or wrong. */
export function requireBearer(req: IncomingMessage, token: Secret | undefined): void {
  if (token === undefined) {
    throw new ApiError(
      403,
      "COMMANDS_DISABLED",
      "commands are disabled: no API token is configured (set HEAN_API_TOKEN or HEAN_API_TOKEN_FILE and restart)",
    );
  }
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null || !tokenMatches(match[1]!, token)) {
    throw new ApiError(401, "UNAUTHORIZED", "a valid 'Authorization: Bearer <token>' header is required", {
      "www-authenticate": 'Bearer realm="hean"',
    });
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare.startsWith("::ffff:127.");
  return false;
}

/** The hostname part of a Host header ("[::1]:8080" → "[::1]", "localhost:80" → "localhost"). */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith("[")) {
    const end = hostHeader.indexOf("]");
    return end === -1 ? hostHeader : hostHeader.slice(0, end + 1);
  }
  const colon = hostHeader.lastIndexOf(":");
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

export function requireLoopbackHostHeader(req: IncomingMessage): void {
  const host = req.headers.host;
  if (host === undefined || !isLoopbackHost(hostnameOf(host).toLowerCase())) {
    throw new ApiError(403, "HOST_NOT_ALLOWED", "this server only answers requests addressed to a loopback host");
  }
}
