/**
 * A simulator's own per-account records (funding executions, the transaction log, user trades,
 * income) are bounded like the matching engine's executions: at least the newest `max`, at most a
 * quarter more, oldest first. A venue's history has a horizon too, and a simulator left running
 * for weeks must not grow.
 */
export const DEFAULT_MAX_RECORDS = 20_000;

/**
 * Appends to the account's list and drops the oldest past `max`. Trimming waits for a quarter
 * of `max` to pile up, so the copy it costs is paid once per `max / 4` appends, not per append.
 */
export function appendBounded<T>(lists: Map<string, T[]>, accountId: string, item: T, max: number): void {
  let list = lists.get(accountId);
  if (list === undefined) lists.set(accountId, (list = []));
  list.push(item);
  if (list.length > max + (max >> 2)) list.splice(0, list.length - max);
}
