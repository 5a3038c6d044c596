/**
 * The worker writer checkpoints the WAL itself (SQLite's automatic checkpoint is off on its
 * connection, so that a checkpoint never runs inside a commit): the WAL must still stay small
 * under a steady stream of commits, and every record must still be there after a reopen.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { test } from "node:test";
import { encodeEvent } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { seqs, tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("checkpoint");

test("worker: the WAL stays a few megabytes while far more is committed, and a reopen reads every record", async () => {
  const path = file("steady.db");
  const j = SqliteJournal.open(path, { durability: "normal" });
  const records = 100_000;
  let payloadBytes = 0;
  for (let i = 1; i <= records; i++) {
    const event = sampleEvent(i);
    payloadBytes += encodeEvent(event).length;
    j.append(event);
    if (i % 500 === 0) await j.flush();
  }
  await j.flush();
  const wal = statSync(`${path}-wal`).size;
  j.close();
  assert.ok(payloadBytes > 12 * 1024 * 1024, `the test commits enough to need checkpoints (${payloadBytes} B)`);
  assert.ok(wal < 8 * 1024 * 1024, `the WAL peaked at ${wal} B for ${payloadBytes} B committed`);
  const reopened = SqliteJournal.open(path, { writer: "inline" });
  try {
    const read = seqs(reopened);
    assert.equal(read.length, records);
    assert.equal(read[records - 1], records);
  } finally {
    reopened.close();
  }
});
