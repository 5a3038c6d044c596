/**
 * A long turn's records reach the worker writer in chunks that it inserts as they come, and
 * commit together at the end of the turn: one commit, every record, the chain intact, and the
 * end of the turn commits even when it falls exactly on a chunk boundary (an empty last batch).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { seqs, tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("streaming");

for (const records of [1_000, 512]) {
  test(`worker: ${records} appends in one turn commit once, all durable and readable`, async () => {
    const path = file(`turn-${records}.db`);
    const j = SqliteJournal.open(path);
    await j.appendDurable(sampleEvent(1));
    const before = j.stats().commits;
    for (let i = 2; i <= records + 1; i++) j.append(sampleEvent(i));
    await j.flush();
    assert.equal(j.durableSeq(), records + 1);
    assert.equal(j.stats().commits - before, 1, "one commit for the whole turn");
    j.close();
    const reopened = SqliteJournal.open(path, { writer: "inline" });
    try {
      assert.equal(seqs(reopened).length, records + 1); // read() verifies the chain record by record
    } finally {
      reopened.close();
    }
  });
}

test("worker: a snapshot taken just before a streamed turn is stored and reported", async () => {
  const path = file("snapshot.db");
  const j = SqliteJournal.open(path);
  for (let i = 1; i <= 10; i++) j.append(sampleEvent(i));
  const written = j.writeSnapshot(10, { at: 10 });
  for (let i = 11; i <= 1_010; i++) j.append(sampleEvent(i));
  await j.flush();
  await written;
  assert.equal(j.latestSnapshot()?.seq, 10);
  j.close();
});
