import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, ONE, ZERO, add, dec, div, format, mul, mulDiv, sub } from "../../src/core/decimal.ts";

/** Canonical decimal strings: what `format` produces (no leading zeros, no trailing fraction zeros, no "-0"). */
const canonicalDecimal = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }))
  .map(([negative, int, frac]) => {
    let text = int.toString();
    if (frac !== 0n) text += "." + frac.toString().padStart(18, "0").replace(/0+$/, "");
    return negative && text !== "0" ? "-" + text : text;
  });

const anyDec = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => n as Dec);

test("format ∘ dec is the identity on canonical decimal strings", () => {
  fc.assert(fc.property(canonicalDecimal, (text) => format(dec(text)) === text), { numRuns: 2000 });
});

test("dec ∘ format is the identity on every Dec", () => {
  fc.assert(fc.property(anyDec, (d) => dec(format(d)) === d), { numRuns: 2000 });
});

test("a + b − b = a", () => {
  fc.assert(fc.property(anyDec, anyDec, (a, b) => sub(add(a, b), b) === a));
});

test("multiplying by ONE and dividing by ONE are identities", () => {
  fc.assert(
    fc.property(anyDec, (a) => {
      assert.equal(mul(a, ONE), a);
      assert.equal(mul(ONE, a), a);
      assert.equal(div(a, ONE), a);
      assert.equal(mulDiv(a, ONE, ONE), a);
      assert.equal(mul(a, ZERO), ZERO);
    }),
  );
});

test("floor ≤ exact ≤ ceil and half-even is within half a unit", () => {
  const nonZero = anyDec.filter((b) => b !== 0n);
  fc.assert(
    fc.property(anyDec, nonZero, (a, b) => {
      const lo = div(a, b, "floor");
      const hi = div(a, b, "ceil");
      const he = div(a, b, "half-even");
      // exact quotient q = a/b; check with integer cross-multiplication (sign of b matters).
      const s = b > 0n ? 1n : -1n;
      assert.ok(lo * b * s <= a * 10n ** 18n * s);
      assert.ok(hi * b * s >= a * 10n ** 18n * s);
      assert.ok(hi - lo <= 1n);
      assert.ok(he === lo || he === hi);
      const twiceErr = (he * b - a * 10n ** 18n) * 2n;
      assert.ok((twiceErr < 0n ? -twiceErr : twiceErr) <= (b < 0n ? -b : b));
    }),
  );
});
