/** The fast path of `dec`/`tryDec` accepts exactly what the general path accepts, with the same value. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { tryDec } from "../../src/core/decimal.ts";

const PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;
function reference(text: string): bigint | undefined {
  const m = PATTERN.exec(text);
  if (m === null) return undefined;
  const [, sign, int, frac = ""] = m;
  if (frac.length > 18) return undefined;
  const units = BigInt(int!) * 10n ** 18n + (frac.length === 0 ? 0n : BigInt(frac.padEnd(18, "0")));
  return sign === "-" ? -units : units;
}

test("fast decimal parse agrees with the general path on short digit/dot/sign strings", () => {
  const text = fc.array(fc.constantFrom(..."0123456789.-+e ".split("")), { minLength: 0, maxLength: 18 }).map((cs) => cs.join(""));
  fc.assert(fc.property(text, (t) => assert.equal(tryDec(t), reference(t))), { numRuns: 20_000 });
  for (const t of ["30247.20", "0.224", "007.50", "123456789012345", "1234567890123456", "0.000000000000001", ".5", "5.", "1..2", ""]) {
    assert.equal(tryDec(t), reference(t), t);
  }
});
