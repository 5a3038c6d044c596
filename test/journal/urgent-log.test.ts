/**
 * The kill switch's own durable write (urgent-log.ts): an urgent flush is durable without the
 * writer thread, a crash after it loses nothing (the next open commits what the urgent file held,
 * and read-only verify says so before),
 * the file's slots survive a torn write, another journal's file is never taken in, and records it
 * holds that cannot follow the journal's tail are a loss under the journal's loss policy.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { encodeEvent } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { formatVerifyReport, verifyJournal } from "../../src/journal/tools.ts";
import { readUrgentLog, UrgentLog, urgentLogPath } from "../../src/journal/urgent-log.ts";
import type { EventBatch } from "../../src/journal/write-jobs.ts";
import { tempDir, warningsWhile, writeJournal } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("urgent");
const CHILD = fileURLToPath(new URL("./fixtures/urgent-flush.ts", import.meta.url));

/** Records from..to as one batch, encoded as the journal encodes them. */
function batch(from: number, to: number): EventBatch {
  const events = Array.from({ length: to - from + 1 }, (_, i) => sampleEvent(from + i));
  return { kind: "events", firstSeq: from, ts: events.map((e) => e.ts), types: events.map((e) => e.type), payloads: events.map(encodeEvent) };
}

const journalIdOf = (path: string): string => {
  const j = SqliteJournal.open(path, { writer: "inline" });
  const id = j.journalId;
  j.close();
  return id;
};

test("an urgent flush needs no writer: SIGKILLed while SQLite was locked against the writer, the reopened journal holds every record it made durable", async () => {
  const path = file("killed.db");
  const child = spawn(process.execPath, [CHILD, path], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const line = (prefix: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = out.split("\n").find((l) => l.startsWith(prefix));
        if (found !== undefined) {
          child.stdout.off("data", onData);
          resolve(found);
        }
      };
      const onData = (d: Buffer): void => {
        out += d.toString();
        check();
      };
      child.stdout.on("data", onData);
      child.once("exit", (code) => reject(new Error(`child exited (${code}) before "${prefix}": ${out}${err}`)));
      check();
    });
  assert.equal(await line("ready"), "ready 20");
  // The writer thread can no longer commit: this connection holds SQLite's write lock.
  const blocker = new DatabaseSync(path);
  blocker.exec("BEGIN IMMEDIATE");
  let killed: Promise<unknown> | undefined;
  try {
    child.stdin.write("go\n");
    assert.equal(await line("urgent"), "urgent 25", "flushUrgent resolved with records 21..25 durable while the writer was locked out");
    killed = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await killed;
  } finally {
    if (killed === undefined) child.kill("SIGKILL");
    blocker.exec("ROLLBACK");
    blocker.close();
  }
  // Read-only tools, before any start, say where the journal's last records are.
  const before = verifyJournal(path);
  assert.equal(before.ok, true, JSON.stringify(before.problems));
  assert.deepEqual([before.lastSeq, before.urgentPending], [20, 5]);
  assert.match(formatVerifyReport(before), /5 more record\(s\) after seq 20 are in .*-urgent .*the next start adds them/);
  const j = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(j.lastSeq(), 25);
  assert.equal(j.urgentRestored, 5, "the five records only the urgent file held were committed by the open");
  assert.deepStrictEqual([...j.read()].map((r) => r.event), Array.from({ length: 25 }, (_, i) => sampleEvent(i + 1)));
  j.append(sampleEvent(26));
  j.close();
  assert.equal(existsSync(urgentLogPath(path)), false, "taken in, then removed");
  const report = verifyJournal(path);
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.urgentPending, 0);
});

test("worker journal: an urgent flush resolves at once, the writer commits the same records, and a clean close removes the urgent file", async () => {
  const path = file("clean.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  assert.equal(existsSync(urgentLogPath(path)), true);
  for (let i = 1; i <= 300; i++) j.append(sampleEvent(i));
  await j.flushUrgent();
  assert.equal(j.durableSeq(), 300);
  assert.deepStrictEqual(readUrgentLog(path, j.journalId).map((r) => r.seq), Array.from({ length: 300 }, (_, i) => i + 1));
  await j.flush();
  j.close();
  assert.equal(existsSync(urgentLogPath(path)), false);
  const again = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(again.lastSeq(), 300);
  assert.equal(again.urgentRestored, 0, "the writer had committed them all");
  again.close();
});

test("records too many for the urgent file go the writer's way, and are durable all the same", async () => {
  const path = file("large.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  for (let i = 1; i <= 3_000; i++) j.append(sampleEvent(i)); // ~0.6 MB of records: more than a slot holds
  await j.flushUrgent();
  assert.equal(j.durableSeq(), 3_000);
  j.close();
  const again = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(again.lastSeq(), 3_000);
  again.close();
});

test("the newest whole slot is read; a torn newest falls back to the one before; another journal's file is ignored", () => {
  const path = file("slots.db");
  writeJournal(path, 0);
  const id = journalIdOf(path);
  const log = UrgentLog.create(path, id);
  assert.equal(log.write([batch(1, 3)], true), true); // slot 1
  assert.equal(log.write([batch(1, 5)], true), true); // slot 0, newer
  log.close(false);
  assert.deepStrictEqual(readUrgentLog(path, id).map((r) => r.seq), [1, 2, 3, 4, 5]);
  assert.deepStrictEqual(readUrgentLog(path, "another-journal"), []);
  // Tear the newer write (a crash in the middle of it): its CRC no longer matches.
  const bytes = readFileSync(urgentLogPath(path));
  bytes[40] = bytes[40]! ^ 0xff;
  writeFileSync(urgentLogPath(path), bytes);
  assert.deepStrictEqual(readUrgentLog(path, id).map((r) => r.seq), [1, 2, 3]);
});

test("urgent records that cannot follow the tail are a loss: refused by default, left out with the operator's word", () => {
  const path = file("gap.db");
  writeJournal(path, 10);
  const log = UrgentLog.create(path, journalIdOf(path));
  log.write([batch(13, 14)], true); // 11 and 12 are in neither: 13 cannot follow 10
  log.close(false);
  assert.throws(
    () => SqliteJournal.open(path, { writer: "inline" }),
    (e) => isHeanError(e, "JOURNAL_LOSS_UNCONFIRMED") && /urgent record 13: sequence gap/.test(e.message),
  );
  assert.equal(existsSync(urgentLogPath(path)), true, "a refused open changes nothing");
  const cut = SqliteJournal.open(path, { writer: "inline", onLoss: "cut" });
  assert.equal(cut.lastSeq(), 10);
  assert.equal(cut.urgentRestored, 0);
  cut.close();
});

test("an urgent file that cannot be prepared (a full disk) costs speed, not safety: a warning, and urgent flushes go through the writer", async () => {
  const path = file("no-urgent.db");
  symlinkSync("/dev/full", urgentLogPath(path)); // reads as zeros (no slot), every write fails with ENOSPC
  const warnings = await warningsWhile("HEAN_URGENT_FILE", async () => {
    const j = SqliteJournal.open(path, { writer: "worker" });
    for (let i = 1; i <= 10; i++) j.append(sampleEvent(i));
    await j.flushUrgent();
    assert.equal(j.durableSeq(), 10);
    j.close();
  });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /could not be prepared \(ENOSPC.*kill-switch closes wait for the journal's writer thread/);
  const again = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(again.lastSeq(), 10);
  again.close();
});
