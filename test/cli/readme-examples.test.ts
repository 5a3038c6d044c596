/**
 * Issue 16: every command the README shows in a code block ends by itself. Each is run, in order
 * (the replay example reads the journal the first run wrote), in a scratch directory against the
 * built-in simulator, with `--duration` shortened. Commands that need the network, live keys or
 * take the length of the test suite itself are skipped with the reason shown in the test output.
 * A command that does not end is killed by a guard and fails the test with its output.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { HEAN, ROOT } from "./cli-helpers.ts";
import { fleetBlock } from "./readme-fleet-block.ts";

/** A hang shows up as this failure, never as a stuck run. */
const HANG_GUARD_MS = 240_000;

/** The shell commands of the README's ```sh blocks, comments and `npm install &&` stripped. */
export function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split("\n")) {
      const line = raw.replace(/\s+#.*$/, "").trim();
      if (line === "" || line.startsWith("#")) continue;
      out.push(line.replace(/^npm install && /, ""));
    }
  }
  return out;
}

const FLEET_BLOCK: ReadonlySet<string> = new Set(fleetBlock(readFileSync(join(ROOT, "README.md"), "utf8")).map((l) => l.text));

type Plan = { readonly kind: "run"; readonly args: string[] } | { readonly kind: "skip"; readonly reason: string };

/** How to run one README command here, or why not. */
export function planFor(command: string): Plan {
  if (command === "npm test") return { kind: "skip", reason: "the test suite itself" };
  if (FLEET_BLOCK.has(command)) return { kind: "skip", reason: "the fleet block: test/cli/readme-fleet.test.ts runs it as written on a redis-server of its own" };
  if (command.startsWith("npm run chaos")) return { kind: "skip", reason: "the soak runs its own schedules for minutes (scripts/chaos.ts has its own tests)" };
  let words: string[];
  if (command.startsWith("npx hean ")) words = command.slice("npx hean ".length).split(/\s+/);
  else if (command.startsWith("npm start")) words = ["run", ...command.replace(/^npm start( --)?/, "").trim().split(/\s+/).filter((w) => w !== "")];
  else return { kind: "skip", reason: `not a hean command: ${command}` };
  if (words[0] === "data") return { kind: "skip", reason: "downloads from the venue's public data site (no internet in tests)" };
  if (words.includes("live") || words.includes("--testnet")) return { kind: "skip", reason: "needs live keys and the venue" };
  if (words[0] === "backtest" && words[words.indexOf("--data") + 1]?.startsWith("data/")) {
    return { kind: "skip", reason: "replays the files the (skipped) data download fetches; test/research/backtest-cli.test.ts runs the same command on local files" };
  }
  if (words[0] === "run") {
    const d = words.indexOf("--duration");
    if (d === -1) throw new Error(`README example does not end by itself (no --duration): ${command}`);
    // Long enough to trade; the flash-crash example ends at its hard stop before that.
    words[d + 1] = String(Math.min(Number(words[d + 1]), words.includes("--exit-on-halt") ? 300 : 4));
    words.push("--quiet");
  }
  return { kind: "run", args: words };
}

describe("README examples", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const commands = readmeCommands(readme);
  const cwd = mkdtempSync(join(tmpdir(), "hean-readme-"));
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test("the README has examples to run", () => {
    assert.ok(commands.some((c) => c.startsWith("npx hean run")), JSON.stringify(commands));
  });

  for (const command of commands) {
    const plan = planFor(command);
    if (plan.kind === "skip") {
      test(command, { skip: plan.reason }, () => undefined);
      continue;
    }
    test(command, () => {
      const r = spawnSync(process.execPath, [HEAN, ...plan.args], { cwd, encoding: "utf8", timeout: HANG_GUARD_MS, killSignal: "SIGKILL" });
      assert.notEqual(r.signal, "SIGKILL", `did not end by itself:\n${r.stdout}\n${r.stderr}`);
      // 3: --exit-on-halt after the halt the example asks for.
      const expected = plan.args.includes("--exit-on-halt") ? 3 : 0;
      assert.equal(r.status, expected, `${command}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    });
  }
});
