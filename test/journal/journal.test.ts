import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { chainSeed, recordChecksum } from "../../src/journal/checksum.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import type { WriterMode } from "../../src/journal/types.ts";
import { raw, seqs, tempDir } from "./helpers.ts";
import { ALL_SAMPLES, sampleEvent } from "./samples.ts";

const file = tempDir("journal");

for (const writer of ["worker", "inline"] as const satisfies readonly WriterMode[]) {
  describe(`${writer} writer`, () => {
    test("seqs start at 1, run without gaps, and every record chains to the one before", async () => {
      const path = file("chain.db");
      const j = SqliteJournal.open(path, { writer });
      assert.deepEqual(j.recovery, { status: "clean" });
      assert.equal(j.lastSeq(), 0);
      const got = ALL_SAMPLES.map((e) => j.append(e));
      assert.deepEqual(got, ALL_SAMPLES.map((_, i) => i + 1));
      await j.flush();
      assert.equal(j.durableSeq(), ALL_SAMPLES.length);
      const id = j.journalId;
      j.close();

      raw(path, (db) => {
        const rows = db.prepare("SELECT seq, ts, type, payload, checksum FROM events ORDER BY seq").all() as {
          seq: number;
          ts: number;
          type: string;
          payload: string;
          checksum: number;
        }[];
        assert.equal(rows.length, ALL_SAMPLES.length);
        let prev = chainSeed(id);
        rows.forEach((row, i) => {
          assert.equal(row.seq, i + 1);
          assert.equal(row.checksum, recordChecksum(prev, row.seq, row.payload));
          prev = row.checksum;
        });
      });
    });

    test("reopen reads back every event exactly, and appends continue at the next seq", async () => {
      const path = file("reopen.db");
      const j = SqliteJournal.open(path, { writer });
      for (const e of ALL_SAMPLES) j.append(e);
      await j.flush();
      j.close();

      const k = SqliteJournal.open(path, { writer });
      assert.equal(k.lastSeq(), ALL_SAMPLES.length);
      assert.deepStrictEqual([...k.read()].map((r) => r.event), ALL_SAMPLES);
      assert.equal(k.append(sampleEvent(1)), ALL_SAMPLES.length + 1);
      await k.flush();
      assert.deepEqual(seqs(k, ALL_SAMPLES.length - 1), [ALL_SAMPLES.length, ALL_SAMPLES.length + 1]);
      k.close();
    });

    test("group commit: 5000 appends in one turn, one flush, one batch, all durable", async () => {
      const path = file("group.db");
      const j = SqliteJournal.open(path, { writer });
      const before = j.stats();
      for (let i = 1; i <= 5000; i++) j.append(sampleEvent(i));
      const flushed = j.flush();
      if (writer === "worker") assert.equal(j.flush(), flushed, "flushes for the same seq share one promise");
      await flushed;
      const after = j.stats();
      assert.equal(after.batches - before.batches, 1);
      assert.equal(after.commits - before.commits, 1);
      assert.equal(after.backlog, 0);
      j.close();
      const k = SqliteJournal.open(path, { writer });
      const records = [...k.read()];
      assert.equal(records.length, 5000);
      assert.deepStrictEqual(records[4999]!.event, sampleEvent(5000));
      k.close();
    });

    test("appends in one turn without an explicit flush are still committed (end of turn)", async () => {
      const path = file("turn.db");
      const j = SqliteJournal.open(path, { writer });
      for (let i = 1; i <= 10; i++) j.append(sampleEvent(i));
      // Wait for the evidence however long a loaded machine takes; the test's timeout bounds it.
      while (j.durableSeq() < 10) await new Promise((r) => setTimeout(r, 10));
      assert.equal(j.durableSeq(), 10);
      assert.equal(j.stats().batches, 1);
      j.close();
    });

    test("flushSync makes everything durable without awaiting", () => {
      const path = file("sync.db");
      const j = SqliteJournal.open(path, { writer });
      for (let i = 1; i <= 100; i++) j.append(sampleEvent(i));
      j.flushSync();
      assert.equal(j.durableSeq(), 100);
      assert.equal(seqs(j).length, 100);
      j.close();
    });

    test("appendDurable resolves with the seq once it is durable", async () => {
      const j = SqliteJournal.open(file("durable.db"), { writer });
      const seq = await j.appendDurable(sampleEvent(1));
      assert.equal(seq, 1);
      assert.equal(j.durableSeq(), 1);
      j.close();
    });

    test("a refused event changes nothing: no seq consumed, nothing written", async () => {
      const j = SqliteJournal.open(file("refuse.db"), { writer });
      j.append(sampleEvent(1));
      const bad = { ...sampleEvent(2), ts: Number.NaN } as HeanEvent;
      assert.throws(() => j.append(bad), (e) => isHeanError(e, "EVENT_INVALID"));
      assert.throws(() => j.append({ type: "market.book" } as unknown as HeanEvent), (e) => isHeanError(e, "EVENT_INVALID"));
      assert.equal(j.append(sampleEvent(3)), 2);
      await j.flush();
      assert.deepEqual(seqs(j), [1, 2]);
      j.close();
    });

    test("after close: append throws, flush rejects, close again is harmless", async () => {
      const j = SqliteJournal.open(file("closed.db"), { writer });
      j.append(sampleEvent(1));
      j.close();
      j.close();
      assert.throws(() => j.append(sampleEvent(2)), (e) => isHeanError(e, "JOURNAL_IO"));
      await assert.rejects(j.flush(), (e) => isHeanError(e, "JOURNAL_IO"));
    });
  });
}

test("read(from) starts after `from`, is empty past the end, and rejects bad arguments", () => {
  const path = file("read.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  for (let i = 1; i <= 10; i++) j.append(sampleEvent(i));
  j.flushSync();
  assert.deepEqual(seqs(j, 7), [8, 9, 10]);
  assert.deepEqual(seqs(j, 10), []);
  assert.deepEqual(seqs(j, 99), []);
  assert.throws(() => seqs(j, -1), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  assert.throws(() => seqs(j, 1.5), (e) => isHeanError(e, "JOURNAL_ARGUMENT"));
  j.close();
});

test("records appended but not yet durable are not visible to read()", async () => {
  const j = SqliteJournal.open(file("visible.db"), { writer: "worker" });
  j.append(sampleEvent(1));
  await j.flush();
  j.append(sampleEvent(2));
  assert.deepEqual(seqs(j), [1], "the second record is still buffered");
  await j.flush();
  assert.deepEqual(seqs(j), [1, 2]);
  j.close();
});

test("meta: a journal keeps its id and creation time across opens", () => {
  const path = file("meta.db");
  const j = SqliteJournal.open(path, { writer: "inline" });
  const { journalId, createdAt } = j;
  j.close();
  assert.match(journalId, /^[0-9a-f-]{36}$/);
  const k = SqliteJournal.open(path, { writer: "inline" });
  assert.equal(k.journalId, journalId);
  assert.equal(k.createdAt, createdAt);
  k.close();
});

test("a config fingerprint is stored once and a different one is refused", () => {
  const path = file("fingerprint.db");
  SqliteJournal.open(path, { writer: "inline", configFingerprint: "cfg-a" }).close();
  const same = SqliteJournal.open(path, { writer: "inline", configFingerprint: "cfg-a" });
  assert.equal(same.configFingerprint, "cfg-a");
  same.close();
  SqliteJournal.open(path, { writer: "inline" }).close();
  assert.throws(
    () => SqliteJournal.open(path, { writer: "inline", configFingerprint: "cfg-b" }),
    (e) => isHeanError(e, "JOURNAL_CONFIG_MISMATCH"),
  );
});

test("a journal of another format version is refused", () => {
  const path = file("version.db");
  SqliteJournal.open(path, { writer: "inline" }).close();
  raw(path, (db) => db.exec("UPDATE meta SET value = '99' WHERE key = 'format_version'"));
  assert.throws(() => SqliteJournal.open(path, { writer: "inline" }), (e) => isHeanError(e, "JOURNAL_VERSION"));
});

test("a file that is not a journal is refused and left alone", () => {
  const other = file("other.db");
  raw(other, (db) => db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"));
  assert.throws(() => SqliteJournal.open(other, { writer: "inline" }), (e) => isHeanError(e, "JOURNAL_VERSION"));
  raw(other, (db) => assert.equal((db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 1));

  const garbage = file("garbage.db");
  writeFileSync(garbage, "this is not a database at all, just some text that is long enough".repeat(100));
  assert.throws(() => SqliteJournal.open(garbage, { writer: "inline" }), (e) => isHeanError(e, "JOURNAL_CORRUPT"));

  assert.throws(() => SqliteJournal.open(":memory:"), (e) => isHeanError(e, "JOURNAL_IO"));
  assert.throws(() => SqliteJournal.open(""), (e) => isHeanError(e, "JOURNAL_IO"));
});

test("bad options are refused with a clear error before any file is created", () => {
  const path = file("options.db");
  const bad: [string, object][] = [
    ["durability", { durability: "fast" }],
    ["writer", { writer: "thread" }],
    ["keepSnapshots", { keepSnapshots: 0 }],
    ["busyTimeoutMs", { busyTimeoutMs: -1 }],
    ["configFingerprint", { configFingerprint: "" }],
    ["onLoss", { onLoss: "ignore" }],
  ];
  for (const [option, options] of bad) {
    assert.throws(
      () => SqliteJournal.open(path, options as never),
      (e) => isHeanError(e, "JOURNAL_ARGUMENT") && String(e.context["option"]).startsWith(option),
      option,
    );
  }
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(`${path}.lock`), false);
});
