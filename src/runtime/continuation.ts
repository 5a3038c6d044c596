/**
 * The first thing `hean run` says: whether it continues a journal (and what that journal already
 * holds) or starts a new one. A trader who meant a fresh paper run must not find out from the
 * report that it carried on yesterday's positions.
 */
import type { Runtime } from "./runtime.ts";

export interface Continuation {
  readonly journal: string;
  readonly continuing: boolean;
  readonly records: number;
  readonly orders: number;
  readonly fills: number;
  /** The journal's first start and its last event, ISO-8601; null on a new journal. */
  readonly firstStart: string | null;
  readonly lastEvent: string | null;
}

export function continuationFields(runtime: Runtime): Continuation {
  const state = runtime.engine.state;
  const records = runtime.engine.journal.lastSeq();
  const last = state.performance.span().to;
  return {
    journal: runtime.config.journal.path,
    continuing: records > 0,
    records,
    orders: state.intentCount,
    fills: state.fillCount,
    firstStart: state.startedAt === null ? null : new Date(state.startedAt).toISOString(),
    lastEvent: last === null ? null : new Date(last).toISOString(),
  };
}

export function continuationMessage(runtime: Runtime): string {
  const c = continuationFields(runtime);
  if (!c.continuing) return `new journal ${c.journal}`;
  const positions = runtime.engine.state.portfolio
    .positions()
    .filter((p) => p.qty !== 0n)
    .map((p) => p.symbol);
  return (
    `continuing ${c.journal}: ${c.orders} orders, ${c.fills} fills` +
    `${positions.length > 0 ? `, open positions in ${positions.join(", ")}` : ""}` +
    `${c.lastEvent === null ? "" : `, last run ${c.lastEvent}`} (--fresh sets it aside and starts a new one)`
  );
}
