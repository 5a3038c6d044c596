/**
 * Sweeps: the grid, the walk-forward windows, ranking (by windows 2…K, ties in grid order,
 * failures last), the out-of-sample path, and `hean backtest --sweep … --workers 2 --walk-forward 2` end to end.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import type { Performance } from "../../src/report/performance.ts";
import { grid, parseSweeps, printSweep, rankSweep, type SweepJobResult, type SweepReport, WindowCheck, windows } from "../../src/research/backtest/sweep.ts";
import { HeanError } from "../../src/core/errors.ts";
import { hean } from "../cli/cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-sweep-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the grid is every combination, first axis slowest; bad sweeps are refused", () => {
  const axes = parseSweeps(["a.x=1,2", "b=p,q,r"]);
  assert.deepEqual(grid(axes), [
    ["a.x=1", "b=p"], ["a.x=1", "b=q"], ["a.x=1", "b=r"],
    ["a.x=2", "b=p"], ["a.x=2", "b=q"], ["a.x=2", "b=r"],
  ]);
  assert.throws(() => parseSweeps(["a=1,,2"]), /--sweep must be key=v1,v2/);
  assert.throws(() => parseSweeps(["=1"]), /--sweep must be/);
  assert.throws(() => parseSweeps(["a=1", "a=2"]), /given twice/);
  assert.deepEqual(windows(0, 10, 3), [{ from: 0, to: 3 }, { from: 3, to: 6 }, { from: 6, to: 10 }]);
});

const perf = (totalReturnPct: number): Performance => ({ totalReturnPct, maxDrawdownPct: 1, trades: 2, sharpe: null }) as unknown as Performance;
const ok = (id: number, r: number): SweepJobResult => ({ id, ok: true, performance: perf(r) });

test("walk-forward ranks by windows 2…K and says that is not out-of-sample; the path chooses on the window before", () => {
  const combos = [["k=1"], ["k=2"], ["k=3"]];
  // Window 1 (in-sample only) would favour k=1 hugely; windows 2–3 favour k=3.
  const runs = [
    [ok(0, 50), ok(1, -1), ok(2, -1)],
    [ok(3, 0), ok(4, 1), ok(5, 2)],
    [ok(6, -5), ok(7, 4), ok(8, 4)],
  ];
  const r = rankSweep(combos, runs, "totalReturnPct", 3, parseSweeps(["k=1,2,3"]));
  assert.deepEqual(r.ranked.map((e) => [e.overrides[0], e.value]), [["k=3", 4], ["k=2", 1.5], ["k=1", -1]]);
  assert.deepEqual(r.walkForwardPath, [
    { window: 2, chosen: ["k=1"], value: -1 },
    { window: 3, chosen: ["k=3"], value: 4 },
  ]);
  const printed = printSweep(r);
  assert.doesNotMatch(printed, /every ranked figure is out-of-sample|out-of-sample mean/);
  assert.match(printed, /walk-forward over 3 windows \(each combination's own mean over windows 2…3: chosen on the same windows, so the top row is not out-of-sample; the path below is\)/);
  assert.match(printed, /totalReturnPct \(mean, windows 2…3\)/);
  assert.match(printed, /== Walk-forward path, out-of-sample \(chosen on the window before, measured on this one\) ==\nwindow 2: k=1 → totalReturnPct -1\.0000\nwindow 3: k=3 → totalReturnPct 4\.0000\n/);
  const failed: SweepJobResult = { id: 0, ok: false, error: "boom" };
  const whole = rankSweep([["k=1"], ["k=2"]], [[failed], [ok(1, -3)]], "totalReturnPct", null, parseSweeps(["k=1,2"]));
  assert.deepEqual(whole.ranked.map((e) => [e.overrides[0], e.value, e.error ?? ""]), [["k=2", -3, ""], ["k=1", null, "boom"]]);
  assert.doesNotMatch(printSweep(whole), /No combination/);
});

test("a failed walk-forward window is a failure (-), never counted as 0: not in the mean, the drawdown nor the trades; the path names it", () => {
  const failed = (id: number): SweepJobResult => ({ id, ok: false, error: "DATA_MALFORMED: no market data" });
  const r = rankSweep([["k=1"], ["k=2"]], [[ok(0, 1), failed(1), ok(2, 2)], [ok(3, 3), failed(4), ok(5, 1)]], "totalReturnPct", 3, parseSweeps(["k=1,2"]));
  for (const e of r.ranked) {
    assert.deepEqual([e.value, e.maxDrawdownPct, e.trades, e.windows?.[1], e.error], [null, null, null, null, "DATA_MALFORMED: no market data"]);
  }
  assert.equal(r.walkForwardPath[0]!.error, "DATA_MALFORMED: no market data");
});

test("walk-forward windows that would hold no record are found in the one pass that reads the span, as a look at every record would find them", () => {
  const check = (times: readonly number[], k: number, from?: number): number[] => {
    const c = new WindowCheck(k, from);
    for (const t of times) c.add(t);
    try {
      c.check(windows(from ?? times[0]!, times.at(-1)! + 1, k));
      return [];
    } catch (e) {
      assert.ok(e instanceof HeanError && e.code === "CLI_USAGE", String(e));
      return e.context.empty as number[];
    }
  };
  // 100 ms of records, 100 ms of none, 100 ms of records: the middle third is empty, halves are not.
  const gap = [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => 200 + i)];
  assert.deepEqual(check(gap, 3), [2]);
  assert.deepEqual(check(gap, 2), []);
  // More windows than milliseconds: windows of no time at all.
  assert.deepEqual(check([0, 1, 2, 3], 6), [1, 4]);
  // --from before the first record: the windows before it.
  assert.deepEqual(check([1000, 1500, 1999], 4, 0), [1, 2]);
  // Against every record looked at, on random data (bursts and silences of every length).
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 2, max: 100 }), fc.option(fc.integer({ min: 0, max: 3_000 })), (steps, k, lead) => {
      const times: number[] = [];
      let t = 1_000_000;
      for (const step of steps) times.push((t += step % 7 === 0 ? step * 40 : step % 13));
      const from = lead === null ? undefined : times[0]! - lead;
      const spans = windows(from ?? times[0]!, times.at(-1)! + 1, k);
      const expected = spans.flatMap((w, i) => (times.some((x) => x >= w.from && x < w.to) ? [] : [i + 1]));
      assert.deepEqual(check(times, k, from), expected);
    }),
    { numRuns: 500 },
  );
});

test("a sweep ranked by a figure no run has says that its order is the grid's", () => {
  const r = rankSweep([["k=1"], ["k=2"]], [[ok(0, 1)], [ok(1, 2)]], "sharpe", null, parseSweeps(["k=1,2"]));
  assert.deepEqual(r.ranked.map((e) => [e.overrides[0], e.value]), [["k=1", null], ["k=2", null]]);
  assert.match(printSweep(r), /No combination has a sharpe figure \(Sharpe needs 30 periodic returns: a run of 30 minutes or more\): the order above is the grid's, not a ranking\./);
});

test("hean backtest --sweep in worker threads with --walk-forward: ranked, identical twice", () => {
  const t0 = Date.UTC(2025, 0, 9);
  const rows = Array.from({ length: 1200 }, (_, i) => `${i + 1},${(2000 + Math.round(20 * Math.sin(i / 40)) / 2).toFixed(2)},0.300,${i},${i},${t0 + i * 250},${i % 3 === 0}`);
  const data = join(dir, "ETHUSDT-aggTrades-2025-01-09.csv");
  writeFileSync(data, `${rows.join("\n")}\n`);
  const args = ["backtest", "--data", data, "--strategy", "churn", "--sweep", "strategy.params.holdMs=1000,4000", "--sweep", "strategy.params.intervalMs=3000,8000", "--workers", "2", "--rank", "totalReturnPct", "--walk-forward", "2", "--quiet"];
  const a = hean([...args, "--report", join(dir, "a.json")]);
  const b = hean([...args, "--report", join(dir, "b.json")]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /== Sweep: 4 combinations ranked by totalReturnPct, walk-forward over 2 windows/);
  const report = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as SweepReport;
  assert.equal(report.ranked.length, 4);
  const values = report.ranked.map((e) => e.value ?? -Infinity);
  assert.deepEqual([...values].sort((x, y) => y - x), values, "best first");
  for (const e of report.ranked) {
    assert.equal(e.windows?.length, 2);
    assert.equal(e.value, e.windows![1], "the ranked figure is window 2's, never window 1's");
  }
  assert.equal(report.walkForwardPath.length, 1);
  const refused = hean(["backtest", "--data", data, "--sweep", "strategy.params.holdMs=-5", "--quiet"]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /strategy\.params\.holdMs/);
  // One run's journal has no place in a sweep: said, not silently dropped.
  const journal = join(dir, "sweep.db");
  const withJournal = hean(["backtest", "--data", data, "--sweep", "strategy.params.holdMs=1000,2000", "--journal", journal, "--quiet"]);
  assert.equal(withJournal.status, 2);
  assert.match(withJournal.stderr, /--journal keeps one run's journal: leave it out of a sweep/);
  assert.equal(existsSync(journal), false);
});

test("a ratio missing for want of a loss ranks first (∞); one missing for want of data ranks last", () => {
  const run = (id: number, p: Partial<Performance>): SweepJobResult => ({ id, ok: true, performance: { totalReturnPct: 1, maxDrawdownPct: 1, trades: 4, winRatePct: 50, returnCount: 40, annualisedReturnPct: 10, sharpe: null, sortino: 1, calmar: 1, profitFactor: 1, ...p } as Performance });
  const order = (metric: "profitFactor" | "sortino" | "calmar", runs: SweepJobResult[]): (string | number | null)[][] =>
    rankSweep(runs.map((_, i) => [`k=${i}`]), runs.map((r) => [r]), metric, null, parseSweeps(["k=0"])).ranked.map((e) => [e.overrides[0]!, e.value]);
  assert.deepEqual(order("profitFactor", [run(0, { profitFactor: 1.5 }), run(1, { profitFactor: null, trades: 0, winRatePct: null }), run(2, { profitFactor: null, winRatePct: 100 }), run(3, { profitFactor: 0.5 })]), [
    ["k=2", Infinity], ["k=0", 1.5], ["k=3", 0.5], ["k=1", null],
  ]);
  assert.deepEqual(order("sortino", [run(0, { sortino: 2 }), run(1, { sortino: null, returnCount: 10 }), run(2, { sortino: null }), run(3, { sortino: null, totalReturnPct: 0 })]), [
    ["k=2", Infinity], ["k=0", 2], ["k=1", null], ["k=3", null],
  ]);
  assert.deepEqual(order("calmar", [run(0, { calmar: 3 }), run(1, { calmar: null, annualisedReturnPct: null }), run(2, { calmar: null, maxDrawdownPct: 0 })]), [
    ["k=2", Infinity], ["k=0", 3], ["k=1", null],
  ]);
  // Walk-forward: ∞ in a window makes the mean ∞; the JSON says so beside its null, the table shows ∞ and the rule.
  const wf = rankSweep([["k=1"], ["k=2"]], [[run(0, {}), run(1, { profitFactor: null, winRatePct: 100 })], [run(2, {}), run(3, { profitFactor: 2 })]], "profitFactor", 2, parseSweeps(["k=1,2"]));
  assert.deepEqual(wf.ranked.map((e) => [e.overrides[0], e.value, e.unbounded]), [["k=1", Infinity, true], ["k=2", 2, undefined]]);
  assert.match(JSON.stringify(wf), /"value":null,"unbounded":true/);
  const printed = printSweep(wf);
  assert.match(printed, /\n1 +k=1 +∞ /);
  assert.match(printed, /A profitFactor missing for winning trades and no losing one is ∞ and ranks first; one missing for want of data \(-\) ranks last\./);
});
