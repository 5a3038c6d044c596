import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { snapshotChecksum } from "../../src/journal/checksum.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import type { WriterMode } from "../../src/journal/types.ts";
import { raw, seqs, tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("snapshots");

function journalWith(path: string, count: number, writer: WriterMode = "inline", keepSnapshots = 3): SqliteJournal {
  const j = SqliteJournal.open(path, { writer, keepSnapshots });
  for (let i = 1; i <= count; i++) j.append(sampleEvent(i));
  return j;
}

for (const writer of ["worker", "inline"] as const) {
  test(`${writer}: a snapshot reads back exactly (with decimals) and the tail replays after it`, async () => {
    const path = file(`rw-${writer}.db`);
    const j = journalWith(path, 40, writer);
    const state = { positions: { BTCUSDT: { qty: dec("-0.5"), avg: dec("64000.123456789012345678") } }, fills: ["a", "b"], n: 7 };
    await j.writeSnapshot(30, state);
    const got = j.latestSnapshot();
    assert.equal(got?.seq, 30);
    assert.deepStrictEqual(got?.state, state);
    assert.equal(typeof got?.ts, "number");
    j.close();

    const k = SqliteJournal.open(path, { writer });
    assert.deepStrictEqual(k.latestSnapshot()?.state, state);
    assert.deepEqual(seqs(k, 30), Array.from({ length: 10 }, (_, i) => 31 + i));
    k.close();
  });
}

test("a snapshot written and not awaited before close is still kept (close drains the writer)", () => {
  const path = file("drain.db");
  const j = journalWith(path, 10, "worker");
  void j.writeSnapshot(10, { last: 10 });
  j.close();
  const k = SqliteJournal.open(path, { writer: "inline" });
  assert.deepEqual(k.latestSnapshot(), { seq: 10, ts: k.latestSnapshot()?.ts, state: { last: 10 } });
  k.close();
});

test("a corrupt snapshot is ignored and reported; the previous one is used", async () => {
  const path = file("corrupt.db");
  const j = journalWith(path, 30);
  await j.writeSnapshot(10, { at: 10 });
  await j.writeSnapshot(20, { at: 20 });
  j.close();
  raw(path, (db) => db.exec(`UPDATE snapshots SET state = replace(state, '20', '21') WHERE seq = 20`));

  const k = SqliteJournal.open(path, { writer: "inline" });
  assert.deepEqual(k.recovery, { status: "clean" });
  assert.deepEqual(k.latestSnapshot(), { seq: 10, ts: k.latestSnapshot()?.ts, state: { at: 10 } });
  assert.deepEqual(k.snapshotProblems, [{ seq: 20, reason: "snapshot checksum mismatch" }]);
  k.close();
});

test("an undecodable snapshot with a valid checksum is ignored too", async () => {
  const path = file("undecodable.db");
  const j = journalWith(path, 30);
  await j.writeSnapshot(10, { at: 10 });
  await j.writeSnapshot(20, { at: 20 });
  j.close();
  raw(path, (db) => {
    const record = db.prepare("SELECT checksum FROM events WHERE seq = 20").get() as { checksum: number };
    const state = '{"x":{"$d":"1.2.3"}}';
    db.prepare("UPDATE snapshots SET ts = 5, state = ?, checksum = ? WHERE seq = 20").run(state, snapshotChecksum(record.checksum, 20, 5, state));
  });
  const k = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(k.latestSnapshot()?.seq, 10);
  assert.match(k.snapshotProblems[0]?.reason ?? "", /undecodable snapshot state/);
  k.close();
});

test("with every snapshot corrupt, there is none: replay from the first record", async () => {
  const path = file("none.db");
  const j = journalWith(path, 30);
  await j.writeSnapshot(10, { at: 10 });
  j.close();
  raw(path, (db) => db.exec("UPDATE snapshots SET checksum = checksum + 1"));
  const k = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(k.latestSnapshot(), undefined);
  assert.equal(seqs(k).length, 30);
  k.close();
});

test("only the newest keepSnapshots snapshots are kept", async () => {
  const path = file("keep.db");
  const j = journalWith(path, 50, "inline", 2);
  for (const seq of [10, 20, 30, 40]) await j.writeSnapshot(seq, { seq });
  j.close();
  raw(path, (db) => {
    const kept = (db.prepare("SELECT seq FROM snapshots ORDER BY seq").all() as { seq: number }[]).map((r) => r.seq);
    assert.deepEqual(kept, [30, 40]);
  });
});

test("bad snapshot requests are refused without writing anything", async () => {
  const path = file("bad.db");
  const j = journalWith(path, 5);
  assert.throws(() => j.writeSnapshot(0, {}), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  assert.throws(() => j.writeSnapshot(6, {}), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  assert.throws(() => j.writeSnapshot(2.5, {}), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  assert.throws(() => j.writeSnapshot(5, { x: Number.NaN }), (e) => isHeanError(e, "EVENT_INVALID"));
  assert.equal(j.latestSnapshot(), undefined);
  await j.writeSnapshot(5, { ok: true });
  assert.equal(j.latestSnapshot()?.seq, 5);
  j.close();
});

test("a snapshot of buffered records waits for them: the records are committed first", async () => {
  const path = file("order.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  for (let i = 1; i <= 100; i++) j.append(sampleEvent(i));
  await j.writeSnapshot(100, { at: 100 });
  assert.equal(j.durableSeq(), 100);
  assert.equal(j.latestSnapshot()?.seq, 100);
  j.close();
});
