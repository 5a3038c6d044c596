/**
 * Mutated wire input for the Bybit fuzz tests: Bybit's documented samples and the simulator's
 * own outputs, with one field dropped or replaced by something hostile (a float where Bybit
 * quotes a string, "1e400", NaN, an unknown enum value, nested garbage…), and JSON text cut
 * short or corrupted. Every run is seeded (`FUZZ`) so a failure reproduces from its seed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { HeanError } from "../../../../src/core/errors.ts";

/** One seed for every property; fast-check prints it with the counterexample path on failure. */
export const FUZZ = { seed: 20261204, numRuns: 400 } as const;

const SAMPLES = "/work/shared/fixtures/venue-samples";
export const sample = (name: string): any => JSON.parse(readFileSync(`${SAMPLES}/${name}`, "utf8"));

/** Strings that look like numbers but are not plain decimals, or are out of any sane range. */
const NUMBERISH = ["", " ", "NaN", "Infinity", "-Infinity", "1e400", "1e-7", "0x10", "1_000", "1.", ".5", "+-1", "--1", "1,5", " 1", "1 ", "١", "0.1234567890123456789", "9".repeat(400), "-0.5", "-1", "0"];
const ENUMISH = ["", "buy", "BUY", "Sideways", "None", "UNKNOWN", "Trade ", "null", "undefined", "__proto__"];

/** Something of the wrong kind for whatever field it lands in. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NUMBERISH),
  fc.constantFrom(...ENUMISH),
  fc.constantFrom(null, true, false, 0, -1, 0.1, 1e400, -1e400, Number.NaN, Number.MAX_SAFE_INTEGER + 2, 1.5, -0),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { minLength: 1, maxLength: 3 }),
  fc.anything({ maxDepth: 2 }),
);


export type Mutation = { readonly path: readonly (string | number)[]; readonly op: "drop" } | { readonly path: readonly (string | number)[]; readonly op: "set"; readonly value: unknown };

/** Every path to a leaf or a container in `value` (objects and arrays), root excluded. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      paths(v, [...prefix, i], out);
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], out);
    }
  }
  return out;
}

export function applyMutation(base: unknown, m: Mutation): unknown {
  const copy = structuredClone(base);
  let parent: any = copy;
  for (const key of m.path.slice(0, -1)) parent = parent[key];
  const last = m.path.at(-1)!;
  if (m.op === "drop") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = m.value;
  }
  return copy;
}

/** One to three mutations of `base`, at paths drawn from its own shape. */
export function mutated(base: unknown): fc.Arbitrary<{ readonly value: unknown; readonly mutations: readonly Mutation[] }> {
  const all = paths(base);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom(...all).map((path): Mutation => ({ path, op: "drop" })),
    fc.tuple(fc.constantFrom(...all), hostile).map(([path, value]): Mutation => ({ path, op: "set", value })),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    let value = base;
    for (const m of mutations) {
      try {
        value = applyMutation(value, m);
      } catch {
        // An earlier mutation removed the path: this one does nothing.
      }
    }
    return { value, mutations };
  });
}

/** JSON text broken in the ways a socket breaks it: truncated, a byte flipped, garbage appended. */
export function brokenJson(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc.tuple(fc.integer({ min: 0, max: Math.max(0, text.length - 1) }), fc.constantFrom("\u0000", "}", "{", '"', ",", "\\", "\uFFFD")).map(([i, c]) => text.slice(0, i) + c + text.slice(i + 1)),
    fc.string({ maxLength: 8 }).map((junk) => text + junk),
    fc.constantFrom("", "null", "[]", "42", '"ok"', "<html>502 Bad Gateway</html>", "{", "{}"),
  );
}

/**
 * Runs `parse` on hostile input: it returns, or it throws `VENUE_PROTOCOL`. Anything else
 * escaping (a TypeError, a RangeError, a DEC_* error) is the defect the fuzzing looks for.
 */
export function parsesOrRefuses<T>(parse: () => T): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: HeanError } {
  try {
    return { ok: true, value: parse() };
  } catch (e) {
    assert.ok(e instanceof HeanError, `a non-HeanError escaped: ${String(e)}`);
    assert.equal(e.code, "VENUE_PROTOCOL", e.message);
    assert.equal(typeof e.context.kind, "string");
    return { ok: false, error: e };
  }
}
