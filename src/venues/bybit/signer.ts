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
import { HeanError } from "../../core/errors.ts";
import type { Secret } from "../../core/secrets.ts";
import { type LiveModeFacts, type LiveSigningAuthority as Authority, authorizeVenueSigning, checkAuthority, hmacSha256Hex, signersCreated } from "../live/signing-authority.ts";

export type LiveSigningAuthority = Authority<"bybit">;
export type { LiveModeFacts };
export { hmacSha256Hex, signersCreated };

/** Mints the authority to sign orders; refuses unless live trading on bybit was confirmed. */
export function authorizeLiveSigning(config: LiveModeFacts): LiveSigningAuthority {
  return authorizeVenueSigning(config, "bybit", "Bybit");
}

export class BybitSigner {
  readonly #apiKey: Secret;
  readonly #apiSecret: Secret;

  constructor(authority: LiveSigningAuthority, apiKey: Secret, apiSecret: Secret) {
    checkAuthority(authority, "bybit", "Bybit");
    if (apiKey.reveal() === "" || apiSecret.reveal() === "") {
      throw new HeanError("CONFIG_INVALID", "the Bybit API key and secret must not be empty", {});
    }
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
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
