/**
 * Fuzzing `hean run`'s flag parsing (issue 10): random argv arrays either give a run plan whose
 * configuration everything accepts, or a HeanError (CLI_USAGE or CONFIG_INVALID) naming the flag
 * or key. Never another exception. Parsing starts nothing, so a hang would be a loop in it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { parseRunArgs } from "../../src/cli/run-command.ts";
import { assignment, checkOutcome, valueText } from "../config/config-checks.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-argv-fuzz-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const VALUE_FLAGS = [
  "--venue", "--mode", "--symbols", "--strategy", "--scenario", "--seed", "--duration", "--journal", "--config", "--set", "--report",
  "--api-port", "--api-host", "--log-level", "--rest-url", "--ws-public-url", "--ws-private-url",
];
const BOOLEAN_FLAGS = ["--quiet", "--i-understand-live-trading"];

/** Values that mean something to some flag, plus edges and noise. */
const flagValue: fc.Arbitrary<string> = fc.oneof(
  valueText,
  assignment,
  fc.constantFrom(
    "sim", "bybit", "paper", "live", "BTCUSDT", "ETHUSDT,BTCUSDT", "BTCUSDT,,ETHUSDT", "impulse", "churn", "none", "calm", "flash-crash",
    "0", "1", "7", "65535", "65536", "-1", "1.5", "2147483", "2147484", "info", "silent", "loud", "http://127.0.0.1:1", "ws://127.0.0.1:1",
    join(dir, "j.db"), join(dir, "r.json"), join(dir, "missing", "r.json"), dir, join(dir, "no-such-config.json"),
  ),
);

const token: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...VALUE_FLAGS), flagValue).map(([f, v]) => [f, v]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...VALUE_FLAGS), flagValue).map(([f, v]) => [`${f}=${v}`]) },
  { weight: 1, arbitrary: fc.constantFrom(...BOOLEAN_FLAGS).map((f) => [f]) },
  { weight: 1, arbitrary: fc.constantFrom(...VALUE_FLAGS).map((f) => [f]) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("--", "-", "-x", "--bogus", "--quiet=yes")).map((t) => [t]) },
);

test("random hean run argv: a valid plan or a HeanError naming the flag or key", () => {
  const seen = { valid: 0, refused: 0 };
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), (tokens) => {
      const argv = tokens.flat();
      seen[checkOutcome(() => parseRunArgs(argv).config, ["CLI_USAGE", "CONFIG_INVALID"])]++;
    }),
    { numRuns: 500 },
  );
  assert.ok(seen.valid > 0 && seen.refused > 0, `both outcomes exercised: ${JSON.stringify(seen)}`);
});

test("what the flags say is what the plan holds", () => {
  const plan = parseRunArgs(["--api-port", "0", "--seed", "4294967295", "--duration", "1.5", "--log-level", "warn", "--quiet", "--symbols", "ethusdt"]);
  assert.equal(plan.config.api.port, 0);
  assert.equal(plan.config.seed, 4294967295);
  assert.equal(plan.durationMs, 1500);
  assert.equal(plan.logLevel, "warn");
  assert.equal(plan.quiet, true);
  assert.deepEqual(plan.config.symbols, ["ETHUSDT"]);
});
