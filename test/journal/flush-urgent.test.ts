/**
 * The kill switch's commit path: `flushUrgent` resolves only once every record appended so far is
 * durable (journal before effect), without waiting for the end of the turn or the writer's reply,
 * and rejects when the writer is gone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { raw, tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("flush-urgent");

for (const writer of ["worker", "inline"] as const) {
  test(`${writer}: flushUrgent resolves with every appended record durable, and normal flushes still resolve`, async () => {
    const path = file(`ok-${writer}.db`);
    const j = SqliteJournal.open(path, { writer });
    for (let i = 1; i <= 200; i++) j.append(sampleEvent(i));
    const ordinary = j.flush();
    for (let i = 201; i <= 250; i++) j.append(sampleEvent(i));
    await j.flushUrgent();
    assert.equal(j.durableSeq(), 250);
    await ordinary;
    j.close();
    raw(path, (db) => assert.equal((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n, 250));
  });
}

test("worker: flushUrgent rejects (JOURNAL_IO) when the writer thread is gone, and nothing claims durability", async () => {
  const j = SqliteJournal.open(file("dead.db"), { writer: "worker" });
  await j.appendDurable(sampleEvent(1));
  await j.simulateWriterDeath();
  // The writer's exit is reported asynchronously; either way the urgent flush must not resolve.
  try {
    j.append(sampleEvent(2));
  } catch (e) {
    assert.ok(isHeanError(e, "JOURNAL_IO")); // the failure was already heard: appends are refused
  }
  await assert.rejects(j.flushUrgent(), (e) => isHeanError(e, "JOURNAL_IO"));
  assert.equal(j.durableSeq(), 1);
  j.close();
});
