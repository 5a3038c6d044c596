/**
 * Issue 2's "Done when", as a user would run it: `hean run --duration 20 --seed 7 --report a.json`
 * makes fills, and `hean journal replay` on its journal writes a report with identical positions,
 * cash, equity and realised P&L. Also: verify and inspect work on that journal, and bad input
 * gets one clear line and a non-zero exit.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { printReport } from "../../src/report/print.ts";
import { accountOf, expectOk, hean, readReport } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("hean run --duration 20 --seed 7 makes fills, and journal replay reproduces the account exactly", () => {
  const journal = join(dir, "run.db");
  const a = join(dir, "a.json");
  const b = join(dir, "b.json");
  expectOk(hean(["run", "--duration", "20", "--seed", "7", "--report", a, "--journal", journal, "--quiet"]), "hean run");
  const live = readReport(a);
  assert.ok(live.fills > 0, `the run made fills (${live.fills})`);
  assert.ok(live.orders.length > 0 && live.orders.every((o) => o.clientOrderId.length <= 36));
  assert.equal(live.journal.path, journal);
  assert.ok(live.journal.events > 0);

  expectOk(hean(["journal", "replay", "--journal", journal, "--report", b]), "hean journal replay");
  const replayed = readReport(b);
  assert.deepEqual(accountOf(replayed), accountOf(live));
  assert.deepEqual(replayed.orders, live.orders);
  assert.equal(replayed.risk.state, live.risk.state);
  // Without --report it prints the tables the run printed on exit, from the journal alone.
  const shown = hean(["journal", "replay", "--journal", journal]);
  expectOk(shown, "hean journal replay without --report");
  assert.match(shown.stdout, /^== journal .*run\.db ==\n/);
  const body = (text: string): string => text.slice(text.indexOf("\n"));
  assert.equal(body(shown.stdout), body(printReport(live, "hean paper/sim")));

  const verify = hean(["journal", "verify", "--journal", journal]);
  expectOk(verify, "hean journal verify");
  assert.match(verify.stdout, /ok/i);
  const inspect = hean(["journal", "inspect", "--journal", journal, "--type", "order.filled", "--limit", "3"]);
  expectOk(inspect, "hean journal inspect");
  assert.match(inspect.stdout, /order\.filled/);
});

test("bad input: one clear line, a non-zero exit, nothing written", () => {
  const journal = join(dir, "never.db");
  const cases: [string[], RegExp][] = [
    [["run", "--journal", journal, "--set", "risk.maxLeverage=-1"], /CONFIG_INVALID.*risk\.maxLeverage/],
    [["run", "--journal", journal, "--set", "nope=1"], /CONFIG_INVALID.*unknown config key "nope"/],
    // Another coin is told what sim lists; a typo, what it may be of (as hean backtest says it).
    [["run", "--journal", journal, "--symbols", "DOGEUSDT"], /CONFIG_INVALID: config symbols\[0\] must be a symbol sim lists \(known: BTCUSDT, ETHUSDT\), got "DOGEUSDT"/],
    [["run", "--journal", journal, "--symbols", "BTCUSDT,ETHUSTD"], /CONFIG_INVALID: config symbols\[1\] must be a symbol sim lists \(did you mean ETHUSDT\?\), got "ETHUSTD"/],
    [["run", "--journal", journal, "--scenario", "moon"], /CONFIG_INVALID.*scenario/],
    [["run", "--journal", journal, "--duration", "soon"], /CLI_USAGE.*--duration/],
    [["run", "--journal", journal, "--bogus"], /CLI_USAGE/],
    [["run", "--journal", journal, "--mode", "live", "--venue", "bybit"], /LIVE_NOT_CONFIRMED/],
    [["frobnicate"], /CLI_USAGE.*unknown command/],
    [["journal", "verify", "--journal", join(dir, "missing.db")], /JOURNAL/],
  ];
  for (const [args, pattern] of cases) {
    const r = hean(args, { timeoutMs: 30_000 });
    assert.notEqual(r.status, 0, `${args.join(" ")} must fail`);
    assert.match(r.stderr, pattern, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.trim().split("\n").length <= 2, `one clear line, got: ${r.stderr}`);
  }
});
