/**
 * A sweep whose runs go wrong, as a user meets it: a worker that dies fails its run alone, a bad
 * strategy is refused before anything runs (exit 2, as a single run), and Ctrl-C keeps what finished.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SweepReport } from "../../src/research/backtest/sweep.ts";
import { hean, heanAsync, waitForOutput } from "../cli/cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-sweep-fail-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2025, 0, 9);
const data = join(dir, "ETHUSDT-aggTrades-2025-01-09.csv");
writeFileSync(data, `${Array.from({ length: 300 }, (_, i) => `${i + 1},${(2000 + (i % 7) * 0.5).toFixed(2)},0.300,${i},${i},${T0 + i * 250},${i % 3 === 0}`).join("\n")}\n`);

// Does nothing, or on its 5th book: ends its thread, throws where nobody catches it, or never returns.
const strategy = join(dir, "misbehaves.ts");
writeFileSync(
  strategy,
  `export default {
  name: "misbehaves",
  params: { mode: { kind: "choice", values: ["ok", "exit", "throw", "hang"] } },
  defaults: { mode: "ok" },
  create: (p: { mode: string }) => {
    let n = 0;
    return {
      onBook: () => {
        if (++n !== 5) return undefined;
        if (p.mode === "exit") process.exit(3);
        if (p.mode === "throw") queueMicrotask(() => { throw new Error("thrown later"); });
        if (p.mode === "hang") for (;;);
        return undefined;
      },
    };
  },
};
`,
);

test("a worker that dies fails its own run, named; a new worker runs the rest and the report is written", () => {
  const report = join(dir, "died.json");
  const r = hean(["backtest", "--data", data, "--strategy-file", strategy, "--sweep", "strategy.params.mode=exit,ok,throw,ok", "--workers", "1", "--report", report, "--quiet"]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /\n\d +strategy\.params\.mode=exit .*SWEEP_WORKER_DIED: the worker running strategy\.params\.mode=exit exited with code 3 before it answered\n/);
  assert.match(r.stdout, /\n\d +strategy\.params\.mode=throw .*SWEEP_WORKER_DIED: the worker running strategy\.params\.mode=throw threw Error: thrown later before it answered\n/);
  const sweep = JSON.parse(readFileSync(report, "utf8")) as SweepReport;
  assert.deepEqual(
    sweep.ranked.map((e) => [e.overrides.join(" "), e.error === undefined]),
    [["strategy.params.mode=ok", true], ["strategy.params.mode=ok", true], ["strategy.params.mode=exit", false], ["strategy.params.mode=throw", false]],
  );
});

test("a bad strategy in a sweep is refused before anything runs, with a single run's error and exit 2", () => {
  const broken = join(dir, "broken.ts");
  writeFileSync(broken, "export default { name: 'broken', create: ( };\n");
  const shapeless = join(dir, "shapeless.ts");
  writeFileSync(shapeless, "export default 42;\n");
  for (const [file, sweep] of [
    [join(dir, "missing.ts"), "strategy.params.mode=ok,exit"],
    [broken, "strategy.params.x=1,2"],
    [shapeless, "strategy.params.x=1,2"],
    [strategy, "strategy.params.speed=1,2"],
    [strategy, "strategy.params.mode=ok,fast"],
  ] as const) {
    // The single run of the grid's last combination, which is a bad one in every case.
    const single = hean(["backtest", "--data", data, "--strategy-file", file, "--set", `${sweep.slice(0, sweep.indexOf("="))}=${sweep.split(",").at(-1)!}`, "--quiet"]);
    const swept = hean(["backtest", "--data", data, "--strategy-file", file, "--sweep", sweep, "--workers", "1"]);
    assert.equal(single.status, 2, single.stderr);
    assert.equal(swept.status, 2, `${file} ${sweep}: ${swept.stdout}${swept.stderr}`);
    assert.match(swept.stderr, /^hean: STRATEGY_INVALID: /);
    assert.equal(swept.stderr, single.stderr);
    assert.equal(swept.stdout, "", "no table: nothing ran");
    assert.doesNotMatch(swept.stderr, /sweep: /, "no run started");
  }
});

test("Ctrl-C during a sweep stops it: the runs that finished are ranked, printed and written, exit 130", async () => {
  const report = join(dir, "stopped.json");
  const child = heanAsync(["backtest", "--data", data, "--strategy-file", strategy, "--sweep", "strategy.params.mode=ok,hang,ok", "--workers", "1", "--report", report]);
  // The first run has finished (the progress line says so); the second never will on its own.
  await waitForOutput(child, "1/3 runs");
  const exited = once(child, "exit");
  child.kill("SIGINT");
  const [code] = (await exited) as [number | null];
  const output = child.output();
  assert.equal(code, 130, output);
  assert.match(output, /== Sweep: 3 combinations ranked by totalReturnPct; STOPPED by Ctrl-C/);
  const sweep = JSON.parse(readFileSync(report, "utf8")) as SweepReport;
  assert.equal(sweep.interrupted, true);
  assert.deepEqual(
    sweep.ranked.map((e) => [e.overrides.join(" "), e.error ?? "ok"]),
    [["strategy.params.mode=ok", "ok"], ["strategy.params.mode=hang", "not run: the sweep was stopped (Ctrl-C)"], ["strategy.params.mode=ok", "not run: the sweep was stopped (Ctrl-C)"]],
  );
});

test("walk-forward windows that would hold no data are refused before any run: the data's span, K and the windows' length said", () => {
  // 50 s of trades, 100 s of nothing, 50 s of trades: window 2 of 3 is empty. It used to run every
  // other window of every combination first, then fail window 2 of each, late, with exit 1.
  const gap = join(dir, "ETHUSDT-aggTrades-2025-01-10.csv");
  const t0 = Date.UTC(2025, 0, 10);
  writeFileSync(gap, `${Array.from({ length: 400 }, (_, i) => `${i + 1},${(2000 + (i % 7) * 0.5).toFixed(2)},0.300,${i},${i},${t0 + (i < 200 ? i : i + 400) * 250},${i % 3 === 0}`).join("\n")}\n`);
  const report = join(dir, "gap.json");
  const r = hean(["backtest", "--data", gap, "--strategy", "churn", "--sweep", "strategy.params.holdMs=1000,4000", "--walk-forward", "3", "--workers", "1", "--report", report, "--quiet"]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "hean: CLI_USAGE: --walk-forward 3 cuts the data's 00:03:19 (2025-01-10T00:00:00.000Z to 2025-01-10T00:03:19.751Z) into 3 windows of 00:01:06 each, " +
      "and 1 of them would hold no market data (window 2: 2025-01-10T00:01:06.583Z to 2025-01-10T00:02:13.167Z): choose fewer windows, or a period the data covers throughout (--from/--to)\n",
  );
  assert.equal(existsSync(report), false, "nothing ran, nothing written");
  // K beyond the data: 20 ms of trades cut into 50 windows, most of them no time at all.
  const short = join(dir, "ETHUSDT-aggTrades-2025-01-11.csv");
  const t1 = Date.UTC(2025, 0, 11);
  writeFileSync(short, `${Array.from({ length: 20 }, (_, i) => `${i + 1},2000.00,0.300,${i},${i},${t1 + i},${i % 3 === 0}`).join("\n")}\n`);
  const tooMany = hean(["backtest", "--data", short, "--strategy", "churn", "--sweep", "strategy.params.holdMs=1000,4000", "--walk-forward", "50", "--quiet"]);
  assert.equal(tooMany.status, 2, tooMany.stderr);
  assert.match(tooMany.stderr, /^hean: CLI_USAGE: --walk-forward 50 cuts the data's 20 ms \(2025-01-11T00:00:00\.000Z to 2025-01-11T00:00:00\.020Z\) into 50 windows of 0 ms to 1 ms each, and 30 of them would hold no market data \(window 1: .*; … 27 more\): choose fewer windows/);
  // A --from before the data: the windows before its first record are empty.
  const early = hean(["backtest", "--data", gap, "--from", "2025-01-09", "--strategy", "churn", "--sweep", "strategy.params.holdMs=1000,4000", "--walk-forward", "2", "--quiet"]);
  assert.equal(early.status, 2, early.stderr);
  assert.match(early.stderr, /--walk-forward 2 cuts the data's 1d 00:03:19 \(2025-01-09T00:00:00\.000Z to 2025-01-10T00:03:19\.751Z\) into 2 windows of 12:01:39 each, and 1 of them would hold no market data \(window 1: 2025-01-09T00:00:00\.000Z to 2025-01-09T12:01:39\.875Z\)/);
});

test("walk-forward beside a monthly fundingRate file cuts the trades' span, not the month's", () => {
  // 100 s of trades on 2025-01-12 and funding every 8 h of January: the windows were cut from the
  // funding's month, window 2 held funding alone, and each of its runs failed ("no market data").
  const t0 = Date.UTC(2025, 0, 12);
  const trades = join(dir, "ETHUSDT-aggTrades-2025-01-12.csv");
  writeFileSync(trades, `${Array.from({ length: 400 }, (_, i) => `${i + 1},${(2000 + (i % 7) * 0.5).toFixed(2)},0.300,${i},${i},${t0 + i * 250},${i % 3 === 0}`).join("\n")}\n`);
  const funding = join(dir, "ETHUSDT-fundingRate-2025-01.csv");
  const h8 = 8 * 3_600_000;
  writeFileSync(funding, `calc_time,funding_interval_hours,last_funding_rate\n${Array.from({ length: 93 }, (_, i) => `${Date.UTC(2025, 0, 1) + i * h8},8,0.0001`).join("\n")}\n`);
  const report = join(dir, "funding-wf.json");
  const r = hean(["backtest", "--data", trades, "--data", funding, "--strategy", "churn", "--sweep", "strategy.params.holdMs=1000,4000", "--walk-forward", "2", "--workers", "1", "--report", report, "--quiet"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const sweep = JSON.parse(readFileSync(report, "utf8")) as { ranked: { error?: string; windows?: (number | null)[] }[] };
  assert.ok(sweep.ranked.every((e) => e.error === undefined && e.windows?.length === 2), JSON.stringify(sweep.ranked));
});
