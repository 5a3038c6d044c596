/**
 * A journal that cannot make records durable must say so: flush rejects, append throws,
 * onFailure is told once. Never a silent drop.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { type HeanError, isHeanError } from "../../src/core/errors.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { seqs, tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("failure");

test("flush rejects when the writer thread is gone; append throws; onFailure is called once", async () => {
  const path = file("dead.db");
  const failures: HeanError[] = [];
  const j = SqliteJournal.open(path, { busyTimeoutMs: 300, onFailure: (e) => failures.push(e) });
  j.append(sampleEvent(1));
  await j.flush();
  // Hold the file so the writer cannot commit record 2, then kill it while it waits.
  const intruder = new DatabaseSync(path);
  intruder.exec("BEGIN EXCLUSIVE");
  let pending: Promise<void>;
  try {
    j.append(sampleEvent(2));
    pending = j.flush();
    await new Promise((r) => setTimeout(r, 30));
    await j.simulateWriterDeath();
  } finally {
    intruder.exec("ROLLBACK");
    intruder.close();
  }
  await assert.rejects(pending, (e) => isHeanError(e, "JOURNAL_IO"));
  await assert.rejects(j.flush(), (e) => isHeanError(e, "JOURNAL_IO"));
  assert.throws(() => j.append(sampleEvent(3)), (e) => isHeanError(e, "JOURNAL_IO"));
  assert.throws(() => j.flushSync(), (e) => isHeanError(e, "JOURNAL_IO"));
  assert.equal(failures.length, 1);
  assert.equal(j.failure, failures[0]);
  assert.match(failures[0]!.message, /not durable/);
  assert.equal(j.durableSeq(), 1);
  j.close();

  // What was acknowledged is there; nothing unacknowledged pretends to be.
  const k = SqliteJournal.open(path, { writer: "inline" });
  assert.deepEqual(seqs(k), [1]);
  k.close();
});

test("after the writer thread died, append and flushSync throw", async () => {
  const j = SqliteJournal.open(file("dead-sync.db"), { onFailure: () => {} });
  await j.simulateWriterDeath();
  while (j.failure === undefined) await new Promise((r) => setTimeout(r, 5));
  assert.throws(() => j.append(sampleEvent(1)), (e) => isHeanError(e, "JOURNAL_IO"));
  assert.throws(() => j.flushSync(), (e) => isHeanError(e, "JOURNAL_IO"));
  j.close();
});

for (const writer of ["worker", "inline"] as const) {
  test(`${writer}: a commit that fails (the file is locked by someone else) rejects flush and stops the journal`, async () => {
    const path = file(`locked-${writer}.db`);
    const failures: HeanError[] = [];
    const j = SqliteJournal.open(path, { writer, busyTimeoutMs: 20, onFailure: (e) => failures.push(e) });
    j.append(sampleEvent(1));
    await j.flush();

    const intruder = new DatabaseSync(path);
    intruder.exec("BEGIN EXCLUSIVE");
    try {
      j.append(sampleEvent(2));
      await assert.rejects(j.flush(), (e) => isHeanError(e, "JOURNAL_IO") && /locked|busy/i.test(e.message));
    } finally {
      intruder.exec("ROLLBACK");
      intruder.close();
    }
    assert.equal(failures.length, 1);
    assert.equal(j.durableSeq(), 1);
    assert.throws(() => j.append(sampleEvent(3)), (e) => isHeanError(e, "JOURNAL_IO"));
    j.close();

    const k = SqliteJournal.open(path, { writer: "inline" });
    assert.deepEqual(seqs(k), [1]);
    assert.deepEqual(k.recovery, { status: "clean" });
    k.close();
  });
}

test("without an onFailure handler the failure is emitted as a process warning", async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on("warning", onWarning);
  try {
    const j = SqliteJournal.open(file("warn.db"));
    j.append(sampleEvent(1));
    const flushed = j.flush();
    await j.simulateWriterDeath();
    await assert.rejects(flushed);
    await new Promise((r) => setImmediate(r));
    assert.ok(warnings.some((w) => (w as { code?: string }).code === "HEAN_JOURNAL_FAILED"));
    j.close();
  } finally {
    process.off("warning", onWarning);
  }
});

test("a dropped flush promise does not crash the process when the journal fails", async () => {
  const j = SqliteJournal.open(file("dropped.db"), { onFailure: () => {} });
  j.append(sampleEvent(1));
  void j.flush();
  void j.writeSnapshot(1, {});
  await j.simulateWriterDeath();
  while (j.failure === undefined) await new Promise((r) => setTimeout(r, 5));
  assert.ok(j.failure !== undefined);
  j.close();
});
