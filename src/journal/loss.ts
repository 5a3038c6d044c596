/**
 * Naming what a damaged journal lost, and refusing to go on without the operator's word.
 */
import { HeanError } from "../core/errors.ts";
import type { JournalLoss } from "./types.ts";

/** The loss of seqs fromSeq..highestSeen (none past the damage seen: an empty range). */
export function lossFrom(fromSeq: number, highestSeen: number | undefined, atLeast: boolean): JournalLoss {
  const toSeq = Math.max(fromSeq - 1, highestSeen ?? 0);
  return { fromSeq, toSeq, records: toSeq - fromSeq + 1, atLeast };
}

/** "records 240..329 (90)", "records 240..329 and perhaps more (at least 90)". */
export function describeLoss(loss: JournalLoss): string {
  const range = loss.records > 0 ? `records ${loss.fromSeq}..${loss.toSeq}` : `records from ${loss.fromSeq} on`;
  if (!loss.atLeast) return `${range} (${loss.records})`;
  return loss.records > 0 ? `${range} and perhaps more (at least ${loss.records})` : `${range} (how many the damage hides)`;
}

export function lossUnconfirmed(path: string, loss: JournalLoss, reason: string): HeanError {
  return new HeanError(
    "JOURNAL_LOSS_UNCONFIRMED",
    `the journal ${path} is damaged: ${describeLoss(loss)} cannot be kept (damaged, missing, or after the damage: ${reason}). Nothing was changed: ` +
      `copy the file (and its -wal) for forensics, then confirm the loss to cut the journal back to record ${loss.fromSeq - 1} ` +
      `and reconcile with the venue (hean run --accept-journal-loss)`,
    { path, loss, reason },
  );
}
