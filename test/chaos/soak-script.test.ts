/**
 * `npm run chaos` as a soak: a small run of the real script (simulator and engine processes),
 * interrupted once the first schedule is saved and then resumed on the same report file. The
 * resumed run does only what is left, keeps what was saved, and ends with every schedule and
 * the totals. Refusals (a report of another seed, bad flags) change nothing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ROOT, sleep } from "./harness.ts";

const SCRIPT = join(ROOT, "scripts", "chaos.ts");
const SEED = 5000;
const dir = mkdtempSync(join(tmpdir(), "hean-soak-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Saved {
  firstSeed: number;
  schedules: number;
  results: { seed: number; ok: boolean; orders: number; fills: number; finishedAt: string; killSwitch: unknown; divergenceList: string[] }[];
  totals: { schedules: number; failed: number[]; orphans: number; duplicates: number; lostFills: number; doubleFills: number; positionMismatches: number };
}

const read = (path: string): Saved | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Saved;
  } catch {
    return undefined;
  }
};

test("three schedules, interrupted after the first and resumed: ends with three, the saved ones not redone", { timeout: 15 * 60_000 }, async () => {
  const report = join(dir, "soak.json");
  const args = [SCRIPT, "--schedules", "3", "--seed", String(SEED), "--report", report];
  const first = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out1 = "";
  first.stdout.on("data", (d: Buffer) => (out1 += d.toString()));
  first.stderr.on("data", (d: Buffer) => (out1 += d.toString()));
  const exited1 = new Promise<number | null>((r) => first.once("exit", (code) => r(code)));
  // The evidence: the first schedule is in the report file.
  while ((read(report)?.results.length ?? 0) < 1) {
    assert.equal(first.exitCode, null, `the script ended before saving a schedule:\n${out1}`);
    await sleep(50);
  }
  first.kill("SIGTERM");
  const code1 = await exited1;
  const saved = read(report)!;
  const k = saved.results.length;
  assert.ok(k >= 1, out1);
  assert.equal(code1, k < 3 ? 130 : 0, `interrupted before the end is not a success:\n${out1}`);
  assert.match(out1, /\[1\/3\] ok +seed 500\d: \d+ orders, \d+ fills, .*\/min, (ETA|done)/, "progress: done/total, rate, ETA");

  const second = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 10 * 60_000 });
  const out2 = second.stdout + second.stderr;
  assert.equal(second.status, 0, out2);
  assert.match(out2, new RegExp(`resuming .*: ${k} of 3 schedules already done`));
  assert.equal((out2.match(/^\[\d\/3\]/gm) ?? []).length, 3 - k, "only what was left ran");
  const final = read(report)!;
  assert.deepEqual(final.results.map((r) => r.seed), [SEED, SEED + 1, SEED + 2]);
  assert.deepEqual(final.results.slice(0, k), saved.results, "what was saved is kept as it was");
  for (const r of final.results) {
    assert.equal(r.ok, true, JSON.stringify(r.divergenceList));
    assert.ok(r.orders >= 1 && "killSwitch" in r && typeof r.fills === "number");
  }
  assert.deepEqual(
    { ...final.totals, failed: final.totals.failed.length },
    { ...final.totals, schedules: 3, failed: 0, orphans: 0, duplicates: 0, lostFills: 0, doubleFills: 0, positionMismatches: 0 },
  );
});

test("a report of another seed or venue, or a bad flag, is refused with exit 2 and nothing run", () => {
  const report = join(dir, "other.json");
  const other = JSON.stringify({ version: 1, firstSeed: 1, schedules: 1, results: [], totals: {} });
  writeFileSync(report, other);
  const wrongSeed = spawnSync(process.execPath, [SCRIPT, "--schedules", "1", "--seed", "2", "--report", report], { cwd: ROOT, encoding: "utf8" });
  assert.equal(wrongSeed.status, 2);
  assert.match(wrongSeed.stderr, /holds the soak from seed 1, not 2/);
  assert.equal(readFileSync(report, "utf8"), other, "the report is untouched");
  const otherVenue = join(dir, "bybit.json");
  const bybitSoak = JSON.stringify({ version: 1, venue: "bybit", firstSeed: 2, schedules: 1, results: [], totals: {} });
  writeFileSync(otherVenue, bybitSoak);
  const wrongVenue = spawnSync(process.execPath, [SCRIPT, "--venue", "binance", "--schedules", "1", "--seed", "2", "--report", otherVenue], { cwd: ROOT, encoding: "utf8" });
  assert.equal(wrongVenue.status, 2);
  assert.match(wrongVenue.stderr, /holds a bybit soak, not binance/);
  assert.equal(readFileSync(otherVenue, "utf8"), bybitSoak, "the report is untouched");
  const unknownVenue = spawnSync(process.execPath, [SCRIPT, "--venue", "kraken"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(unknownVenue.status, 2);
  assert.match(unknownVenue.stderr, /--venue must be one of bybit, binance/);
  const bad = spawnSync(process.execPath, [SCRIPT, "--schedules", "zero"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--schedules must be an integer/);
  assert.equal(existsSync(join(dir, "zero")), false);
});
