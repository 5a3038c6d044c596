import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import type { JournalOptions } from "../../src/journal/types.ts";
import { sampleEvent } from "./samples.ts";

/** A temp folder removed when the test file ends. */
export function tempDir(prefix: string): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), `hean-journal-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return (name) => join(dir, `${n++}-${name}`);
}

/** A journal holding records 1..count, closed. */
export function writeJournal(path: string, count: number, options: JournalOptions = { writer: "inline" }): void {
  const j = SqliteJournal.open(path, options);
  for (let i = 1; i <= count; i++) j.append(sampleEvent(i));
  j.close();
}

/** A raw connection for tampering with the file behind the journal's back. */
export function raw(path: string, fn: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(path);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

export function seqs(j: SqliteJournal, from = 0): number[] {
  return [...j.read(from)].map((r) => r.seq);
}
