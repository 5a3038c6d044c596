/**
 * Parent and child ids. A parent never goes to a venue, but its id is the root of its children's
 * client order ids: `hn<journal tag>-p<n>` (n counts the journal's parents, restored by replay),
 * children `…-m<k>` (maker legs) and `…-t<k>` (taker legs). The executor's own ids have no `-`,
 * so the two families never meet, and a restarted router derives the same next ids.
 */
import { checkClientOrderId, childOrderId, journalTag } from "../../core/ids.ts";
import type { LegKind } from "../../core/events.ts";
import { HeanError } from "../../core/errors.ts";

export function parentOrderId(journalId: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new HeanError("ORDER_INVALID", `parent number must be a positive integer, got ${n}`, { n });
  return checkClientOrderId(`hn${journalTag(journalId)}-p${n.toString(36)}`);
}

export function legOrderId(parentId: string, kind: LegKind, n: number): string {
  return childOrderId(parentId, kind === "maker" ? "m" : "t", n);
}
