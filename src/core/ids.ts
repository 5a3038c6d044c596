/**
 * Client order ids: one identity per order for life, derived from the intent.
 *
 * `hn<journal tag><seq>` where the tag names the journal (its random id, created once and stored
 * in the journal) and seq is the intent count restored by replay, so ids never repeat across restarts
 * of the same journal nor across journals. At most 36 characters from [A-Za-z0-9_-], the
 * strictest venue charset (Bybit orderLinkId, Binance newClientOrderId). Router children append
 * `-<leg><n>` to their parent's id.
 */
import { HeanError } from "./errors.ts";
import { createHash } from "node:crypto";

export const CLIENT_ORDER_ID_MAX = 36;
const CHARSET = /^[A-Za-z0-9_-]+$/;

export function clientOrderId(journalId: string, intentSeq: number): string {
  if (!Number.isSafeInteger(intentSeq) || intentSeq < 0) {
    throw new HeanError("ORDER_INVALID", `intent sequence must be a non-negative integer, got ${intentSeq}`, { intentSeq });
  }
  return checkClientOrderId(`hn${journalTag(journalId)}${intentSeq.toString(36)}`);
}

/** 8 base36 characters naming the journal: the id itself when short and plain, else a hash of it. */
export function journalTag(journalId: string): string {
  // A run has one journal: every order id asks for the same tag, and hashing it each time was
  // ~35 µs of each intent's path (a hash object per call).
  if (journalId === lastJournalId) return lastTag;
  const tag = /^[a-z0-9]{8}$/.test(journalId) ? journalId : hashTag(journalId);
  lastJournalId = journalId;
  lastTag = tag;
  return tag;
}

let lastJournalId: string | undefined;
let lastTag = "";

function hashTag(journalId: string): string {
  const digest = createHash("sha256").update(journalId).digest("hex").slice(0, 12);
  return BigInt("0x" + digest).toString(36).slice(0, 8).padStart(8, "0");
}

/**
 * The journal tag of an order id hean made (`hn<tag>…`: intents, router parents and their legs),
 * or undefined for any other id. An id of hean's shape whose tag is not this engine's is another
 * hean engine's order (see venues/live/shared-account.ts).
 */
export function journalTagOf(clientOrderId: string): string | undefined {
  return /^hn([0-9a-z]{8})/.exec(clientOrderId)?.[1];
}

export function childOrderId(parentId: string, leg: string, n: number): string {
  return checkClientOrderId(`${parentId}-${leg}${n}`);
}

export function checkClientOrderId(id: string): string {
  if (id.length === 0 || id.length > CLIENT_ORDER_ID_MAX || !CHARSET.test(id)) {
    throw new HeanError("ORDER_INVALID", `client order id ${JSON.stringify(id)} breaks the 36-char [A-Za-z0-9_-] rule`, { id });
  }
  return id;
}
