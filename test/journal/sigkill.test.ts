/**
 * SIGKILL at random moments: a child appends and flushes in a loop, printing each durable seq;
 * we kill it without warning, reopen, and check that every seq it reported durable is there,
 * that the journal opens clean (or cut and reported, never past a durable seq), and that the
 * records are exactly what was written. Then the next child continues on the same journal.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { verifyJournal } from "../../src/journal/tools.ts";
import { tempDir } from "./helpers.ts";
import { sampleEvent } from "./samples.ts";

const file = tempDir("sigkill");
const CHILD = fileURLToPath(new URL("./fixtures/append-loop.ts", import.meta.url));

let seed = Number(process.env.HEAN_JOURNAL_SEED ?? 777);
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

interface Round {
  readonly opened: number;
  readonly maxDurable: number;
  readonly lines: number;
}

/** Run the child until it has reported `minLines` flushes, wait a random while, SIGKILL it. */
function runAndKill(path: string, writer: "worker" | "inline", minLines: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, writer, String(Math.floor(random() * 1e9))], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffered = "";
    let stderr = "";
    let opened = -1;
    let maxDurable = 0;
    let lines = 0;
    let killScheduled = false;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const [what, value] = line.split(" ");
        if (what === "open") opened = Number(value);
        if (what === "durable") {
          maxDurable = Math.max(maxDurable, Number(value));
          lines++;
        }
      }
      if (!killScheduled && lines >= minLines) {
        killScheduled = true;
        setTimeout(() => child.kill("SIGKILL"), Math.floor(random() * 150));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (signal !== "SIGKILL") reject(new Error(`child exited on its own (code ${code}): ${stderr}`));
      else resolve({ opened, maxDurable, lines });
    });
  });
}

test("SIGKILL at random moments never loses an acknowledged record nor leaves a corrupt journal", async () => {
  const path = file("kill.db");
  let previousLast = 0;
  const rounds = 6;
  for (let round = 0; round < rounds; round++) {
    const writer = round % 3 === 2 ? "inline" : "worker";
    const minLines = 1 + Math.floor(random() * 20);
    const { opened, maxDurable, lines } = await runAndKill(path, writer, minLines);
    const where = `round ${round} (${writer}, killed after ${lines} flushes, seed ${process.env.HEAN_JOURNAL_SEED ?? 777})`;
    assert.equal(opened, previousLast, `${where}: the child saw every record of the previous rounds`);
    assert.ok(maxDurable > opened, `${where}: the child made progress`);

    const j = SqliteJournal.open(path, { writer: "inline" });
    if (j.recovery.status === "truncated") {
      assert.ok(j.recovery.fromSeq > maxDurable, `${where}: a cut never reaches a record reported durable (${JSON.stringify(j.recovery)})`);
    }
    const last = j.lastSeq();
    assert.ok(last >= maxDurable, `${where}: every record reported durable is there (${last} < ${maxDurable})`);
    let expected = 1;
    for (const { seq, event } of j.read()) {
      assert.equal(seq, expected++, where);
      assert.deepStrictEqual(event, sampleEvent(seq), `${where}: record ${seq}`);
    }
    assert.equal(expected - 1, last, where);
    j.close();
    const report = verifyJournal(path);
    assert.equal(report.ok, true, `${where}: ${JSON.stringify(report.problems)}`);
    previousLast = last;
  }
});
