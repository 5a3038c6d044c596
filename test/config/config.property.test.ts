/**
 * Fuzzing the configuration (issue 10): random and mutated `--set` values and config objects
 * either validate into a configuration everything accepts, or are refused with CONFIG_INVALID
 * naming the key. Never another exception, never a polluted prototype.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { HeanError } from "../../src/core/errors.ts";
import { configToJson, DEFAULT_CONFIG, loadConfig, validateConfig } from "../../src/config/config.ts";
import { assignment, checkOutcome, configValue, KNOWN_PATHS } from "./config-checks.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-config-fuzz-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("random --set assignments validate or name the key", () => {
  const seen = { valid: 0, refused: 0 };
  fc.assert(
    fc.property(fc.array(assignment, { minLength: 1, maxLength: 4 }), (overrides) => {
      seen[checkOutcome(() => loadConfig({ overrides }))]++;
    }),
    { numRuns: 500 },
  );
  assert.ok(seen.valid > 0 && seen.refused > 0, `both outcomes exercised: ${JSON.stringify(seen)}`);
});

type Mutation = { readonly path: string; readonly op: "set" | "delete"; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_PATHS) }, { weight: 1, arbitrary: fc.constantFrom(...KNOWN_PATHS).map((p) => p.split(".").slice(0, -1).join(".") || p) }),
  op: fc.constantFrom("set", "set", "set", "delete"),
  value: configValue,
});

function mutate(base: unknown, m: Mutation): unknown {
  const root = structuredClone(base) as Record<string, unknown>;
  const keys = m.path.split(".");
  let node: Record<string, unknown> = root;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (m.op === "delete") delete node[last];
  else node[last] = m.value;
  return root;
}

test("mutated config objects, in memory and as files, validate or name the key", () => {
  const file = join(dir, "config.json");
  const plain = configToJson(DEFAULT_CONFIG);
  const seen = { valid: 0, refused: 0 };
  fc.assert(
    fc.property(fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (fromDefaults, mutations) => {
      const obj = mutations.reduce<unknown>((acc, m) => mutate(acc, m), fromDefaults ? plain : {});
      seen[checkOutcome(() => validateConfig(obj))]++;
      writeFileSync(file, JSON.stringify(obj));
      checkOutcome(() => loadConfig({ file }));
    }),
    { numRuns: 400 },
  );
  assert.ok(seen.valid > 0 && seen.refused > 0, `both outcomes exercised: ${JSON.stringify(seen)}`);
});

test("entirely random JSON as a config validates or names the key", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (obj) => {
      checkOutcome(() => validateConfig(obj));
    }),
    { numRuns: 300 },
  );
});

test("a whole section replaced by null or a non-object, by --set or in a file, is refused naming the section", () => {
  const file = join(dir, "null-section.json");
  // Every section of the configuration (a key whose default is a group of settings), each way.
  const sections = Object.entries(configToJson(DEFAULT_CONFIG) as Record<string, unknown>).filter(([, v]) => typeof v === "object" && v !== null && !Array.isArray(v)).map(([k]) => k);
  assert.ok(sections.includes("risk") && sections.includes("execution"), sections.join(", "));
  for (const key of sections) {
    for (const value of ["null", "5", '"x"', "[]", "true"]) {
      assert.throws(() => loadConfig({ overrides: [`${key}=${value}`] }), (e: unknown) => e instanceof HeanError && e.code === "CONFIG_INVALID" && e.context.path === key, `--set ${key}=${value}`);
      writeFileSync(file, `{"${key}": ${value}}`);
      assert.throws(() => loadConfig({ file }), (e: unknown) => e instanceof HeanError && e.code === "CONFIG_INVALID" && e.context.path === key, `{"${key}": ${value}} in a file`);
    }
  }
});
