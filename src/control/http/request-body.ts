/**
 * Reads a small JSON object body: refuses oversized bodies while they stream in (not after
 * buffering them), wrong content types, malformed JSON and anything that is not an object.
 */
import type { IncomingMessage } from "node:http";
import { ApiError } from "./respond.ts";

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

export async function readJsonObject(
  req: IncomingMessage,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `send the command as JSON (content-type: application/json)`);
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "the body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ApiError(400, "BAD_REQUEST", "the body must be a JSON object like {\"type\": \"stop\", \"commandId\": \"…\"}");
  }
  return parsed as Record<string, unknown>;
}

const tooLarge = (maxBytes: number): ApiError =>
  new ApiError(413, "PAYLOAD_TOO_LARGE", `the body is larger than ${maxBytes} bytes`, { connection: "close" });
