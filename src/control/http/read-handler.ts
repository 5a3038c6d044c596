/**
 * What every read route is: a handler of one GET, and the query parameters the read routes share.
 */
import type { ServerResponse } from "node:http";
import { ApiError } from "./respond.ts";

export interface ReadContext {
  readonly url: URL;
  readonly res: ServerResponse;
}

export type ReadHandler = (ctx: ReadContext) => void | Promise<void>;

/** `?limit=` as a whole number in [1, max], `fallback` when absent. */
export function limitParam(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get("limit");
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ApiError(400, "BAD_REQUEST", `"limit" must be a whole number from 1 to ${max}`);
  }
  return n;
}
