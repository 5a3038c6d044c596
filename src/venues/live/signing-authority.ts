/**
 * The guard every live venue's signer sits behind. A signer is constructed only with a
 * `LiveSigningAuthority` for its venue, and the only way to get one is `authorizeLiveSigning`,
 * which refuses anything but live mode on that venue with the explicit confirmation. Paper mode
 * never imports a venue's signing code at all (the registry loads it lazily for live mode only);
 * the guard makes the rule hold even for code that tries.
 */
import { createHmac } from "node:crypto";
import { HeanError } from "../../core/errors.ts";

declare const authorityBrand: unique symbol;
export interface LiveSigningAuthority<V extends string = string> {
  readonly venue: V;
  readonly [authorityBrand]: true;
}

export interface LiveModeFacts {
  readonly mode: string;
  readonly venue: string;
  readonly live: { readonly iUnderstandLiveTrading: boolean };
}

const minted = new WeakSet<object>();
let signers = 0;

/** Mints the authority to sign orders on `venue`; refuses unless live trading on it was confirmed. */
export function authorizeVenueSigning<V extends string>(config: LiveModeFacts, venue: V, name: string): LiveSigningAuthority<V> {
  if (config.mode !== "live") {
    throw new HeanError("LIVE_NOT_CONFIRMED", `order signing is refused in ${config.mode} mode: only live mode may sign`, { mode: config.mode });
  }
  if (!config.live.iUnderstandLiveTrading) {
    throw new HeanError("LIVE_NOT_CONFIRMED", "order signing needs --i-understand-live-trading", {});
  }
  if (config.venue !== venue) {
    throw new HeanError("CONFIG_INVALID", `the ${name} signer serves venue ${venue}, not ${config.venue}`, { venue: config.venue });
  }
  const authority = Object.freeze({ venue }) as LiveSigningAuthority<V>;
  minted.add(authority);
  return authority;
}

/** A signer's constructor check: the authority was minted here, for `venue`. Counts the signers built. */
export function checkAuthority(authority: unknown, venue: string, name: string): void {
  if (typeof authority !== "object" || authority === null || !minted.has(authority) || (authority as { venue?: unknown }).venue !== venue) {
    throw new HeanError("LIVE_NOT_CONFIRMED", `a ${name} signer can only be built through the live path (authorizeLiveSigning)`, {});
  }
  signers++;
}

/** How many signers (of any venue) this process ever built (a paper run must leave it at 0). */
export const signersCreated = (): number => signers;

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}
