/**
 * The worker writer encodes snapshots on its own thread (the event loop only serializes them):
 * the stored text is the same, and state that would not read back the same is still never
 * stored: the returned promise rejects with EVENT_INVALID and the journal carries on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { encodeValue } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { raw, tempDir, warningsWhile } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("snapshot-off-thread");

test("worker: a snapshot encoded on the writer thread is stored as the inline writer would store it", async () => {
  const path = file("same-text.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  for (let i = 1; i <= 3; i++) j.append(sampleEvent(i));
  const state = { a: dec("1.5"), list: [dec("-2"), "x", 3], nested: { $d: "escaped" }, skip: undefined };
  await j.writeSnapshot(3, state);
  j.close();
  raw(path, (db) => {
    const row = db.prepare("SELECT state FROM snapshots WHERE seq = 3").get() as { state: string };
    assert.equal(row.state, encodeValue(state));
  });
});

test("worker: state that would not read back the same is refused (the promise rejects), nothing is stored, the journal carries on", async () => {
  const path = file("refused.db");
  const warnings = await warningsWhile("HEAN_SNAPSHOT_REFUSED", async () => {
    const j = SqliteJournal.open(path, { writer: "worker" });
    for (let i = 1; i <= 5; i++) j.append(sampleEvent(i));
    await assert.rejects(j.writeSnapshot(5, { x: Number.NaN }), (e) => isHeanError(e, "EVENT_INVALID") && /non-finite/.test(e.message));
    assert.throws(() => j.writeSnapshot(5, { f: () => 1 }), (e) => isHeanError(e, "EVENT_INVALID"));
    assert.equal(j.latestSnapshot(), undefined);
    // The records the refused snapshot described were committed all the same.
    await j.flush();
    assert.equal(j.durableSeq(), 5);
    j.append(sampleEvent(6));
    await j.writeSnapshot(6, { ok: true });
    assert.equal(j.latestSnapshot()?.seq, 6);
    assert.equal(j.failure, undefined);
    j.close();
  });
  assert.equal(warnings.length, 1);
});
