/**
 * Rebuild engine state from a journal: latest valid snapshot, then every record after it, through
 * the same `EngineState.apply` the live engine uses.
 */
import type { Dec } from "../core/decimal.ts";
import { describeError } from "../core/errors.ts";
import { EngineState, type EngineSnapshot, type EngineStateOptions } from "./engine-state.ts";
import type { JournalPort } from "./journal-port.ts";

export interface ReplayReport {
  readonly fromSnapshotSeq: number;
  readonly eventsReplayed: number;
  readonly lastSeq: number;
  readonly durationMs: number;
  /** Records the state refused (should never happen: they were validated when first applied). */
  readonly errors: readonly { readonly seq: number; readonly code: string; readonly message: string }[];
}

/** What a replay reads: the engine's journal, or a file opened read-only by the tools. */
export type ReplaySource = Pick<JournalPort, "read" | "latestSnapshot">;

export function replayJournal(journal: ReplaySource, defaultInitialCash: Dec, options: EngineStateOptions = {}): { state: EngineState; report: ReplayReport } {
  const started = performance.now();
  const snapshot = journal.latestSnapshot();
  let state: EngineState | undefined;
  let fromSeq = 0;
  if (snapshot !== undefined && isEngineSnapshot(snapshot.state)) {
    state = EngineState.fromSnapshot(snapshot.state, options);
    fromSeq = snapshot.seq;
  }
  const errors: { seq: number; code: string; message: string }[] = [];
  let replayed = 0;
  for (const record of journal.read(fromSeq)) {
    if (state === undefined) {
      // The journal's first start fixes the starting capital, whatever today's config says.
      const first = record.event;
      state = new EngineState(first.type === "system.started" && first.initialCash !== undefined ? first.initialCash : defaultInitialCash, options);
    }
    try {
      state.apply(record.event, record.seq);
    } catch (e) {
      errors.push({ seq: record.seq, ...describeError(e) });
      state.lastSeq = record.seq;
    }
    replayed++;
  }
  state ??= new EngineState(defaultInitialCash, options);
  return {
    state,
    report: {
      fromSnapshotSeq: fromSeq,
      eventsReplayed: replayed,
      lastSeq: state.lastSeq,
      durationMs: performance.now() - started,
      errors,
    },
  };
}

/** Older versions held every order ever made: they are passed over and the journal replays in full. */
function isEngineSnapshot(s: unknown): s is EngineSnapshot {
  return typeof s === "object" && s !== null && (s as { version?: unknown }).version === 2;
}
