/**
 * Torn and corrupt tails: damage the file behind the journal's back, reopen, and check the damage
 * is detected, reported, cut off, that the records before it are intact, and that appends continue
 * at the right seq.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync } from "node:fs";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { recordChecksum } from "../../src/journal/checksum.ts";
import { encodeEvent } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { verifyJournal } from "../../src/journal/tools.ts";
import { raw, seqs, tempDir, writeJournal } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("recovery");

const digest = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

let seed = Number(process.env.HEAN_JOURNAL_SEED ?? 4242);
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

interface Row {
  seq: number;
  ts: number;
  type: string;
  payload: string;
  checksum: number;
}

function row(path: string, seq: number): Row {
  let found: Row | undefined;
  raw(path, (db) => {
    found = db.prepare("SELECT seq, ts, type, payload, checksum FROM events WHERE seq = ?").get(seq) as Row | undefined;
  });
  assert.ok(found, `row ${seq}`);
  return found;
}

/**
 * Reopen: refused without the operator's word, the file left exactly as found; then with it,
 * check the report and the surviving records, append once, reopen clean.
 */
function expectCut(path: string, fromSeq: number, lost: number, reason: RegExp): void {
  const before = digest(path);
  assert.throws(
    () => SqliteJournal.open(path, { writer: "inline" }),
    (e) => isHeanError(e, "JOURNAL_LOSS_UNCONFIRMED") && reason.test(e.message) && new RegExp(`records ${fromSeq}\\.\\.`).test(e.message),
  );
  assert.equal(digest(path), before, "a refused open changes nothing");
  const j = SqliteJournal.open(path, { writer: "inline", onLoss: "cut" });
  assert.equal(j.recovery.status, "truncated");
  if (j.recovery.status !== "truncated") return;
  assert.equal(j.recovery.fromSeq, fromSeq);
  assert.deepEqual(j.recovery.lost, { fromSeq, toSeq: fromSeq + lost - 1, records: lost, atLeast: false });
  assert.match(j.recovery.reason, reason);
  assert.equal(j.lastSeq(), fromSeq - 1);
  const records = [...j.read()];
  assert.deepEqual(
    records.map((r) => r.seq),
    Array.from({ length: fromSeq - 1 }, (_, i) => i + 1),
  );
  records.forEach((r) => assert.deepStrictEqual(r.event, sampleEvent(r.seq)));
  assert.equal(j.append(sampleEvent(fromSeq)), fromSeq, "appends continue where the good records end");
  j.close();
  const again = SqliteJournal.open(path, { writer: "inline" });
  assert.deepEqual(again.recovery, { status: "clean" });
  assert.equal(again.lastSeq(), fromSeq);
  again.close();
  assert.equal(verifyJournal(path).ok, true);
}

test("an altered payload in the last record is cut off", () => {
  const path = file("payload.db");
  writeJournal(path, 50);
  raw(path, (db) => db.exec("UPDATE events SET payload = replace(payload, '64123.5', '64123.6') WHERE seq = 49"));
  expectCut(path, 49, 2, /record 49: checksum mismatch/);
});

test("the last few records altered: cut from the first of them", () => {
  const path = file("few.db");
  writeJournal(path, 50);
  raw(path, (db) => db.exec("UPDATE events SET payload = payload || ' ' WHERE seq >= 47"));
  expectCut(path, 47, 4, /record 47: checksum mismatch/);
});

test("a deleted middle row is a gap: cut from the missing seq", () => {
  const path = file("gap.db");
  writeJournal(path, 50);
  raw(path, (db) => db.exec("DELETE FROM events WHERE seq = 30"));
  expectCut(path, 30, 21, /record 31: sequence gap: expected 30, found 31/);
});

test("a damaged checksum column is detected", () => {
  const path = file("checksum.db");
  writeJournal(path, 20);
  raw(path, (db) => db.exec("UPDATE events SET checksum = checksum + 1 WHERE seq = 20"));
  expectCut(path, 20, 1, /checksum mismatch/);
});

test("a ts or type column changed without its payload is detected", () => {
  const ts = file("ts-column.db");
  writeJournal(ts, 20);
  raw(ts, (db) => db.exec("UPDATE events SET ts = ts + 1 WHERE seq = 18"));
  expectCut(ts, 18, 3, /record 18: payload does not match its type\/ts columns/);

  const type = file("type-column.db");
  writeJournal(type, 20);
  raw(type, (db) => db.exec("UPDATE events SET type = 'mark' WHERE seq = 19"));
  expectCut(type, 19, 2, /record 19: payload does not match its type\/ts columns/);
});

test("two records swapped (reordered) are detected at the first", () => {
  const path = file("swap.db");
  writeJournal(path, 20);
  const a = row(path, 15);
  const b = row(path, 16);
  raw(path, (db) => {
    const put = db.prepare("UPDATE events SET ts = ?, type = ?, payload = ?, checksum = ? WHERE seq = ?");
    put.run(b.ts, b.type, b.payload, b.checksum, 15);
    put.run(a.ts, a.type, a.payload, a.checksum, 16);
  });
  expectCut(path, 15, 6, /record 15: checksum mismatch/);
});

test("an undecodable payload with a valid checksum is cut off, never applied", () => {
  const path = file("undecodable.db");
  writeJournal(path, 10);
  const prev = row(path, 9).checksum;
  const bad = '{"type":"mark","ts":1,"bid":{"$d":"not a number"}}';
  raw(path, (db) => db.prepare("UPDATE events SET ts = 1, type = 'mark', payload = ?, checksum = ? WHERE seq = 10").run(bad, recordChecksum(prev, 10, bad)));
  expectCut(path, 10, 1, /record 10: undecodable payload: bad decimal/);
});

test("a payload whose type does not match its column is cut off", () => {
  const path = file("mismatch.db");
  writeJournal(path, 10);
  const prev = row(path, 9).checksum;
  const ten = row(path, 10);
  const payload = encodeEvent({ ...sampleEvent(10), ts: ten.ts + 1 });
  raw(path, (db) =>
    db.prepare("UPDATE events SET payload = ?, checksum = ? WHERE seq = 10").run(payload, recordChecksum(prev, 10, payload)),
  );
  expectCut(path, 10, 1, /does not match its type\/ts columns/);
});

test("snapshots taken at or after the cut go with it", async () => {
  const path = file("snap-cut.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let i = 1; i <= 30; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(10, { at: 10 });
  await j.writeSnapshot(25, { at: 25 });
  j.close();
  raw(path, (db) => db.exec("UPDATE events SET payload = payload || ' ' WHERE seq = 28"));
  // The tail after the newest snapshot (25) is checked: 28 is bad.
  const k = SqliteJournal.open(path, { writer: "inline", onLoss: "cut" });
  assert.equal(k.recovery.status, "truncated");
  assert.equal(k.lastSeq(), 27);
  assert.equal(k.latestSnapshot()?.seq, 25);
  k.close();

  raw(path, (db) => db.exec("DELETE FROM events WHERE seq = 20"));
  // Now snapshot 25 has lost nothing it binds to, but the log has a gap before it:
  // boot trusts the snapshot and checks after it; a full verify and read() still see the gap.
  const m = SqliteJournal.open(path, { writer: "inline" });
  assert.deepEqual(m.recovery, { status: "clean" });
  assert.throws(() => seqs(m), (e) => isHeanError(e, "JOURNAL_CORRUPT") && e.context["seq"] === 21);
  assert.deepEqual(seqs(m, 25), [26, 27]);
  m.close();
  const report = verifyJournal(path);
  assert.equal(report.ok, false);
  assert.ok(report.problems.some((p) => p.seq === 21 && /gap/.test(p.reason)));
});

test("a snapshot whose record is cut is removed with it", async () => {
  const path = file("snap-removed.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let i = 1; i <= 30; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(25, { at: 25 });
  j.close();
  raw(path, (db) => db.exec("UPDATE events SET checksum = 0 WHERE seq = 25"));
  // Snapshot 25 no longer verifies against its record, so recovery starts from the first record.
  const k = SqliteJournal.open(path, { writer: "inline", onLoss: "cut" });
  assert.equal(k.recovery.status, "truncated");
  if (k.recovery.status === "truncated") {
    assert.equal(k.recovery.fromSeq, 25);
    assert.equal(k.recovery.removedSnapshots, 1);
  }
  assert.ok(k.snapshotProblems.some((p) => p.seq === 25));
  assert.equal(k.latestSnapshot(), undefined);
  k.close();
});

test("the db file truncated at random offsets: salvaged, reported, prefix intact, appends continue", () => {
  const original = file("big.db");
  const j = SqliteJournal.open(original, { writer: "inline" });
  for (let batch = 0; batch < 30; batch++) {
    for (let i = 1; i <= 100; i++) j.append(sampleEvent(batch * 100 + i));
    j.flushSync();
  }
  j.close(); // checkpointed: every record is in the main file now
  const size = statSync(original).size;
  for (let round = 0; round < 5; round++) {
    const path = file(`truncated-${round}.db`);
    copyFileSync(original, path);
    const offset = 8 * 4096 + Math.floor(random() * (size - 8 * 4096));
    truncateSync(path, offset);
    const where = `round ${round}, cut at byte ${offset} of ${size} (seed ${process.env.HEAN_JOURNAL_SEED ?? 4242})`;

    const before = digest(path);
    assert.throws(() => SqliteJournal.open(path, { writer: "inline" }), (e) => isHeanError(e, "JOURNAL_LOSS_UNCONFIRMED"), where);
    assert.equal(digest(path), before, `${where}: a refused open leaves the damaged file as found`);
    const k = SqliteJournal.open(path, { writer: "inline", onLoss: "cut" });
    assert.equal(k.recovery.status, "truncated", where);
    if (k.recovery.status !== "truncated") continue;
    assert.ok(k.recovery.corruptCopy !== undefined && existsSync(k.recovery.corruptCopy), `${where}: damaged file kept`);
    assert.match(k.recovery.reason, /damaged/);
    const last = k.lastSeq();
    if (process.env.HEAN_JOURNAL_DEBUG) console.log(where, k.recovery, last);
    assert.equal(k.recovery.fromSeq, last + 1, where);
    assert.ok(last < 3000, `${where}: something was lost`);
    // The true loss: the file's surviving B-tree shows how far it went, even where no record past the cut is readable.
    const { lost } = k.recovery;
    assert.equal(lost.fromSeq, last + 1, where);
    assert.ok(lost.toSeq <= 3000 && lost.toSeq >= 2900 && (lost.toSeq === 3000 || lost.atLeast), `${where}: ${JSON.stringify(lost)}`);
    assert.ok(lost.records >= 1 && lost.records === lost.toSeq - last, `${where}: ${JSON.stringify(lost)}`);
    const records = [...k.read()];
    assert.equal(records.length, last, where);
    records.forEach((r, i) => {
      assert.equal(r.seq, i + 1, where);
      assert.deepStrictEqual(r.event, sampleEvent(r.seq), where);
    });
    assert.equal(k.append(sampleEvent(last + 1)), last + 1, where);
    k.close();
    const again = SqliteJournal.open(path, { writer: "inline" });
    assert.deepEqual(again.recovery, { status: "clean" }, where);
    assert.equal(again.lastSeq(), last + 1, where);
    again.close();
    assert.equal(verifyJournal(path).ok, true, where);
  }
});

test("the WAL truncated at random offsets: SQLite keeps whole commits only, the journal opens clean on a prefix", () => {
  const original = file("wal.db");
  const j = SqliteJournal.open(original, { writer: "worker" });
  for (let batch = 0; batch < 40; batch++) {
    for (let i = 1; i <= 10; i++) j.append(sampleEvent(batch * 10 + i));
    j.flushSync();
  }
  // Copy while open: the commits are in the WAL, not yet checkpointed into the main file.
  const walSize = statSync(`${original}-wal`).size;
  assert.ok(walSize > 0);
  for (let round = 0; round < 5; round++) {
    const path = file(`wal-${round}.db`);
    copyFileSync(original, path);
    copyFileSync(`${original}-wal`, `${path}-wal`);
    const offset = Math.floor(random() * walSize);
    truncateSync(`${path}-wal`, offset);
    const where = `round ${round}, WAL cut at byte ${offset} of ${walSize}`;
    const k = SqliteJournal.open(path, { writer: "inline" });
    assert.deepEqual(k.recovery, { status: "clean" }, where);
    const last = k.lastSeq();
    if (process.env.HEAN_JOURNAL_DEBUG) console.log(where, last);
    assert.ok(last <= 400, where);
    assert.equal(last % 10, 0, `${where}: only whole commits survive`);
    const records = [...k.read()];
    assert.equal(records.length, last, where);
    records.forEach((r) => assert.deepStrictEqual(r.event, sampleEvent(r.seq), where));
    assert.equal(k.append(sampleEvent(last + 1)), last + 1, where);
    k.close();
    assert.equal(verifyJournal(path).ok, true, where);
  }
  j.close();
});

test("a salvage interrupted after its copy was complete is finished on the next open", () => {
  const path = file("interrupted.db");
  writeJournal(path, 20);
  // The state a crash between the two renames leaves: the journal moved aside, the copy not yet in place.
  copyFileSync(path, `${path}.salvage`);
  copyFileSync(path, `${path}.corrupt-1`);
  rmSync(path);
  const j = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(j.lastSeq(), 20);
  assert.equal(existsSync(`${path}.salvage`), false);
  j.close();
});
