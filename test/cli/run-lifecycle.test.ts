/**
 * Issue 16, CLI: a start says whether it continues a journal; `--fresh` sets the old journal
 * aside (renamed, never deleted, refused while another process holds it); `--log-format`
 * pretty|json; `--exit-on-halt` ends a halted run with exit code 3 and its report written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { JournalLock } from "../../src/journal/journal-lock.ts";
import { asideName } from "../../src/journal/set-aside.ts";
import { prettyLine } from "../../src/observability/pretty.ts";
import { EXIT_HALTED } from "../../src/cli/run-command.ts";
import { expectOk, hean, heanAsync, readReport, runUntilJournaled, waitForOutput } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-lifecycle-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("journal continuation and --fresh", () => {
  const journal = join(dir, "hean.db");

  test("a first start says it starts a new journal; the next says it continues, with orders and the last run", async () => {
    const first = await runUntilJournaled(["--strategy", "churn", "--quiet"], journal, "order.filled");
    assert.equal(first.code, 0, first.output);
    const started = jsonLines(first.output).find((l) => l["continuing"] !== undefined)!;
    assert.equal(started["continuing"], false);
    assert.equal(started["msg"], `new journal ${journal}`);
    const second = hean(["run", "--strategy", "churn", "--duration", "0", "--journal", journal, "--quiet"]);
    expectOk(second, "second run");
    const cont = jsonLines(second.stdout).find((l) => l["continuing"] !== undefined)!;
    assert.equal(cont["continuing"], true);
    assert.ok((cont["orders"] as number) > 0, JSON.stringify(cont));
    assert.match(String(cont["msg"]), new RegExp(`^continuing ${journal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: \\d+ orders, \\d+ fills.*, last run \\d{4}-\\d\\d-\\d\\dT`));
    assert.match(String(cont["msg"]), /--fresh/);
  });

  test("--fresh renames the old journal aside (same bytes, nothing deleted) and starts a new one", () => {
    const before = readFileSync(journal);
    const r = hean(["run", "--fresh", "--duration", "0", "--journal", journal, "--quiet"]);
    expectOk(r, "fresh run");
    const aside = jsonLines(r.stdout).find((l) => l["oldJournal"] !== undefined)!["oldJournal"] as string;
    assert.ok(existsSync(aside));
    assert.deepEqual(readFileSync(aside), before);
    assert.match(aside, /hean\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.db$/);
    const cont = jsonLines(r.stdout).find((l) => l["continuing"] !== undefined)!;
    assert.equal(cont["continuing"], false);
    const again = hean(["journal", "verify", "--journal", aside]);
    assert.equal(again.status, 0, again.stdout + again.stderr);
  });

  test("--fresh on a journal another process holds is refused and changes nothing", () => {
    const files = readdirSync(dir).sort();
    const size = statSync(journal).size;
    const lock = JournalLock.acquire(journal, Date.now());
    try {
      const r = hean(["run", "--fresh", "--duration", "0", "--journal", journal, "--quiet"]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /JOURNAL_LOCKED/);
    } finally {
      lock.release();
    }
    assert.deepEqual(readdirSync(dir).sort(), files);
    assert.equal(statSync(journal).size, size);
  });

  test("--fresh and --accept-journal-loss together are refused before anything starts", () => {
    const r = hean(["run", "--fresh", "--accept-journal-loss", "--journal", join(dir, "never.db")]);
    assert.equal(r.status, 2);
    assert.ok(!existsSync(join(dir, "never.db")));
  });

  test("an aside name is never one that exists", () => {
    const now = Date.UTC(2026, 11, 5, 5, 20, 1, 123);
    assert.equal(asideName("/d/hean.db", now, () => false), "/d/hean.2026-12-05T05-20-01-123Z.db");
    const taken = new Set(["/d/hean.2026-12-05T05-20-01-123Z.db", "/d/hean.2026-12-05T05-20-01-123Z-1.db-wal"]);
    assert.equal(asideName("/d/hean.db", now, (p) => taken.has(p)), "/d/hean.2026-12-05T05-20-01-123Z-2.db");
  });
});

describe("--log-format", () => {
  test("json (the default off a terminal): one JSON object per line", () => {
    const r = hean(["run", "--duration", "0", "--journal", join(dir, "json.db"), "--quiet"]);
    expectOk(r, "json run");
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    assert.ok(lines.length >= 2);
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), l);
  });

  test("pretty: time, level, message and fields, secrets still scrubbed", async () => {
    const token = "pretty-secret-token-0123456789abcdef";
    // Stopped once the API is up (evidence), not after a fixed time: a loaded machine may take
    // longer than any fixed duration to start, and the run would end before "hean started".
    const child = heanAsync(["run", "--log-format", "pretty", "--journal", join(dir, "pretty.db"), "--quiet", "--api-port", "0"], { HEAN_API_TOKEN: token });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await waitForOutput(child, "HTTP API, dashboard and metrics listening", 120_000);
    child.kill("SIGTERM");
    assert.equal(await exited, 0, child.output());
    const stdout = child.output();
    assert.match(stdout, /^\d\d:\d\d:\d\d\.\d{3} INFO  hean started {2}.*journal=/m);
    assert.doesNotMatch(stdout, /^\{/m);
    assert.ok(!stdout.includes(token));
    assert.equal(prettyLine(`{"level":"warn","time":"2026-12-05T05:20:01.123Z","msg":"x","token":"[redacted]","n":1}\n`), '05:20:01.123 WARN  x  token=[redacted] n=1\n');
    assert.equal(prettyLine("not json\n"), "not json\n");
  });

  test("an unknown format names the valid ones", () => {
    const r = hean(["run", "--log-format", "prety"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /did you mean "pretty"\?/);
  });
});

describe("--exit-on-halt", () => {
  test("a run that halts ends by itself with exit code 3, flat, report written", () => {
    const report = join(dir, "halt.json");
    const r = hean(
      ["run", "--scenario", "flash-crash", "--strategy", "churn", "--set", "risk.hardStopDrawdownPct=1", "--exit-on-halt", "--journal", join(dir, "halt.db"), "--report", report, "--quiet"],
      { timeoutMs: 300_000 },
    );
    assert.equal(r.status, EXIT_HALTED, r.stdout + r.stderr);
    assert.equal(EXIT_HALTED, 3);
    const rep = readReport(report);
    assert.equal(rep.risk.state, "HARD_STOP");
    assert.ok(rep.positions.every((p) => p.qty === "0"), JSON.stringify(rep.positions));
    assert.match(r.stdout, /--exit-on-halt/);
    // Times in the report read as ISO-8601 beside their epoch milliseconds.
    const ks = rep.risk.killSwitch;
    assert.equal(ks.triggeredAtIso, new Date(ks.triggeredAt!).toISOString());
    assert.equal(ks.flatAtIso, new Date(ks.flatAt!).toISOString());
    assert.equal(rep.performance.fromIso, new Date(rep.performance.from).toISOString());
    assert.equal(rep.performance.toIso, new Date(rep.performance.to).toISOString());
    assert.equal(rep.asOfIso, new Date(rep.asOf).toISOString());
    for (const t of rep.trades.closed) assert.equal(t.closedAtIso, new Date(t.closedAt).toISOString());
  });

  test("a run that never halts ends as usual with 0", () => {
    const r = hean(["run", "--exit-on-halt", "--duration", "1", "--journal", join(dir, "nohalt.db"), "--quiet"]);
    expectOk(r, "no halt");
  });
});
