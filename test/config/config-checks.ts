/**
 * What every outcome of configuration parsing must look like, shared by the property tests of
 * `--set`, config files and `hean run` argv: either a configuration that everything started
 * later accepts too, or a HeanError naming the key (or flag) — never another exception.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { SimClock } from "../../src/core/clock.ts";
import { HeanError, type ErrorCode } from "../../src/core/errors.ts";
import { configToJson, DEFAULT_CONFIG, type HeanConfig } from "../../src/config/config.ts";
import { CHURN_SCHEMA } from "../../src/strategies/churn.ts";
import { IMPULSE_SCHEMA } from "../../src/strategies/impulse.ts";
import { createStrategy } from "../../src/strategies/registry.ts";
import { SimVenue } from "../../src/venues/sim/sim-venue.ts";

/** Every settable leaf path of the default configuration, plus the open-ended and optional ones. */
export const KNOWN_PATHS: readonly string[] = (() => {
  const out: string[] = [];
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, prefix === "" ? k : `${prefix}.${k}`);
    } else out.push(prefix);
  };
  walk(configToJson(DEFAULT_CONFIG), "");
  for (const k of [...Object.keys(IMPULSE_SCHEMA), ...Object.keys(CHURN_SCHEMA)]) out.push(`strategy.params.${k}`);
  out.push("risk.stopLossPct", "risk.takeProfitPct", "risk.horizonUtc.impulse", "risk.drawdownReference.protectedProfitPct");
  return out;
})();

const segment = fc.string({ minLength: 0, maxLength: 8 });

export const configKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_PATHS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_PATHS), segment).map(([p, s]) => `${p}.${s}`) },
  { weight: 1, arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join(".")) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__.polluted", "constructor.prototype.polluted", "risk.__proto__", "strategy.params.__proto__", ".", "a..b") },
);

/** Text as it arrives after `--set key=`: JSON, near-JSON, numbers at the edges, words. */
export const valueText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 12 }),
  fc.double().map(String),
  fc.integer({ min: -1_000_000, max: 100_000_000 }).map(String),
  fc.constantFrom(
    "1e999", "-1e999", "-0", "NaN", "Infinity", "-1", "0", "0.5", "1e-320", "99999999999999999999", "0x10", "", " ", "null", "true",
    "false", "[]", "{}", '"long"', '"sideways"', '"alternate"', "impulse", "churn", "none", "foo", "BTCUSDT,BTCUSDT", "65536", "2147483648",
    '{"kind":"high-water-mark","protectedProfitPct":50}', '{"impulse":"25:00"}', "1000000",
  ),
);

export const assignment: fc.Arbitrary<string> = fc.tuple(configKey, valueText).map(([k, v]) => `${k}=${v}`);

/** A JSON value to put somewhere in a config object. */
export const configValue: fc.Arbitrary<unknown> = fc.oneof(
  valueText.map((t) => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/**
 * Run one parse. A HeanError must carry one of `codes` and name what was wrong: the config key
 * (context.path), the `--set` text, the file, or the flag. An accepted configuration must be one
 * the strategy and the simulated market accept too: nothing that starts later may refuse it.
 */
export function checkOutcome(parse: () => HeanConfig, codes: readonly ErrorCode[] = ["CONFIG_INVALID"]): "valid" | "refused" {
  // Capital shares of `strategies[]` have their own code (whatever else the caller expects).
  codes = [...codes, "STRATEGY_CAPITAL_SHARE"];
  let config: HeanConfig;
  try {
    config = parse();
  } catch (e) {
    if (!(e instanceof HeanError)) assert.fail(`not a HeanError: ${e instanceof Error ? e.stack : String(e)}`);
    assert.ok(codes.includes(e.code), `code ${e.code} not in ${codes.join(", ")}: ${e.message}`);
    const named = e.context.path ?? e.context.assignment ?? e.context.file ?? e.context.flag;
    if (e.code === "CLI_USAGE" && named === undefined) {
      // node's own parseArgs messages: they name the option or the stray argument.
      assert.match(e.message, /--|argument|option/i, e.message);
    } else {
      assert.equal(typeof named, "string", `the error names a key: ${e.message} ${JSON.stringify(e.context)}`);
      const key = named as string;
      // Keys with quotes or control characters are named in their JSON-quoted form.
      assert.ok(e.message.includes(key) || e.message.includes(JSON.stringify(key)), `message ${JSON.stringify(e.message)} names ${key}`);
    }
    return "refused";
  } finally {
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_KEYS, "Object.prototype untouched");
  }
  const port = config.api.port;
  assert.ok(port === null || (Number.isInteger(port) && port >= 0 && port <= 65_535), `a TCP port: ${port}`);
  // A strategy file's parameters are checked when it loads (not here: it is not imported by a config check).
  if (config.strategy.file === undefined) createStrategy(config.strategy.name, config.strategy.params);
  for (const [i, spec] of config.strategies.entries()) {
    if (spec.source.kind === "builtin") createStrategy(spec.source.name, spec.params, undefined, `strategies[${i}].params`);
  }
  new SimVenue({
    clock: new SimClock(0),
    seed: config.seed,
    scenario: config.scenario,
    symbols: config.symbols,
    latency: { ackMs: config.sim.latencyMs, marketDataMs: config.sim.latencyMs, jitterMs: config.sim.jitterMs },
    startingBalance: config.initialCash,
    updatesPerSecond: config.sim.updatesPerSecond,
  });
  return "valid";
}
