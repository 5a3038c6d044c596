/**
 * What every simulated venue authenticates with: an API key and secret that trade for one
 * simulated account, and the HMAC-SHA256 hex both Bybit and Binance sign with.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface ApiCredential {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** The simulated account the key trades for. */
  readonly accountId: string;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

/** Constant-time comparison of two signature texts. */
export function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
