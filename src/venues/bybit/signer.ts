/**
 * The only code in hean that can sign a Bybit request, and the guard around it.
 *
 * A `BybitSigner` is constructed only with a `LiveSigningAuthority`, and the only way to get one
 * is `authorizeLiveSigning(config)`, which refuses anything but live mode on bybit with the
 * explicit confirmation. Paper mode never imports this folder at all (the runtime loads it
 * lazily for live mode only); the guard makes the rule hold even for code that tries.
 *
 * Signatures are Bybit V5 HMAC-SHA256, lowercase hex, over
 * `timestamp + apiKey + recvWindow + (queryString | jsonBody)` for REST and `"GET/realtime" + expires`
 * for the private WebSocket; the caller passes exactly the bytes it sends.
 */
import { createHmac } from "node:crypto";
import { HeanError } from "../../core/errors.ts";
import type { Secret } from "../../control/secrets.ts";

declare const authorityBrand: unique symbol;
export interface LiveSigningAuthority {
  readonly venue: "bybit";
  readonly [authorityBrand]: true;
}

const minted = new WeakSet<object>();
let signers = 0;

export interface LiveModeFacts {
  readonly mode: string;
  readonly venue: string;
  readonly live: { readonly iUnderstandLiveTrading: boolean };
}

/** Mints the authority to sign orders; refuses unless live trading on bybit was confirmed. */
export function authorizeLiveSigning(config: LiveModeFacts): LiveSigningAuthority {
  if (config.mode !== "live") {
    throw new HeanError("LIVE_NOT_CONFIRMED", `order signing is refused in ${config.mode} mode: only live mode may sign`, { mode: config.mode });
  }
  if (!config.live.iUnderstandLiveTrading) {
    throw new HeanError("LIVE_NOT_CONFIRMED", "order signing needs --i-understand-live-trading", {});
  }
  if (config.venue !== "bybit") {
    throw new HeanError("CONFIG_INVALID", `the Bybit signer serves venue bybit, not ${config.venue}`, { venue: config.venue });
  }
  const authority = Object.freeze({ venue: "bybit" as const }) as LiveSigningAuthority;
  minted.add(authority);
  return authority;
}

/** How many signers this process ever built (a paper run must leave it at 0). */
export const signersCreated = (): number => signers;

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

export class BybitSigner {
  readonly #apiKey: Secret;
  readonly #apiSecret: Secret;

  constructor(authority: LiveSigningAuthority, apiKey: Secret, apiSecret: Secret) {
    if (typeof authority !== "object" || authority === null || !minted.has(authority)) {
      throw new HeanError("LIVE_NOT_CONFIRMED", "a Bybit signer can only be built through the live path (authorizeLiveSigning)", {});
    }
    if (apiKey.reveal() === "" || apiSecret.reveal() === "") {
      throw new HeanError("CONFIG_INVALID", "the Bybit API key and secret must not be empty", {});
    }
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
    signers++;
  }

  /** Headers of a signed REST request; `payload` is the exact query string (GET) or body (POST). */
  restHeaders(timestamp: number, recvWindowMs: number, payload: string): Record<string, string> {
    const ts = String(timestamp);
    const window = String(recvWindowMs);
    const key = this.#apiKey.reveal();
    return {
      "X-BAPI-API-KEY": key,
      "X-BAPI-TIMESTAMP": ts,
      "X-BAPI-RECV-WINDOW": window,
      "X-BAPI-SIGN": hmacSha256Hex(this.#apiSecret.reveal(), ts + key + window + payload),
    };
  }

  /** `args` of the private stream's `auth` op. */
  wsAuthArgs(expires: number): [string, number, string] {
    return [this.#apiKey.reveal(), expires, hmacSha256Hex(this.#apiSecret.reveal(), `GET/realtime${expires}`)];
  }

  toString(): string {
    return "BybitSigner([redacted])";
  }

  toJSON(): string {
    return "BybitSigner([redacted])";
  }
}
