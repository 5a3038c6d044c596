/**
 * The only code in hean that can sign a Binance request, behind the live-signing guard
 * (`../live/signing-authority.ts`): a `BinanceSigner` needs an authority that
 * `authorizeLiveSigning` mints only for confirmed live trading on binance.
 *
 * Binance USD-M SIGNED requests carry `timestamp` and `recvWindow` among their parameters and
 * `signature` = lowercase hex HMAC-SHA256 of the exact query string (and body, none here: hean
 * sends every parameter in the query string), appended as the last parameter; the key travels
 * in `X-MBX-APIKEY`. USER_STREAM requests (listenKey) carry the key only.
 */
import { HeanError } from "../../core/errors.ts";
import type { Secret } from "../../core/secrets.ts";
import { type LiveModeFacts, type LiveSigningAuthority as Authority, authorizeVenueSigning, checkAuthority, hmacSha256Hex } from "../live/signing-authority.ts";

export type BinanceSigningAuthority = Authority<"binance">;

/** Mints the authority to sign orders; refuses unless live trading on binance was confirmed. */
export function authorizeLiveSigning(config: LiveModeFacts): BinanceSigningAuthority {
  return authorizeVenueSigning(config, "binance", "Binance");
}

export class BinanceSigner {
  readonly #apiKey: Secret;
  readonly #apiSecret: Secret;

  constructor(authority: BinanceSigningAuthority, apiKey: Secret, apiSecret: Secret) {
    if (apiKey.reveal() === "" || apiSecret.reveal() === "") {
      throw new HeanError("CONFIG_INVALID", "the Binance API key and secret must not be empty", {});
    }
    checkAuthority(authority, "binance", "Binance");
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
  }

  /** The header every keyed request carries. */
  keyHeader(): Record<string, string> {
    return { "X-MBX-APIKEY": this.#apiKey.reveal() };
  }

  /** `query` (already holding `timestamp` and `recvWindow`) with `signature` appended last. */
  signQuery(query: string): string {
    return `${query}${query === "" ? "" : "&"}signature=${hmacSha256Hex(this.#apiSecret.reveal(), query)}`;
  }

  toString(): string {
    return "BinanceSigner([redacted])";
  }

  toJSON(): string {
    return "BinanceSigner([redacted])";
  }
}
