/**
 * Reading a venue's history in pages, the part every exchange shares: how many pages one read may
 * take and how large they are, and what is said when a read stops at its bound while the venue
 * still had more (a cursor, a full page). What was read is used all the same (a thrown error
 * would drop it all), and the shortfall is alerted once per thing cut short and episode:
 * reconciliation meets the same order or the same open-order list again on every pass, and one
 * alert says it until a read of it is whole again.
 */
import { HeanError } from "../../core/errors.ts";
import { ALERTED_MEMORY, OncePerKey } from "./once-per-key.ts";

/** How a venue's history is read in pages. */
export interface Paging {
  /** The most pages a list or a time-window search reads: open orders, executions, the cash ledger. */
  readonly listPages: number;
  /** The most pages a read of one order's executions reads. */
  readonly orderFillPages: number;
  /** The most records a page asks for (no endpoint is asked for more than it allows). */
  readonly pageSize: number;
}

/** A venue's paging with the given settings over it; each is a whole number, at least one. */
export function pagingOf(defaults: Paging, given: Partial<Paging> | undefined): Paging {
  const paging = { ...defaults, ...given };
  for (const [name, n] of Object.entries(paging)) {
    if (!Number.isSafeInteger(n) || n < 1) throw new HeanError("CONFIG_INVALID", `paging.${name} must be a whole number, at least 1, got ${String(n)}`, { name, value: n });
  }
  return paging;
}

/** A paged read that stopped at its page bound while the venue still had more. */
export interface PagesTruncated {
  /** The request, as the venue documents it: "GET /v5/execution/list". */
  readonly endpoint: string;
  readonly symbol?: string | undefined;
  /** The order whose executions were read (a read of one order's fills). */
  readonly clientOrderId?: string | undefined;
  /** Where a time-window search started (venue ms): the next pass searches another window. */
  readonly since?: number | undefined;
  readonly pages: number;
  readonly records: number;
}

/** What a paged read was about: the same list, order or search window read again has the same. */
export type PagedRead = Pick<PagesTruncated, "endpoint" | "symbol" | "clientOrderId" | "since">;

/** The key a truncated read is said once under: what was cut short. */
export function truncationKey(t: PagedRead): string {
  return t.clientOrderId !== undefined ? `order ${t.clientOrderId}` : `${t.endpoint} ${t.symbol ?? ""} ${t.since ?? ""}`;
}

/** The alert a truncated read raises, and the key it is said once under (what was cut short). */
export function truncationAlert(venue: string, t: PagesTruncated): { readonly key: string; readonly code: string; readonly message: string; readonly context: Record<string, unknown> } {
  const context: Record<string, unknown> = { endpoint: t.endpoint, pages: t.pages, records: t.records };
  if (t.symbol !== undefined) context.symbol = t.symbol;
  if (t.since !== undefined) context.since = t.since;
  const read = `stopped after ${t.pages} page${t.pages === 1 ? "" : "s"} (${t.records} records) while ${venue} had more; the rest are not read`;
  if (t.clientOrderId !== undefined) {
    context.clientOrderId = t.clientOrderId;
    return { key: truncationKey(t), code: "ORDER_FILLS_TRUNCATED", message: `${t.symbol ?? ""} ${t.clientOrderId}: the order's fills (${t.endpoint}) ${read}`.trim(), context };
  }
  const since = new Date(t.since ?? Number.NaN);
  const window = Number.isNaN(since.getTime()) ? "" : ` since ${since.toISOString()}`;
  return {
    key: truncationKey(t),
    code: "VENUE_PAGES_TRUNCATED",
    message: `${t.endpoint}${t.symbol === undefined ? "" : ` ${t.symbol}`}${window}: ${read}`,
    context,
  };
}

type TruncationAlert = (severity: "warning", code: string, message: string, context: Record<string, unknown>) => void;

/**
 * `alert`, but once per episode of each thing pages cut short (see `OncePerKey`): `truncated` says
 * it the first time; `whole`, a read of the same thing that got all of it, ends the episode, so
 * that the next time it is cut short (an open-order list that shrank and grew again past the
 * bound) it is said again. Typed here rather than as the adapter contract's `Alert`: that
 * contract names `PagesTruncated`, and this file stays below it.
 */
export function truncationEpisodes(venue: string, alert: TruncationAlert): { readonly truncated: (t: PagesTruncated) => void; readonly whole: (read: PagedRead) => void } {
  const said = new OncePerKey(ALERTED_MEMORY);
  return {
    truncated: (t) => {
      const a = truncationAlert(venue, t);
      if (said.first(a.key)) alert("warning", a.code, a.message, a.context);
    },
    whole: (read) => said.forget(truncationKey(read)),
  };
}
