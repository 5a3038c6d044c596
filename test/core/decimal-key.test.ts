/**
 * `decKey` against the exact parser: the same texts have a key or not, and keys compare exactly
 * as the decimals do (the order book relies on both to key its levels by float64).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { decKey, format, tryDec } from "../../src/core/decimal.ts";

/** Digits after dropping sign, dot and leading zeros, in the canonical form. */
function significant(d: bigint): number {
  return format(d as never).replace(/^-/, "").replace(".", "").replace(/^0+/, "").length;
}

/** What decKey must say: the nearest float64 of the exact value when it has ≤ 15 significant digits. */
function expected(text: string): number {
  const d = tryDec(text);
  if (d === undefined || significant(d) > 15) return NaN;
  return Number(format(d));
}

const chars = fc.array(fc.constantFrom(..."0123456789.-+e x".split("")), { minLength: 0, maxLength: 24 }).map((cs) => cs.join(""));
/** Plain decimals of every length, with leading and trailing zeros and the odd sign. */
const decimals = fc
  .tuple(fc.constantFrom("", "", "", "-", "+"), fc.stringMatching(/^\d{1,12}$/), fc.option(fc.stringMatching(/^\d{1,19}$/)))
  .map(([sign, int, frac]) => `${sign}${int}${frac === null ? "" : `.${frac}`}`);

test("decKey keys exactly the texts tryDec accepts with at most 15 significant digits, at their nearest float64", () => {
  fc.assert(fc.property(fc.oneof(chars, decimals), (t) => assert.ok(Object.is(decKey(t), expected(t)) || (decKey(t) === 0 && expected(t) === 0), t)), { numRuns: 30_000 });
  const edges = ["0", "0.0", "-0", "+0.000", "00000000000000000000.5", "1e-8", "1E8", "", " 1", "1 ", ".5", "5.", "1..2", "abc", "-1", "+30247.20",
    "30247.20", "30247.2000000000000000", "123456789012345", "1234567890123456", "999999999999999", "0.000000000000000001", "0.0000000000000000001",
    "12345.1234567890", "12345.12345678901", "100000000000000000000", "Infinity", "NaN", "0x10"];
  for (const t of edges) assert.ok(Object.is(decKey(t), expected(t)) || (decKey(t) === 0 && expected(t) === 0), t);
  assert.equal(decKey("30247.20"), 30247.2);
  assert.equal(decKey("30247.2000000000000000"), 30247.2);
  assert.ok(Number.isNaN(decKey("1e-8")));
  assert.ok(Number.isNaN(decKey("1234567890123456")), "16 significant digits have no key");
});

test("keys compare as the decimals they stand for", () => {
  fc.assert(
    fc.property(decimals, decimals, (a, b) => {
      const ka = decKey(a);
      const kb = decKey(b);
      if (Number.isNaN(ka) || Number.isNaN(kb)) return;
      const da = tryDec(a)!;
      const db = tryDec(b)!;
      assert.equal(ka < kb, da < db, `${a} < ${b}`);
      assert.equal(ka === kb, da === db, `${a} = ${b}`);
    }),
    { numRuns: 30_000 },
  );
  // Neighbours one unit in the last of 15 significant digits, at any decimal point.
  fc.assert(
    fc.property(fc.integer({ min: 1e14, max: 1e15 - 2 }), fc.integer({ min: 0, max: 18 }), (m, places) => {
      const at = (units: number): string => {
        const digits = String(units).padStart(places + 1, "0");
        return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
      };
      const [a, b] = [at(m), at(m + 1)];
      if (Number.isNaN(decKey(a)) || Number.isNaN(decKey(b))) return;
      assert.ok(decKey(a) < decKey(b), `${a} < ${b}`);
    }),
    { numRuns: 20_000 },
  );
  // Neighbours one unit apart in the 15th significant digit stay apart and in order.
  for (const [a, b] of [["99999999999999.8", "99999999999999.9"], ["0.000000000000001", "0.000000000000002"], ["30000.0999999999", "30000.1"], ["123456789.012345", "123456789.012346"]] as const) {
    assert.ok(decKey(a) < decKey(b), `${a} < ${b}`);
  }
});
