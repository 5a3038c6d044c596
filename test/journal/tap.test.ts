/**
 * The writer's tap (write-jobs.ts `TapCommand`): after each commit the writer thread tells the tap
 * what it stored, and stores the encoded snapshots the tap sends back, for records it has
 * committed only. The snapshot keeper hangs on it (engine/snapshot-keeper.ts).
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { decodeEvent, encodeValue } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import type { SnapshotJob, TapCommit } from "../../src/journal/write-jobs.ts";
import { tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("tap");

/** The next commit the tap hears of. */
async function nextCommit(port: MessagePort): Promise<TapCommit> {
  const [commit] = (await once(port, "message")) as [TapCommit];
  return commit;
}

test("the tap hears of every record committed after it opened, in order, once durable", async () => {
  const j = SqliteJournal.open(file("records.db"), { writer: "worker" });
  const { port1, port2 } = new MessageChannel();
  try {
    j.append(sampleEvent(1));
    j.append(sampleEvent(2));
    await j.flush();
    assert.equal(j.tapCommitted(port1), true);
    const events = [3, 4, 5].map(sampleEvent);
    for (const e of events) j.append(e);
    const heard = nextCommit(port2);
    await j.flush();
    const commit = await heard;
    assert.deepEqual(commit.snapshots, []);
    const seqs = commit.batches.flatMap((b) => b.payloads.map((_, i) => b.firstSeq + i));
    assert.deepEqual(seqs, [3, 4, 5]);
    assert.deepEqual(
      commit.batches.flatMap((b) => b.payloads.map(decodeEvent)),
      events.map((e) => decodeEvent(encodeValue(e))),
    );
  } finally {
    port2.close();
    j.close();
  }
});

test("snapshots sent back on the tap are stored with the next commit and reported to it; one for a seq not committed is ignored", async () => {
  const path = file("snapshots.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  const { port1, port2 } = new MessageChannel();
  try {
    assert.equal(j.tapCommitted(port1), true);
    for (let i = 1; i <= 4; i++) j.append(sampleEvent(i));
    let heard = nextCommit(port2);
    await j.flush();
    await heard;

    const kept: SnapshotJob = { kind: "snapshot", id: -1, seq: 3, ts: 1, state: encodeValue({ kept: 3 }) };
    const ahead: SnapshotJob = { kind: "snapshot", id: -1, seq: 99, ts: 1, state: encodeValue({ ahead: 99 }) };
    heard = nextCommit(port2);
    port2.postMessage(ahead);
    port2.postMessage(kept);
    assert.deepEqual((await heard).snapshots, [3]);
    assert.deepEqual(j.latestSnapshot(), { seq: 3, ts: 1, state: { kept: 3 } });

    // The journal carries on; the refused one never appears.
    heard = nextCommit(port2);
    j.append(sampleEvent(5));
    await j.flush();
    assert.deepEqual((await heard).snapshots, []);
    assert.equal(j.latestSnapshot()?.seq, 3);
  } finally {
    port2.close();
    j.close();
  }
});

test("the inline writer has no tap", () => {
  const j = SqliteJournal.open(file("inline.db"), { writer: "inline" });
  const { port1, port2 } = new MessageChannel();
  try {
    assert.equal(j.tapCommitted(port1), false);
  } finally {
    port1.close();
    port2.close();
    j.close();
  }
});
