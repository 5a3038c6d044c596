/**
 * Commits write jobs: one SQLite transaction per call, however many jobs it holds (group commit).
 * Used on the writer thread and, in inline mode, on the caller's thread: one code path, one format.
 *
 * It computes each record's chained checksum as it inserts, so the chain is only ever extended
 * by what actually commits; if the transaction fails, nothing moves and the error propagates.
 * The worker writer may `insert` a turn's first records before the rest arrive, in the same
 * transaction, and `commit` with the last of them.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { HeanError } from "../core/errors.ts";
import { recordChecksum, snapshotChecksum } from "./checksum.ts";
import type { WriteJob } from "./write-jobs.ts";

/** Rows per INSERT statement: fewer calls into SQLite per record (measured ~750k against ~600k rows/s). */
const ROWS_PER_INSERT = 32;

export class BatchCommitter {
  readonly #db: DatabaseSync;
  readonly #insertOne: StatementSync;
  readonly #insertMany: StatementSync;
  readonly #insertSnapshot: StatementSync;
  readonly #pruneSnapshots: StatementSync;
  readonly #checksumAt: StatementSync;
  readonly #keepSnapshots: number;
  #lastSeq: number;
  #lastChecksum: number;
  #bytes = 0;
  /** Progress inside the open transaction; becomes the committed state at COMMIT. */
  #txSeq = 0;
  #txChecksum = 0;
  #txBytes = 0;

  constructor(db: DatabaseSync, lastSeq: number, lastChecksum: number, keepSnapshots: number) {
    this.#db = db;
    this.#lastSeq = lastSeq;
    this.#lastChecksum = lastChecksum;
    this.#keepSnapshots = Math.max(1, Math.floor(keepSnapshots));
    this.#insertOne = db.prepare("INSERT INTO events (seq, ts, type, payload, checksum) VALUES (?, ?, ?, ?, ?)");
    this.#insertMany = db.prepare(
      "INSERT INTO events (seq, ts, type, payload, checksum) VALUES " +
        Array.from({ length: ROWS_PER_INSERT }, () => "(?, ?, ?, ?, ?)").join(", "),
    );
    this.#insertSnapshot = db.prepare("INSERT OR REPLACE INTO snapshots (seq, ts, state, checksum) VALUES (?, ?, ?, ?)");
    this.#pruneSnapshots = db.prepare(
      "DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 1 OFFSET ?)",
    );
    this.#checksumAt = db.prepare("SELECT checksum FROM events WHERE seq = ?");
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Characters of payload and snapshot text committed so far: what has gone into the WAL, roughly. */
  get bytesCommitted(): number {
    return this.#bytes;
  }

  /** Commit every job in one transaction (with whatever `insert` put in it before); returns the last durable seq. */
  commit(jobs: readonly WriteJob[]): number {
    this.insert(jobs);
    try {
      this.#db.exec("COMMIT");
    } catch (e) {
      this.#rollback();
      throw e;
    }
    this.#lastSeq = this.#txSeq;
    this.#lastChecksum = this.#txChecksum;
    this.#bytes += this.#txBytes;
    return this.#lastSeq;
  }

  /** Insert the jobs into the open transaction (opening one if needed) without committing it. */
  insert(jobs: readonly WriteJob[]): void {
    if (!this.#db.isTransaction) {
      this.#db.exec("BEGIN IMMEDIATE");
      this.#txSeq = this.#lastSeq;
      this.#txChecksum = this.#lastChecksum;
      this.#txBytes = 0;
    }
    try {
      for (const job of jobs) {
        if (job.kind === "events") {
          if (job.firstSeq !== this.#txSeq + 1) {
            throw new HeanError("JOURNAL_IO", `writer expected seq ${this.#txSeq + 1}, got a batch starting at ${job.firstSeq}`, {
              expected: this.#txSeq + 1,
              got: job.firstSeq,
            });
          }
          this.#txChecksum = this.#insertEvents(job.ts, job.types, job.payloads, this.#txSeq, this.#txChecksum);
          this.#txSeq += job.payloads.length;
          for (const payload of job.payloads) this.#txBytes += payload.length;
        } else {
          if (typeof job.state !== "string") throw new HeanError("JOURNAL_IO", "a snapshot reached the committer unencoded", { seq: job.seq });
          const anchor = job.seq === this.#txSeq ? this.#txChecksum : this.#storedChecksum(job.seq);
          this.#insertSnapshot.run(job.seq, job.ts, job.state, snapshotChecksum(anchor, job.seq, job.ts, job.state));
          this.#pruneSnapshots.run(this.#keepSnapshots - 1);
          this.#txBytes += job.state.length;
        }
      }
    } catch (e) {
      this.#rollback();
      throw e;
    }
  }

  #rollback(): void {
    if (!this.#db.isTransaction) return;
    try {
      this.#db.exec("ROLLBACK");
    } catch {
      // the original error is the one worth reporting
    }
  }

  #insertEvents(
    ts: readonly number[],
    types: readonly string[],
    payloads: readonly string[],
    lastSeq: number,
    lastChecksum: number,
  ): number {
    let checksum = lastChecksum;
    let seq = lastSeq;
    const n = payloads.length;
    let i = 0;
    const args: (number | string)[] = new Array<number | string>(ROWS_PER_INSERT * 5);
    for (; i + ROWS_PER_INSERT <= n; i += ROWS_PER_INSERT) {
      for (let k = 0; k < ROWS_PER_INSERT; k++) {
        seq++;
        checksum = recordChecksum(checksum, seq, payloads[i + k]!);
        const at = k * 5;
        args[at] = seq;
        args[at + 1] = ts[i + k]!;
        args[at + 2] = types[i + k]!;
        args[at + 3] = payloads[i + k]!;
        args[at + 4] = checksum;
      }
      this.#insertMany.run(...args);
    }
    for (; i < n; i++) {
      seq++;
      checksum = recordChecksum(checksum, seq, payloads[i]!);
      this.#insertOne.run(seq, ts[i]!, types[i]!, payloads[i]!, checksum);
    }
    return checksum;
  }

  #storedChecksum(seq: number): number {
    const row = this.#checksumAt.get(seq) as { checksum: number } | undefined;
    if (row === undefined) {
      throw new HeanError("JOURNAL_IO", `a snapshot at seq ${seq} has no record to bind to`, { seq });
    }
    return row.checksum;
  }
}
