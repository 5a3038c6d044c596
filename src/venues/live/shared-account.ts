/**
 * Another hean engine trading the same symbols on the same account. Positions are one per symbol
 * (one-way mode), so each engine would book the other's fills as external trades, adopt the
 * position they make and close it by its own rules, while the other adds to it: two risk
 * managers fighting over one position, with money on it. hean's order ids name the journal that
 * made them (`hn<journal tag>…`, core/ids.ts), so an order or fill of that shape with another tag
 * is another engine's. The first one seen is alerted (critical, `ACCOUNT_SHARED`) and the venue
 * takes no new exposure until restart; exits and the kill switch still work.
 */
import { journalTagOf } from "../../core/ids.ts";

export interface OtherEngine {
  /** The other engine's journal tag (from its order id). */
  readonly tag: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly seenIn: "fill" | "open order" | "order update";
}

/** The other engine an order id names; undefined when the id is this engine's (`ownTag`) or not hean's. */
export function otherEngineTag(clientOrderId: string | undefined, ownTag: string): string | undefined {
  const tag = clientOrderId === undefined ? undefined : journalTagOf(clientOrderId);
  return tag === ownTag ? undefined : tag;
}

/** Why new exposure waits once another engine's order was seen. */
export function sharedAccountBlock(venue: string, other: OtherEngine): string {
  return (
    `another hean engine (journal tag ${other.tag}) trades ${other.symbol} on this ${venue} account (its ${other.seenIn} ${other.clientOrderId}): ` +
    "each would adopt and close the other's positions; no new exposure: run one engine per account and restart"
  );
}
