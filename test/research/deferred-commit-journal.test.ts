/**
 * The backtest's journal commits in chunks and at the end: a flush answers at once, without a
 * commit, but nothing is lost (the close commits the rest), and a journal that failed still
 * refuses every flush, so the executor still rejects what it could not record.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { deferredCommitJournal } from "../../src/research/backtest/deferred-commit-journal.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-deferred-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2025, 0, 1);

test("a flush answers without a commit, and the close commits every record in order", async () => {
  const path = join(dir, "deferred.db");
  const real = SqliteJournal.open(path, { durability: "normal", writer: "inline", commitAt: "flush" });
  const journal = deferredCommitJournal(real);
  for (let i = 0; i < 5; i++) journal.append({ type: "system.started", ts: T0 + i, detail: `start ${i}` });
  await journal.flush();
  assert.equal(real.lastSeq(), 5);
  assert.equal(real.durableSeq(), 0, "nothing was committed for the flush");
  journal.close();
  const reopened = SqliteJournal.open(path, { writer: "inline" });
  try {
    assert.deepEqual(
      [...reopened.read()].map((r) => [r.seq, r.ts]),
      [1, 2, 3, 4, 5].map((seq) => [seq, T0 + seq - 1]),
    );
  } finally {
    reopened.close();
  }
});

test("a journal that has failed still refuses every flush", async () => {
  const real = SqliteJournal.open(join(dir, "failed.db"), { durability: "normal", writer: "inline", commitAt: "flush" });
  const journal = deferredCommitJournal(real);
  await real.simulateWriterDeath();
  assert.ok(real.failure !== undefined);
  await assert.rejects(journal.flush(), { code: "JOURNAL_IO" });
  await assert.rejects(journal.flushUrgent!(), { code: "JOURNAL_IO" });
  journal.close();
});
