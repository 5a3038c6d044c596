import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { isHeanError, type ErrorCode } from "../../src/core/errors.ts";
import { parseRunArgs } from "../../src/cli/run-command.ts";

const set = (strategies: unknown, ...more: string[]) => loadConfig({ overrides: [`strategies=${JSON.stringify(strategies)}`, ...more] });

function refused(fn: () => unknown, code: ErrorCode, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeanError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test("strategies: each entry checked; the run's symbols come from them unless given", () => {
  const c = set([
    { name: "impulse", symbol: "btcusdt", capitalShare: 0.5, maxHoldMs: 60_000, params: { entryZ: 2 } },
    { file: "./x.ts", id: "mine", symbol: "ETHUSDT", capitalShare: 0.3, horizonUtc: "21:30", params: { anything: "checked at load" } },
  ]);
  assert.deepEqual(c.symbols, ["BTCUSDT", "ETHUSDT"]);
  assert.deepEqual(c.strategies, [
    { id: undefined, source: { kind: "builtin", name: "impulse" }, symbol: "BTCUSDT", params: { entryZ: 2 }, capitalShare: 0.5, maxHoldMs: 60_000, horizonUtc: undefined },
    { id: "mine", source: { kind: "file", path: "./x.ts" }, symbol: "ETHUSDT", params: { anything: "checked at load" }, capitalShare: 0.3, maxHoldMs: undefined, horizonUtc: "21:30" },
  ]);
  // Shares that add up to 1 in floats are 1.
  assert.equal(set([0.1 + 0.2, 0.7].map((capitalShare, i) => ({ name: "churn", symbol: ["BTCUSDT", "ETHUSDT"][i], capitalShare }))).strategies.length, 2);
  assert.deepEqual(loadConfig({}).strategies, [], "none written: the single strategy runs");
});

test("strategies: capital shares out of range or above 1 in total are STRATEGY_CAPITAL_SHARE", () => {
  refused(() => set([{ name: "churn", symbol: "BTCUSDT", capitalShare: 0.6 }, { name: "churn", symbol: "ETHUSDT", capitalShare: 0.5 }]), "STRATEGY_CAPITAL_SHARE", /add up to 1\.1: together they may use at most all of the capital/);
  refused(() => set([{ name: "churn", symbol: "BTCUSDT", capitalShare: 0 }]), "STRATEGY_CAPITAL_SHARE", /strategies\[0\]\.capitalShare must be a fraction of equity in \(0, 1\], got 0/);
  refused(() => set([{ name: "churn", symbol: "BTCUSDT" }]), "STRATEGY_CAPITAL_SHARE", /strategies\[0\]\.capitalShare is required: the fraction of equity it sizes against, in \(0, 1\]$/);
  refused(() => set([{ name: "churn", symbol: "BTCUSDT", capitalShare: "0.5" }]), "STRATEGY_CAPITAL_SHARE", /got "0\.5"/);
});

test("strategies: what is wrong is named by its path", () => {
  const one = (entry: object) => () => set([{ symbol: "BTCUSDT", capitalShare: 0.5, ...entry }]);
  refused(one({}), "CONFIG_INVALID", /strategies\[0\] needs a name .* or a file/);
  refused(one({ name: "churn", file: "a.ts" }), "CONFIG_INVALID", /names both a built-in \(name\) and a file/);
  refused(one({ name: "nope" }), "CONFIG_INVALID", /strategies\[0\]\.name must be one of impulse, churn, none/);
  refused(one({ name: "churn", params: { holdMs: -1 } }), "CONFIG_INVALID", /strategies\[0\]\.params\.holdMs must be/);
  refused(one({ name: "churn", symbol: "DOGEUSDT" }), "CONFIG_INVALID", /config strategies\[0\]\.symbol must be a symbol sim lists \(known: BTCUSDT, ETHUSDT\), got "DOGEUSDT"/);
  refused(() => loadConfig({ overrides: ['strategies=[{"name":"churn","symbol":"ETHUSDT","capitalShare":0.5}]', "symbols=BTCUSDT"] }), "CONFIG_INVALID", /strategies\[0\]\.symbol must be one of the run's symbols \(BTCUSDT\)/);
  refused(one({ name: "churn", maxHoldMs: 0 }), "CONFIG_INVALID", /strategies\[0\]\.maxHoldMs/);
  refused(one({ name: "churn", horizonUtc: "25:00" }), "CONFIG_INVALID", /strategies\[0\]\.horizonUtc must be "HH:MM"/);
  refused(one({ name: "churn", id: "has space" }), "CONFIG_INVALID", /strategies\[0\]\.id/);
  refused(one({ name: "churn", colour: "red" }), "CONFIG_INVALID", /unknown config key "strategies\[0\]\.colour"/);
  refused(() => set([{ name: "churn", symbol: "BTCUSDT", capitalShare: 0.3 }, { name: "impulse", symbol: "BTCUSDT", capitalShare: 0.3 }]), "CONFIG_INVALID", /one strategy per symbol/);
  refused(() => set({}), "CONFIG_INVALID", /strategies must be a non-empty list/);
  refused(() => set([{ name: "churn", symbol: "BTCUSDT", capitalShare: 0.5 }], "strategy.name=churn"), "CONFIG_INVALID", /strategy .* and strategies both given/);
});

test("--strategy-file sets strategy.file; with --strategy it is refused", () => {
  const plan = parseRunArgs(["--strategy-file", "examples/strategies/mean-reversion.ts", "--set", "strategy.params.window=30"]);
  assert.equal(plan.config.strategy.file, "examples/strategies/mean-reversion.ts");
  assert.equal(plan.config.strategy.name, "mean-reversion");
  assert.deepEqual(plan.config.strategy.params, { window: 30 });
  refused(() => parseRunArgs(["--strategy", "churn", "--strategy-file", "x.ts"]), "CONFIG_INVALID", /choose one/);
  refused(() => parseRunArgs(["--strategy-file", ""]), "CLI_USAGE", /strategy-file/);
});

test("risk.lossStepDown and risk.realisedVolatility are checked", () => {
  assert.deepEqual(loadConfig({ overrides: ['risk.lossStepDown={"after":2,"factor":0.5,"floor":0.25}'] }).risk.lossStepDown, { after: 2, factor: 0.5, floor: 0.25 });
  assert.equal(loadConfig({}).risk.lossStepDown, undefined, "off unless configured");
  refused(() => loadConfig({ overrides: ['risk.lossStepDown={"after":2,"factor":0.5}'] }), "CONFIG_INVALID", /risk\.lossStepDown\.floor is required/);
  refused(() => loadConfig({ overrides: ['risk.lossStepDown={"after":0,"factor":0.5,"floor":0.25}'] }), "CONFIG_INVALID", /risk\.lossStepDown\.after must be an integer ≥ 1/);
  refused(() => loadConfig({ overrides: ['risk.lossStepDown={"after":1,"factor":1.5,"floor":0.25}'] }), "CONFIG_INVALID", /risk\.lossStepDown\.factor must be in \(0, 1\]/);
  refused(() => loadConfig({ overrides: ["risk.realisedVolatility.samples=1"] }), "CONFIG_INVALID", /risk\.realisedVolatility\.samples must be an integer ≥ 2/);
  assert.equal(loadConfig({ overrides: ["risk.realisedVolatility.sampleMs=250"] }).risk.realisedVolatility.sampleMs, 250);
});

test("random strategies lists validate or name the entry and key (property)", async () => {
  const fc = (await import("fast-check")).default;
  const { checkOutcome } = await import("./config-checks.ts");
  const { validateConfig } = await import("../../src/config/config.ts");
  const entry = fc.record(
    {
      name: fc.oneof(fc.constantFrom("impulse", "churn", "none", "nope"), fc.jsonValue({ maxDepth: 1 })),
      file: fc.oneof(fc.constantFrom("./a.ts", "", "b.js"), fc.jsonValue({ maxDepth: 1 })),
      id: fc.oneof(fc.constantFrom("a", "b", "bad id"), fc.jsonValue({ maxDepth: 1 })),
      symbol: fc.oneof(fc.constantFrom("BTCUSDT", "ethusdt", " ETHUSDT ", "DOGEUSDT", ""), fc.jsonValue({ maxDepth: 1 })),
      params: fc.oneof(fc.constant({}), fc.jsonValue({ maxDepth: 2 })),
      capitalShare: fc.oneof(fc.double(), fc.constantFrom(0.25, 0.5, 1), fc.jsonValue({ maxDepth: 1 })),
      maxHoldMs: fc.oneof(fc.integer({ min: -10, max: 10_000_000 }), fc.jsonValue({ maxDepth: 1 })),
      horizonUtc: fc.oneof(fc.constantFrom("21:00", "24:00"), fc.jsonValue({ maxDepth: 1 })),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const seen = { valid: 0, refused: 0 };
  fc.assert(
    fc.property(fc.oneof(fc.array(entry, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })), fc.boolean(), (strategies, withSymbols) => {
      seen[checkOutcome(() => validateConfig({ strategies, ...(withSymbols ? { symbols: ["BTCUSDT", "ETHUSDT"] } : {}) }))]++;
    }),
    { numRuns: 1_000 },
  );
  assert.ok(seen.valid > 0 && seen.refused > 0, JSON.stringify(seen));
});
