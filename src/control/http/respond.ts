/**
 * How the control server answers: JSON bodies (secrets scrubbed, decimals that slipped through
 * as bigint formatted), errors as `{error: {code, message}}`, and the headers every response
 * carries.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { format, type Dec } from "../../core/decimal.ts";
import { scrubRegistered } from "../../observability/scrub.ts";

/** Error codes of the HTTP API (not engine errors: those are in core/errors.ts). */
export type ApiErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "COMMANDS_DISABLED"
  | "HOST_NOT_ALLOWED"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "COMMAND_INVALID"
  | "COMMAND_CONFLICT"
  | "COMMAND_TIMEOUT"
  | "COMMAND_FAILED"
  | "ENGINE_UNAVAILABLE"
  | "TOO_MANY_STREAMS"
  | "INTERNAL";

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: ApiErrorCode, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const BASE_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
};

/** A bigint anywhere in an API payload is a `Dec` by the codebase's convention. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? format(value as Dec) : value;
}

export function toJson(value: unknown): string {
  return scrubRegistered(JSON.stringify(value, jsonReplacer));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = toJson(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export const baseHeaders = (): Record<string, string> => ({ ...BASE_HEADERS });

/** The peer address as the journal records it ("127.0.0.1", "::1", …). */
export function remoteAddress(req: IncomingMessage): string {
  const addr = req.socket.remoteAddress ?? "unknown";
  return addr.startsWith("::ffff:") ? addr.slice(7) : addr;
}
