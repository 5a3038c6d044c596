/**
 * Issue 10, defects 5 and 9: a start refused on bad input exits by itself with code 2, names the
 * key (or flag) and the value, and leaves no journal behind. Before the fix some of these printed
 * CONFIG_INVALID and then hung (the journal's writer thread, opened before the strategy or the
 * simulated market refused their options, kept the process alive), and `--api-port 99999`
 * started the engine, journaled, and died with a raw RangeError.
 *
 * Each case runs the real `hean run` as a child process and waits for its exit event. The safety
 * timer only turns a hang into a readable test failure; it asserts nothing about speed.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { heanAsync } from "./cli-helpers.ts";

const root = mkdtempSync(join(tmpdir(), "hean-refused-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A hang shows up as this failure, never as a stuck test run. */
const HANG_GUARD_MS = 120_000;

interface Exit {
  readonly code: number | null;
  readonly output: string;
}

function runToExit(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Exit> {
  const child = heanAsync(args, env);
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hean ${args.join(" ")} did not exit by itself; output so far:\n${child.output()}`));
    }, HANG_GUARD_MS);
    child.once("error", (e) => {
      clearTimeout(guard);
      reject(e);
    });
    child.once("close", (code) => {
      clearTimeout(guard);
      resolve({ code, output: child.output() });
    });
  });
}

/** args (after `run --journal J`), every key or flag the message must name, and the environment. */
const CASES: readonly (readonly [string, readonly string[], readonly string[], NodeJS.ProcessEnv?])[] = [
  // defect 5
  ["unknown strategy parameter", ["--set", "strategy.params.bogus=1"], ["strategy.params.bogus"]],
  ["churn sides out of its choices", ["--strategy", "churn", "--set", 'strategy.params.sides="sideways"'], ["strategy.params.sides", "sideways"]],
  ["a churn parameter given to impulse", ["--set", 'strategy.params.sides="sideways"'], ["strategy.params.sides"]],
  ["simulated update rate beyond the simulator's", ["--set", "sim.updatesPerSecond=1000000"], ["sim.updatesPerSecond", "1000000"]],
  ["unknown strategy lists the known ones", ["--strategy", "foo"], ["strategy.name", "foo", "impulse", "churn", "none"]],
  // defect 9: flags
  ["api port beyond 65535", ["--api-port", "99999"], ["--api-port", "99999"]],
  ["api port not an integer", ["--api-port", "80.5"], ["--api-port"]],
  ["negative api port", ["--api-port=-1"], ["--api-port"]],
  ["negative duration", ["--duration=-5"], ["--duration"]],
  ["duration past what a timer can wait", ["--duration", "99999999"], ["--duration"]],
  ["seed in hex", ["--seed", "0x10"], ["--seed", "0x10"]],
  ["empty seed", ["--seed="], ["--seed"]],
  ["report into a missing directory", ["--report", join(root, "missing", "r.json")], ["--report"]],
  ["unknown log level", ["--log-level", "loud"], ["--log-level", "loud"]],
  ["empty journal path", ["--journal="], ["--journal"]],
  ["rest url that is not one", ["--venue", "bybit", "--rest-url", "not a url"], ["venues.bybit.restUrl"]],
  ["a venue endpoint for the simulated venue", ["--rest-url", "http://127.0.0.1:1"], ["restUrl", "bybit"]],
  // defect 9: contradictions, both keys named
  ["soft brake above the default quarantine", ["--set", "risk.softBrakeDrawdownPct=10"], ["risk.softBrakeDrawdownPct", "risk.quarantineDrawdownPct"]],
  [
    "soft brake above the hard stop",
    ["--set", "risk.softBrakeDrawdownPct=13", "--set", "risk.quarantineDrawdownPct=14", "--set", "risk.hardStopDrawdownPct=12"],
    ["risk.softBrakeDrawdownPct", "risk.hardStopDrawdownPct"],
  ],
  ["daily loss soft above quarantine", ["--set", "risk.dailyLossSoftPct=6", "--set", "risk.dailyLossQuarantinePct=5"], ["risk.dailyLossSoftPct", "risk.dailyLossQuarantinePct"]],
  ["duplicate symbols", ["--symbols", "BTCUSDT,ETHUSDT,btcusdt"], ["symbols[2]", "symbols[0]"]],
  ["negative strategy interval", ["--strategy", "churn", "--set", "strategy.params.intervalMs=-1"], ["strategy.params.intervalMs"]],
  ["negative mark interval", ["--set", "journal.markIntervalMs=-1"], ["journal.markIntervalMs"]],
  ["negative settle timeout", ["--set", "shutdown.settleTimeoutMs=-100"], ["shutdown.settleTimeoutMs"]],
  ["order-rate window of zero", ["--set", "risk.orderRate.perMs=0"], ["risk.orderRate.perMs"]],
  ["rejection-storm window below zero", ["--set", "risk.rejectionStorm.windowMs=-1"], ["risk.rejectionStorm.windowMs"]],
  ["unknown instrument", ["--symbols", "DOGEUSDT"], ["symbols[0]", "DOGEUSDT"]],
  // a whole section replaced by null was every default of it, silently
  ["risk section set to null", ["--set", "risk=null"], ["risk must be an object", "null"]],
  ["execution section set to null", ["--set", "execution=null"], ["execution must be an object", "null"]],
  // operator surfaces: refused before the engine starts, not after it journaled
  ["an API token too short to serve", ["--api-port", "0"], ["HEAN_API_TOKEN"], { HEAN_API_TOKEN: "short" }],
  ["a Telegram token with no chat to answer", [], ["HEAN_TELEGRAM_CHAT_IDS"], { HEAN_TELEGRAM_TOKEN: "123:abc", HEAN_TELEGRAM_CHAT_IDS: "" }],
  ["a Telegram chat id that is no number", [], ["HEAN_TELEGRAM_CHAT_IDS", "ops"], { HEAN_TELEGRAM_TOKEN: "123:abc", HEAN_TELEGRAM_CHAT_IDS: "ops" }],
];

// Two children at a time: each is a whole node process, and the machine is shared.
describe("hean run refuses bad input before anything starts", { concurrency: 2 }, () => {
  for (const [name, args, named, env] of CASES) {
    test(`refused start, exit 2, no journal: ${name}`, async () => {
      const dir = join(root, name.replace(/\W+/g, "-"));
      mkdirSync(dir);
      // A later --journal= (empty) overrides this one, as the case intends.
      const r = await runToExit(["run", "--journal", join(dir, "j.db"), "--quiet", "--duration", "5", ...args], env);
      assert.equal(r.code, 2, `exit code 2 for ${args.join(" ")}; output:\n${r.output}`);
      assert.match(r.output, /hean: (CONFIG_INVALID|CLI_USAGE): /);
      for (const key of named) assert.ok(r.output.includes(key), `the message names ${key}: ${r.output}`);
      assert.equal(r.output.trim().split("\n").length, 1, `one clear line, no stack: ${r.output}`);
      assert.deepEqual(readdirSync(dir), [], "no journal (nor anything else) was created");
    });
  }
});
