/**
 * Issue 10, defects 1, 3 and 4, as an operator meets them on the command line:
 * - a second `hean run` on a journal in use exits at once naming the first, which runs on;
 *   after the first is SIGKILLed, a restart works;
 * - `hean journal verify | inspect | replay` on a damaged journal change no byte of it, say how
 *   many records are lost and exit 1;
 * - `hean run` on a damaged journal exits 2 and leaves it untouched; with --accept-journal-loss
 *   it cuts the journal back, journals the decision and the loss, and trades on.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, test } from "node:test";
import { expectOk, hean, heanAsync, runUntilJournaled, waitForOutput } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-journal-damage-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAST = ["--strategy", "churn", "--set", "strategy.params.intervalMs=400", "--set", "strategy.params.holdMs=250", "--set", "sim.updatesPerSecond=50", "--quiet"];

const digest = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

function sql<T>(path: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const lastSeqOf = (path: string): number => sql(path, (db) => (db.prepare("SELECT max(seq) AS m FROM events").get() as { m: number }).m);

/** A journal a real run wrote and closed cleanly (checkpointed: every record in the main file). */
let pristine = "";
let pristineLast = 0;

before(async () => {
  pristine = join(dir, "pristine.db");
  const run = await runUntilJournaled(FAST, pristine, "order.filled", 3);
  assert.equal(run.code, 0, `the run that writes the journal:\n${run.output}`);
  pristineLast = lastSeqOf(pristine);
  assert.ok(pristineLast > 20, `the run journaled ${pristineLast} records`);
});

function copyOf(name: string): string {
  const path = join(dir, name);
  copyFileSync(pristine, path);
  return path;
}

/** Damage kinds a disk, an editor or a bad copy can do. */
const DAMAGE = {
  "bytes flipped in a record": (path: string): void => {
    const seq = Math.floor(pristineLast / 2);
    const payload = sql(path, (db) => (db.prepare("SELECT payload FROM events WHERE seq = ?").get(seq) as { payload: string }).payload);
    const bytes = readFileSync(path);
    const at = bytes.indexOf(Buffer.from(payload));
    assert.ok(at > 0, "the record's payload is in the file");
    const ts = payload.indexOf('"ts":') + 6; // a digit of the record's timestamp: still valid JSON, a different value
    bytes[at + ts] = bytes[at + ts] === 0x31 ? 0x32 : 0x31;
    writeFileSync(path, bytes);
  },
  "the file truncated mid-record": (path: string): void => truncateSync(path, Math.floor(statSync(path).size * 0.6) + 37),
  "rows deleted": (path: string): void => sql(path, (db) => db.exec(`DELETE FROM events WHERE seq BETWEEN 5 AND 9`)),
} as const;

for (const [kind, damage] of Object.entries(DAMAGE)) {
  test(`inspection tools on a journal with ${kind}: nothing changes, the loss is counted, exit 1`, () => {
    const path = copyOf(`tools-${kind.replaceAll(" ", "-")}.db`);
    damage(path);
    const before = digest(path);
    const name = path.slice(dir.length + 1);

    const verify = hean(["journal", "verify", "--journal", path]);
    assert.equal(verify.status, 1, verify.stdout + verify.stderr);
    const report = JSON.parse(verify.stdout.slice(0, verify.stdout.lastIndexOf("}") + 1)) as { ok: boolean; lost: { records: number } };
    assert.equal(report.ok, false);
    assert.ok(report.lost.records >= 1, JSON.stringify(report.lost));
    assert.match(verify.stdout, /journal has problems: .* \d+ records? \(seq [\d.,\s]+.*\) damaged or lost/);
    assert.equal(digest(path), before, "verify changed the file");

    const inspect = hean(["journal", "inspect", "--journal", path, "--limit", "3"]);
    assert.equal(inspect.status, 1, inspect.stdout + inspect.stderr);
    assert.match(inspect.stderr, /damaged or lost/);
    assert.equal(inspect.stdout.trim().split("\n").length, 3, "the records before the damage are shown");
    assert.equal(digest(path), before, "inspect changed the file");

    const replay = hean(["journal", "replay", "--journal", path, "--report", join(dir, "replay.json")]);
    assert.equal(replay.status, 1, replay.stdout + replay.stderr);
    assert.match(replay.stderr, /damaged or lost.*the report covers records 1\.\.\d+ only/);
    assert.doesNotMatch(replay.stderr, new RegExp(`replayed ${pristineLast} records`));
    assert.equal(digest(path), before, "replay changed the file");

    // Beside it only what any SQLite reader leaves (an index and an empty log), nothing moved aside.
    const beside = readdirSync(dir).filter((f) => f.startsWith(`${name}`) && f !== name);
    assert.ok(beside.every((f) => f === `${name}-shm` || f === `${name}-wal`), beside.join(", "));
    assert.ok(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0, "no reader wrote to the log");
  });
}

test("inspection tools on the undamaged journal: exit 0", () => {
  const path = copyOf("tools-clean.db");
  expectOk(hean(["journal", "verify", "--journal", path]), "verify");
  expectOk(hean(["journal", "inspect", "--journal", path, "--limit", "1"]), "inspect");
  // A cut output says so (on stderr, stdout stays JSON lines), and where to go on from.
  const cut = hean(["journal", "inspect", "--journal", path, "--limit", "5"]);
  expectOk(cut, "inspect --limit 5");
  assert.equal(cut.stdout.trim().split("\n").length, 5);
  assert.match(cut.stderr, /first 5 records shown, more follow: --limit N shows more, --from 6 continues/);
  const whole = hean(["journal", "inspect", "--journal", path, "--limit", String(pristineLast)]);
  assert.equal(whole.stdout.trim().split("\n").length, pristineLast);
  assert.doesNotMatch(whole.stderr, /more follow/);
  const replay = hean(["journal", "replay", "--journal", path, "--report", join(dir, "clean.json")]);
  expectOk(replay, "replay");
});

test("hean run on a damaged journal exits 2 and leaves it untouched; --accept-journal-loss cuts, journals the decision, runs on", () => {
  const path = copyOf("run-truncated.db");
  DAMAGE["the file truncated mid-record"](path);
  const before = digest(path);

  const refused = hean(["run", "--journal", path, "--duration", "1", ...FAST]);
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /JOURNAL_LOSS_UNCONFIRMED: .* records \d+\.\.\d+.* --accept-journal-loss/);
  assert.doesNotMatch(refused.stdout, /hean started/);
  assert.equal(digest(path), before, "a refused start changed the journal");
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith("run-truncated.db.")),
    ["run-truncated.db.lock"],
    "nothing was moved aside",
  );

  const accepted = hean(["run", "--journal", path, "--duration", "2", "--accept-journal-loss", ...FAST]);
  expectOk(accepted, "the run with the loss accepted");
  assert.match(accepted.stdout, /JOURNAL_LOSS_ACCEPTED/);
  const corrupt = readdirSync(dir).filter((f) => f.startsWith("run-truncated.db.corrupt-") && !f.endsWith("-wal"));
  assert.equal(corrupt.length, 1, "the damaged file was kept for forensics");
  assert.equal(digest(join(dir, corrupt[0]!)), before, "kept exactly as found");

  // The decision is in the journal, with the true loss, before anything the run did.
  const events = sql(path, (db) => db.prepare("SELECT seq, type, payload FROM events ORDER BY seq").all() as { seq: number; type: string; payload: string }[]);
  const start = events.find((e) => e.type === "system.started" && e.payload.includes("journalLossAccepted"));
  assert.ok(start !== undefined, "the acceptance is journaled");
  const detail = JSON.parse((JSON.parse(start.payload) as { detail: string }).detail) as {
    journalLossAccepted: { fromSeq: number; lost: { fromSeq: number; toSeq: number; records: number; atLeast: boolean }; acceptedBy: string };
  };
  const { lost } = detail.journalLossAccepted;
  assert.equal(lost.fromSeq, start.seq, "the run continues right after the kept records");
  assert.equal(detail.journalLossAccepted.fromSeq, lost.fromSeq);
  assert.ok(lost.records >= 1 && lost.toSeq <= pristineLast && (lost.toSeq === pristineLast || lost.atLeast), JSON.stringify(lost));
  assert.match(detail.journalLossAccepted.acceptedBy, /--accept-journal-loss/);
  assert.equal(events.find((e) => e.seq === lost.fromSeq)?.type, "system.started", "the acceptance is the first thing the run journaled");
  expectOk(hean(["journal", "verify", "--journal", path]), "the cut journal verifies");
});

test("a second hean run on a journal in use exits at once naming the first, which runs on; after SIGKILL a restart works", async () => {
  const path = join(dir, "shared.db");
  const first = heanAsync(["run", "--journal", path, ...FAST]);
  try {
    await waitForOutput(first, "hean started");
    const second = hean(["run", "--journal", path, "--duration", "1", ...FAST]);
    assert.equal(second.status, 1, second.stdout + second.stderr);
    assert.match(second.stderr, new RegExp(`JOURNAL_LOCKED: the journal .* is in use by pid ${first.pid} on .* since \\d{4}-`));
    assert.doesNotMatch(second.stdout, /hean started/);
    assert.doesNotMatch(second.stderr, /\n\s+at /, "a clear message, not a stack trace");
    // Readers need no lock: the tools work while the engine holds the journal.
    expectOk(hean(["journal", "verify", "--journal", path]), "verify while the engine runs");
    expectOk(hean(["journal", "replay", "--journal", path, "--report", join(dir, "held.json")]), "replay while the engine runs");
    // The first is unharmed: it stops cleanly when asked.
    first.kill("SIGTERM");
    await new Promise((r) => first.once("exit", r));
    assert.equal(first.exitCode, 0, first.output());
    assert.match(first.output(), /hean stopped/);
    assert.doesNotMatch(first.output(), /UNIQUE constraint/);
  } finally {
    if (first.exitCode === null) first.kill("SIGKILL");
  }

  const holder = heanAsync(["run", "--journal", path, ...FAST]);
  await waitForOutput(holder, "hean started");
  holder.kill("SIGKILL");
  await new Promise((r) => holder.once("exit", r));
  assert.equal(holder.signalCode, "SIGKILL");
  assert.ok(existsSync(`${path}.lock`), "the dead holder's lock file is still there");
  expectOk(hean(["run", "--journal", path, "--duration", "0", ...FAST]), "the restart after SIGKILL");
  expectOk(hean(["journal", "verify", "--journal", path]), "verify");
});
