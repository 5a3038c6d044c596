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

/**
 * The messages of the process warnings with `code` emitted while `fn` runs (and on the tick after
 * it: Node emits warnings on the next tick).
 */
export async function warningsWhile(code: string, fn: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    if (w.code === code) warnings.push(w.message);
  };
  process.on("warning", onWarning);
  try {
    await fn();
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  return warnings;
}
