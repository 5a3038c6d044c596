/**
 * The kill switch's commit path: `flushUrgent` resolves only once every record appended so far is
 * durable (journal before effect), without waiting for the end of the turn or the writer's reply,
 * and rejects when the writer is gone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import type { WriteJob } from "../../src/journal/write-jobs.ts";
import { completesUrgent } from "../../src/journal/writer-shared.ts";
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

test("the writer's drain stops at the batch that completes an urgent flush, and only there", () => {
  const batch = (firstSeq: number, n: number, more = false): WriteJob => ({
    kind: "events",
    firstSeq,
    ts: Array<number>(n).fill(0),
    types: Array<string>(n).fill("mark"),
    payloads: Array<string>(n).fill("{}"),
    more,
  });
  // Urgent flush for seq 110, durable through 100.
  assert.equal(completesUrgent(batch(101, 5), 110n, 100n), false, "before the urgent seq: keep draining");
  assert.equal(completesUrgent(batch(106, 5), 110n, 100n), true, "reaches it: commit now");
  assert.equal(completesUrgent(batch(106, 10), 110n, 100n), true, "goes past it (same turn): commit now");
  assert.equal(completesUrgent(batch(106, 5, true), 110n, 100n), false, "the turn goes on in the next chunk: it commits with that");
  assert.equal(completesUrgent({ kind: "snapshot", id: 1, seq: 100, ts: 0, state: "{}" }, 110n, 100n), false);
  // No urgent flush outstanding (its seq is durable already): ordinary group commit.
  assert.equal(completesUrgent(batch(111, 5), 110n, 110n), false);
});

test("worker: an urgent flush and an ordinary one after it resolve in order, every record durable", async () => {
  const path = file("urgent-then-ordinary.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  await j.appendDurable(sampleEvent(1));
  const order: string[] = [];
  for (let i = 2; i <= 101; i++) j.append(sampleEvent(i));
  const urgent = j.flushUrgent().then(() => order.push(`urgent ${j.durableSeq() >= 101}`));
  for (let i = 102; i <= 601; i++) j.append(sampleEvent(i));
  const ordinary = j.flush().then(() => order.push(`ordinary ${j.durableSeq() === 601}`));
  await Promise.all([urgent, ordinary]);
  assert.deepEqual(order, ["urgent true", "ordinary true"]);
  j.close();
  raw(path, (db) => assert.equal((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n, 601));
});

test("worker: ordinary flushes resolve from shared memory, and stats count every commit", async () => {
  const j = SqliteJournal.open(file("shared-durable.db"), { writer: "worker" });
  for (let round = 0; round < 20; round++) {
    for (let i = 1; i <= 10; i++) j.append(sampleEvent(round * 10 + i));
    await j.flush();
    assert.equal(j.durableSeq(), (round + 1) * 10);
  }
  const stats = j.stats();
  assert.equal(stats.backlog, 0);
  // Each awaited flush is its own commit (nothing else was queued); a skipped count would show here.
  assert.equal(stats.commits, 20);
  j.close();
});

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
