/**
 * `commitAt`: when appended records commit without a flush. "turn" (the default) commits what a
 * turn appended at its end; "flush" (a backtest's journal) holds records until a flush, a
 * snapshot, close, or a full chunk. Either way a flush resolves only once all of it is durable.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { seqs, tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("commit-at");

/** One turn of the event loop: queued microtasks (the end-of-turn commit) have run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("turn (default): what a turn appended is durable once the turn is over, without a flush", async () => {
  const j = SqliteJournal.open(file("turn.db"), { durability: "normal", writer: "inline" });
  j.append(sampleEvent(1));
  j.append(sampleEvent(2));
  await nextTurn();
  assert.equal(j.durableSeq(), 2);
  j.close();
});

test("flush: records wait for the next flush, which makes all of them durable in one commit", async () => {
  const j = SqliteJournal.open(file("flush.db"), { durability: "normal", writer: "inline", commitAt: "flush" });
  for (let i = 1; i <= 3; i++) j.append(sampleEvent(i));
  await nextTurn();
  assert.equal(j.durableSeq(), 0, "nothing committed by the turn's end");
  const commitsBefore = j.stats().commits;
  await j.flush();
  assert.equal(j.durableSeq(), 3);
  assert.equal(j.stats().commits - commitsBefore, 1);
  assert.deepEqual(seqs(j), [1, 2, 3]);
  j.close();
});

test("flush: a snapshot commits the records it describes first; close commits the rest", async () => {
  const path = file("flush-close.db");
  const j = SqliteJournal.open(path, { durability: "normal", writer: "inline", commitAt: "flush" });
  j.append(sampleEvent(1));
  await j.writeSnapshot(1, { n: 1 });
  assert.equal(j.durableSeq(), 1);
  j.append(sampleEvent(2));
  j.close();
  const reopened = SqliteJournal.open(path, { writer: "inline" });
  assert.deepEqual(seqs(reopened), [1, 2]);
  assert.deepEqual(reopened.latestSnapshot()?.state, { n: 1 });
  reopened.close();
});

test("flush: held records go to the writer by themselves once a chunk has piled up", async () => {
  const j = SqliteJournal.open(file("flush-chunk.db"), { durability: "normal", writer: "inline", commitAt: "flush" });
  for (let i = 1; i <= 1024; i++) j.append(sampleEvent(i));
  assert.equal(j.durableSeq(), 1024);
  j.close();
});

test("an unknown commitAt is refused", () => {
  assert.throws(() => SqliteJournal.open(file("bad.db"), { writer: "inline", commitAt: "never" as "flush" }), { code: "JOURNAL_ARGUMENT" });
});
