/**
 * The snapshot keeper's thread: a second copy of the engine state, kept from the journal's
 * committed records (the writer's tap) through the same `EngineState.apply` a replay uses, and
 * snapshotted here every `snapshotEvery` records. Copying and encoding a state of several
 * megabytes stalled the event loop for 30 ms and more per snapshot (docs/PERFORMANCE.md); here
 * it stalls nothing that trades, and the writer only inserts the finished text.
 *
 * A snapshot made here is the state a restart would rebuild from the previous snapshot and the
 * records since (a replay), which is what a snapshot must be. A record that does not apply as it
 * did live, or a gap in the records, means this copy can no longer be trusted: the thread says
 * so and stops, and the engine takes its snapshots itself again.
 */
import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../core/errors.ts";
import { EngineState, type EngineSnapshot } from "./engine-state.ts";
import { decodeEvent, encodeValue } from "../journal/codec.ts";
import type { EventBatch, SnapshotJob, TapCommit } from "../journal/write-jobs.ts";
import { KEPT_SNAPSHOT_ID, type KeeperData, type KeeperReport } from "./snapshot-keeper.ts";

const port = parentPort;
if (port === null) throw new Error("snapshot-keeper-thread.ts must run as a worker thread");
const data = workerData as KeeperData;
const state = EngineState.fromSnapshot(deserialize(data.state) as EngineSnapshot, data.options);
let sinceSnapshot = 0;
let lastTs = 0;
let stopped = false;
/** Snapshots handed to the writer, by seq: their size and encoding time, reported once stored. */
const handedOver = new Map<number, { chars: number; ms: number }>();

function report(message: KeeperReport): void {
  port!.postMessage(message);
}

function stop(reason: string): void {
  if (stopped) return;
  stopped = true;
  report({ t: "stopped", reason });
  data.tap.close();
}

function take(batches: readonly EventBatch[]): void {
  for (const batch of batches) {
    for (let i = 0; i < batch.payloads.length; i++) {
      const seq = batch.firstSeq + i;
      if (seq <= state.lastSeq) continue; // committed before this copy was made
      if (seq !== state.lastSeq + 1) return stop(`records ${state.lastSeq + 1}..${seq - 1} never arrived`);
      const event = decodeEvent(batch.payloads[i]!);
      const outcome = state.apply(event, seq);
      if (outcome !== "applied") return stop(`record ${seq} (${event.type}) applied as "${outcome}", not as it did live`);
      lastTs = batch.ts[i]!;
      if (++sinceSnapshot >= data.snapshotEvery) snapshot();
    }
  }
}

function snapshot(): void {
  sinceSnapshot = 0;
  const started = performance.now();
  let text: string;
  try {
    text = encodeValue(state.snapshot());
  } catch (e) {
    // State that would not read back the same is never stored; the records still hold it all.
    report({ t: "refused", seq: state.lastSeq, message: describeError(e).message });
    return;
  }
  const job: SnapshotJob = { kind: "snapshot", id: KEPT_SNAPSHOT_ID, seq: state.lastSeq, ts: lastTs, state: text };
  handedOver.set(state.lastSeq, { chars: text.length, ms: performance.now() - started });
  data.tap.postMessage(job);
}

function stored(seqs: readonly number[]): void {
  for (const seq of seqs) {
    const made = handedOver.get(seq);
    // Older ones were replaced by this one while the writer held them (never to be stored).
    for (const older of handedOver.keys()) if (older <= seq) handedOver.delete(older);
    report({ t: "snapshot", seq, chars: made?.chars ?? 0, ms: made?.ms ?? 0 });
  }
}

data.tap.on("message", (commit: TapCommit) => {
  if (stopped) return;
  try {
    stored(commit.snapshots);
    take(commit.batches);
  } catch (e) {
    stop(`record after seq ${state.lastSeq} could not be applied: ${describeError(e).message}`);
  }
});
// The journal closed (or its writer failed): nothing more will come.
data.tap.on("close", () => stop("the journal's writer closed the tap"));
