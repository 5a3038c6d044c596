import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { ReadOnlyJournal } from "../../src/journal/read-only-journal.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { formatInspectedRecord, formatVerifyReport, inspectJournal, verifyJournal } from "../../src/journal/tools.ts";
import { raw, tempDir, writeJournal } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("tools");

const digest = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

test("verify: a healthy journal is ok, with its records and snapshots summarised", async () => {
  const path = file("ok.db");
  const j = SqliteJournal.open(path, { writer: "inline", configFingerprint: "cfg-1" });
  for (let i = 1; i <= 25; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(20, { at: 20 });
  j.close();
  const report = verifyJournal(path);
  assert.equal(report.ok, true);
  assert.equal(report.records, 25);
  assert.equal(report.firstSeq, 1);
  assert.equal(report.lastSeq, 25);
  assert.equal(report.configFingerprint, "cfg-1");
  assert.equal(report.sqliteIntegrity, "ok");
  assert.deepEqual(report.problems, []);
  assert.deepEqual(
    report.snapshots.map((s) => [s.seq, s.ok]),
    [[20, true]],
  );
  assert.match(formatVerifyReport(report), /OK[\s\S]*records 25 \(seq 1..25\)/);
  assert.doesNotThrow(() => JSON.stringify(report));
});

test("verify: reports every problem at its own record, not just the first", async () => {
  const path = file("many.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let i = 1; i <= 30; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(25, { at: 25 });
  j.close();
  raw(path, (db) => {
    db.exec("UPDATE events SET payload = payload || ' ' WHERE seq = 5");
    db.exec("DELETE FROM events WHERE seq = 10");
    db.exec("UPDATE events SET checksum = 1 WHERE seq = 15");
    db.exec("UPDATE snapshots SET state = '{}' WHERE seq = 25");
  });
  const before = digest(path);
  const report = verifyJournal(path);
  assert.equal(digest(path), before, "verify changes nothing");
  assert.equal(report.ok, false);
  assert.equal(report.records, 29);
  assert.deepEqual(
    report.problems.map((p) => [p.where, p.seq]),
    [
      ["record", 5],
      ["record", 11],
      ["record", 15],
      ["snapshot", 25],
    ],
  );
  assert.match(report.problems[1]!.reason, /sequence gap: expected 10, found 11/);
  // What they cost: the damaged records and the missing one, by seq; the verified prefix ends before the first.
  assert.deepEqual(report.lost, { records: 3, atLeast: false, ranges: [{ from: 5, to: 5 }, { from: 10, to: 10 }, { from: 15, to: 15 }] });
  assert.equal(report.goodThrough, 4);
  assert.match(formatVerifyReport(report), /LOST: 3 records \(seq 5, 10, 15\)/);
  assert.match(formatVerifyReport(report), /PROBLEMS FOUND[\s\S]*record 11: sequence gap/);
});

test("verify never throws: missing file, garbage, a truncated file", () => {
  const missing = verifyJournal(file("missing.db"));
  assert.equal(missing.ok, false);
  assert.equal(missing.problems[0]?.where, "file");

  const garbage = file("garbage.db");
  writeFileSync(garbage, "x".repeat(10_000));
  assert.equal(verifyJournal(garbage).ok, false);

  const source = file("source.db");
  const j = SqliteJournal.open(source, { writer: "inline" });
  for (let b = 0; b < 20; b++) {
    for (let i = 1; i <= 100; i++) j.append(sampleEvent(b * 100 + i));
    j.flushSync();
  }
  j.close();
  const truncated = file("truncated.db");
  copyFileSync(source, truncated);
  truncateSync(truncated, Math.floor(statSync(truncated).size * 0.6));
  const before = digest(truncated);
  const report = verifyJournal(truncated);
  assert.equal(digest(truncated), before, "verify leaves a damaged file exactly as found");
  assert.equal(report.ok, false);
  assert.ok(report.records > 0 && report.records < 2000, `read ${report.records} records before the damage`);
  assert.notEqual(report.sqliteIntegrity, "ok");
});

test("inspect: from, limit and type select records; decimals print as strings", () => {
  const path = file("inspect.db");
  writeJournal(path, 40);
  const page = inspectJournal(path, { from: 10, limit: 3 });
  assert.deepEqual(
    page.map((r) => r.seq),
    [10, 11, 12],
  );
  const fills = inspectJournal(path, { type: "order.filled", limit: 100 });
  assert.equal(fills.length, 10);
  assert.ok(fills.every((r) => r.type === "order.filled"));
  const first = fills[0]!;
  assert.ok("event" in first);
  assert.equal((first.event as Record<string, unknown>)["price"], "64123.5");
  assert.doesNotThrow(() => JSON.stringify(fills));
  assert.equal(inspectJournal(path).length, 40);
  assert.deepEqual(inspectJournal(path, { limit: 0 }), []);
  assert.match(formatInspectedRecord(first), /^\s+1\s+2026-01-02T03:04:05.679Z\s+order.filled\s+\{"type":"order.filled"/);
});

test("inspect: an undecodable record is shown, not hidden; bad options are refused", () => {
  const path = file("inspect-bad.db");
  writeJournal(path, 5);
  raw(path, (db) => db.exec("UPDATE events SET payload = '{oops' WHERE seq = 3"));
  const records = inspectJournal(path);
  const bad = records[2]!;
  assert.ok("error" in bad);
  assert.equal(bad.payload, "{oops");
  assert.match(formatInspectedRecord(bad), /UNDECODABLE/);
  assert.throws(() => inspectJournal(path, { type: "order.fill" }), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  assert.throws(() => inspectJournal(path, { limit: -1 }), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  assert.throws(() => inspectJournal(file("nope.db")), (e) => isHeanError(e, "JOURNAL_IO"));
});

test("verify: rows deleted at the tail are found through the snapshot taken after them", async () => {
  const path = file("tail-deleted.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let i = 1; i <= 30; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(30, { at: 30 });
  j.close();
  raw(path, (db) => db.exec("DELETE FROM events WHERE seq > 25"));
  const report = verifyJournal(path);
  assert.equal(report.ok, false);
  assert.deepEqual(report.lost, { records: 5, atLeast: true, ranges: [{ from: 26, to: 30 }] });
});

/** 2000 records in 20 commits, closed (checkpointed into the main file), then cut short mid-page. */
function truncatedJournal(name: string): { path: string; written: number } {
  const path = file(name);
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let b = 0; b < 20; b++) {
    for (let i = 1; i <= 100; i++) j.append(sampleEvent(b * 100 + i));
    j.flushSync();
  }
  j.close();
  truncateSync(path, Math.floor(statSync(path).size * 0.6) + 123);
  return { path, written: 2000 };
}

test("a truncated file: verify counts the loss from the B-tree it still has; inspect and the read-only reader show the prefix; nothing changes", () => {
  const { path, written } = truncatedJournal("truncated-tools.db");
  const before = digest(path);
  const report = verifyJournal(path);
  assert.equal(report.ok, false);
  const last = report.lost.ranges.at(-1)!;
  assert.ok(report.lost.records >= 1 && last.to <= written && last.to >= written - 100, JSON.stringify(report.lost));
  assert.ok(report.goodThrough > 0 && report.goodThrough < written);

  const shown = inspectJournal(path, { from: 1, limit: 5 });
  assert.deepEqual(
    shown.map((r) => r.seq),
    [1, 2, 3, 4, 5],
  );

  const reader = ReadOnlyJournal.open(path);
  const records = [...reader.read()];
  assert.equal(records.length, report.goodThrough);
  records.forEach((r) => assert.deepStrictEqual(r.event, sampleEvent(r.seq)));
  assert.equal(reader.lastSeq(), report.goodThrough);
  reader.close();
  assert.equal(digest(path), before, "the tools left the damaged file exactly as found");
});

test("the read-only reader hands out the verified prefix only, from a snapshot within it", async () => {
  const path = file("reader.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let i = 1; i <= 40; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(10, { at: 10 });
  await j.writeSnapshot(35, { at: 35 });
  j.close();
  raw(path, (db) => db.exec("UPDATE events SET payload = payload || ' ' WHERE seq = 20"));
  const before = digest(path);
  const reader = ReadOnlyJournal.open(path);
  assert.equal(reader.lastSeq(), 19);
  assert.deepEqual(reader.latestSnapshot(), { seq: 10, ts: reader.latestSnapshot()!.ts, state: { at: 10 } }, "snapshot 35 lies past the damage");
  assert.deepEqual(
    [...reader.read(10)].map((r) => r.seq),
    Array.from({ length: 9 }, (_, i) => i + 11),
  );
  reader.close();
  assert.equal(digest(path), before);
  assert.throws(() => ReadOnlyJournal.open(file("absent.db")), (e) => isHeanError(e, "JOURNAL_IO"));
  const garbage = file("garbage-reader.db");
  writeFileSync(garbage, "not a journal at all ".repeat(500));
  assert.throws(() => ReadOnlyJournal.open(garbage), (e) => isHeanError(e, "JOURNAL_CORRUPT"));
});
