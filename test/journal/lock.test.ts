/**
 * One process per journal: a second open (another process, or this one) is refused before it
 * reads or writes anything, naming the holder; a holder that dies, even by SIGKILL, leaves
 * nothing that blocks the next open; and read-only tools work while the journal is held.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, symlinkSync } from "node:fs";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { readLockHolder } from "../../src/journal/journal-lock.ts";
import { ReadOnlyJournal } from "../../src/journal/read-only-journal.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { inspectJournal, verifyJournal } from "../../src/journal/tools.ts";
import { tempDir, writeJournal } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("lock");
const CHILD = fileURLToPath(new URL("./fixtures/append-loop.ts", import.meta.url));
const digest = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

const lockedBy = (pid: number) => (e: unknown) =>
  isHeanError(e, "JOURNAL_LOCKED") &&
  e.message.includes(`pid ${pid} on ${hostname()} since `) &&
  (e.context["holder"] as { pid?: unknown } | undefined)?.pid === pid;

for (const writer of ["worker", "inline"] as const) {
  test(`${writer}: a second open in this process is refused, names the holder, and changes nothing`, async () => {
    const path = file(`twice-${writer}.db`);
    writeJournal(path, 10);
    const j = SqliteJournal.open(path, { writer });
    j.append(sampleEvent(11));
    await j.flush();
    const before = digest(path);
    assert.throws(() => SqliteJournal.open(path, { writer: "inline", onLoss: "cut" }), lockedBy(process.pid));
    assert.equal(digest(path), before, "the refused open wrote nothing");
    // The refused attempt closed its handles on the lock file; the holder's lock is still there.
    assert.throws(() => SqliteJournal.open(path, { writer }), lockedBy(process.pid));
    assert.equal(readLockHolder(path)?.pid, process.pid);
    j.append(sampleEvent(12));
    await j.flush();
    j.close();
    assert.equal(readLockHolder(path), undefined, "a released lock names nobody");
    const k = SqliteJournal.open(path, { writer });
    assert.equal(k.lastSeq(), 12);
    k.close();
  });
}

test("two paths to one journal (a symlink) share its lock", () => {
  const path = file("real.db");
  const link = file("link.db");
  writeJournal(path, 3);
  symlinkSync(path, link);
  const j = SqliteJournal.open(path, { writer: "inline" });
  try {
    assert.throws(() => SqliteJournal.open(link, { writer: "inline" }), lockedBy(process.pid));
  } finally {
    j.close();
  }
  const k = SqliteJournal.open(link, { writer: "inline" });
  assert.equal(k.lastSeq(), 3);
  k.close();
});

test("read-only tools work while an engine holds the journal, and the engine writes on", async () => {
  const path = file("readers.db");
  const j = SqliteJournal.open(path, { writer: "worker" });
  for (let i = 1; i <= 30; i++) j.append(sampleEvent(i));
  await j.flush();
  const report = verifyJournal(path);
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.lastSeq, 30);
  assert.equal(inspectJournal(path, { from: 29 }).length, 2);
  const reader = ReadOnlyJournal.open(path);
  assert.deepEqual(
    [...reader.read()].map((r) => r.seq),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  reader.close();
  // The holder goes on writing after the readers are done.
  assert.equal(j.append(sampleEvent(31)), 31);
  await j.flush();
  j.close();
});

test("another process holds the journal: refused with its pid; after it is SIGKILLed, the journal opens", async () => {
  const path = file("other.db");
  const child = spawn(process.execPath, [CHILD, path, "worker", "7"], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    // Evidence the child holds the journal: it has flushed a batch.
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        if (out.includes("durable ")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the child exited (${code}) before holding the journal: ${out}`)));
    });
    assert.throws(() => SqliteJournal.open(path, { writer: "inline" }), lockedBy(child.pid!));
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
  assert.equal(child.signalCode, "SIGKILL");
  // The dead holder's row is still in the lock file; the OS lock went with the process.
  assert.equal(readLockHolder(path)?.pid, child.pid);
  const j = SqliteJournal.open(path, { writer: "inline" });
  assert.ok(j.lastSeq() > 0);
  assert.deepEqual(j.recovery, { status: "clean" });
  j.close();
});
