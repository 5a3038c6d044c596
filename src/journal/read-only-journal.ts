/**
 * A journal file opened only to read it (`hean journal replay`): no lock, no writer, no recovery,
 * so the file stays exactly as found, damaged or not, and an engine may be writing it meanwhile.
 * It hands out only the verified prefix (what boot would keep), and says what lies beyond it.
 */
import { existsSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";
import { ChainVerifier } from "./chain-verifier.ts";
import { chainSeed } from "./checksum.ts";
import { latestValidSnapshot } from "./snapshots.ts";
import { tolerantRows } from "./tolerant-reader.ts";
import { openForReading, type VerifyReport, verifyJournal } from "./tools.ts";
import type { JournalRecord, Snapshot } from "./types.ts";

export class ReadOnlyJournal {
  readonly path: string;
  /** The full check of the file, taken at open: problems, and what they cost. */
  readonly verify: VerifyReport;
  readonly #db: DatabaseSync;
  readonly #seed: number;

  /** Throws JOURNAL_IO for a missing file, JOURNAL_CORRUPT for one that is not a readable hean journal at all. */
  static open(path: string): ReadOnlyJournal {
    if (!existsSync(path)) throw new HeanError("JOURNAL_IO", `no journal at ${path}`, { path });
    const verify = verifyJournal(path);
    if (verify.journalId === null) {
      const why = verify.problems.map((p) => p.reason).join("; ");
      throw new HeanError("JOURNAL_CORRUPT", `cannot read the journal ${path}: ${why}`, { path });
    }
    return new ReadOnlyJournal(path, verify, openForReading(path), chainSeed(verify.journalId));
  }

  private constructor(path: string, verify: VerifyReport, db: DatabaseSync, seed: number) {
    this.path = path;
    this.verify = verify;
    this.#db = db;
    this.#seed = seed;
  }

  /** The last record handed out by `read`: the end of the verified prefix. */
  lastSeq(): number {
    return this.verify.goodThrough;
  }

  /** Verified records after `fromSeqExclusive`, up to the end of the verified prefix. */
  *read(fromSeqExclusive = 0): Generator<JournalRecord, void, undefined> {
    const end = this.verify.goodThrough;
    let prev = this.#seed;
    if (fromSeqExclusive > 0) {
      const row = this.#db.prepare("SELECT checksum FROM events WHERE seq = ?").get(fromSeqExclusive) as { checksum: number } | undefined;
      if (row === undefined) throw new HeanError("JOURNAL_CORRUPT", `record ${fromSeqExclusive} is missing`, { seq: fromSeqExclusive });
      prev = row.checksum;
    }
    const verifier = new ChainVerifier(prev, fromSeqExclusive + 1);
    const rows = tolerantRows(this.#db);
    while (verifier.nextSeq <= end) {
      const row = rows(verifier.nextSeq);
      // The file was verified up to `end` at open; if it no longer reads so, say so rather than stop short.
      const event = row === undefined || typeof row === "string" ? `unreadable: ${row ?? "missing"}` : verifier.check(...row);
      if (typeof event === "string") {
        throw new HeanError("JOURNAL_CORRUPT", `record ${verifier.nextSeq}: ${event}`, { seq: verifier.nextSeq, reason: event });
      }
      yield { seq: verifier.nextSeq - 1, ts: event.ts, event };
    }
  }

  /** The newest snapshot within the verified prefix that verifies and decodes. */
  latestSnapshot(): Snapshot | undefined {
    try {
      return latestValidSnapshot(this.#db, this.verify.goodThrough, () => undefined)?.snapshot;
    } catch {
      return undefined; // an unreadable snapshot table: replay from the first record
    }
  }

  close(): void {
    this.#db.close();
  }
}
