import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Dec,
  type Rounding,
  ONE,
  ZERO,
  abs,
  add,
  cmp,
  dec,
  div,
  format,
  formatFixed,
  fromNumber,
  fromUnits,
  isMultipleOf,
  mul,
  mulDiv,
  mulInt,
  neg,
  roundToStep,
  sign,
  sub,
  toNumber,
  toUnits,
  tryDec,
} from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";

const throwsCode = (fn: () => unknown, code: Parameters<typeof isHeanError>[1]): void => {
  assert.throws(fn, (e: unknown) => isHeanError(e, code));
};

describe("dec / format", () => {
  test("round trips canonical decimal strings", () => {
    for (const text of ["0", "1", "-1", "0.001", "-0.001", "42.5", "123456789012345678901234567890.123456789012345678", "0.000000000000000001"]) {
      assert.equal(format(dec(text)), text);
    }
  });

  test("normalises a plus sign, trailing zeros and negative zero", () => {
    assert.equal(format(dec("+1.50")), "1.5");
    assert.equal(format(dec("007.000")), "7");
    assert.equal(format(dec("-0")), "0");
    assert.equal(format(dec("-0.000")), "0");
  });

  test("is scaled by 1e18", () => {
    assert.equal(dec("1"), 10n ** 18n);
    assert.equal(dec("0.000000000000000001"), 1n);
    assert.equal(dec("-2.5"), -25n * 10n ** 17n);
  });

  test("rejects what is not a plain decimal", () => {
    for (const bad of ["1e3", "1E-3", "NaN", "Infinity", "", " 1", "1 ", "1.", ".5", "1,5", "0x10", "--1", "+-1", "1.2.3", "١"]) {
      throwsCode(() => dec(bad), "DEC_PARSE");
      assert.equal(tryDec(bad), undefined, bad);
    }
  });

  test("rejects more than 18 decimals", () => {
    throwsCode(() => dec("0.0000000000000000001"), "DEC_PRECISION");
    assert.equal(tryDec("0.0000000000000000001"), undefined);
    // 18 decimals is the limit, not beyond it.
    assert.equal(dec("0.100000000000000000"), dec("0.1"));
  });

  test("the parse error carries the offending text", () => {
    try {
      dec("1e3");
      assert.fail("no throw");
    } catch (e) {
      assert.ok(isHeanError(e, "DEC_PARSE"));
      assert.deepEqual(e.context, { text: "1e3" });
    }
  });

  test("tryDec accepts finite numbers and plain strings, nothing else", () => {
    assert.equal(tryDec("1.25"), dec("1.25"));
    assert.equal(tryDec(1.25), dec("1.25"));
    assert.equal(tryDec(Number.NaN), undefined);
    assert.equal(tryDec(Number.POSITIVE_INFINITY), undefined);
    assert.equal(tryDec(null), undefined);
    assert.equal(tryDec(undefined), undefined);
    assert.equal(tryDec(1n), undefined);
    assert.equal(tryDec({}), undefined);
  });

  test("fromNumber rounds to 12 decimals and refuses non-finite floats", () => {
    assert.equal(fromNumber(0.1 + 0.2), dec("0.3"));
    assert.equal(fromNumber(-1.5), dec("-1.5"));
    throwsCode(() => fromNumber(Number.NaN), "DEC_NOT_FINITE");
    throwsCode(() => fromNumber(Number.NEGATIVE_INFINITY), "DEC_NOT_FINITE");
  });

  test("toNumber keeps sign and fraction", () => {
    assert.equal(toNumber(dec("-1.5")), -1.5);
    assert.equal(toNumber(dec("123456.25")), 123456.25);
    assert.equal(toNumber(ZERO), 0);
  });

  test("toNumber's memo answers as the conversion does, on repeats and past its size", () => {
    const direct = (v: bigint): number => Number(v / 10n ** 18n) + Number(v % 10n ** 18n) / 1e18;
    let seed = 7;
    const values: Dec[] = [];
    for (let i = 0; i < 10_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const v = BigInt(seed) * 10n ** BigInt(seed % 12) * (seed % 3 === 0 ? -1n : 1n);
      values.push(v as Dec);
    }
    for (let round = 0; round < 2; round++) {
      for (const v of values) assert.equal(Object.is(toNumber(v), direct(v)), true, `toNumber(${v}n)`);
    }
  });

  test("units of a step", () => {
    const tick = dec("0.1");
    assert.equal(fromUnits(12345n, tick), dec("1234.5"));
    assert.equal(toUnits(dec("1234.5"), tick), 12345n);
    assert.equal(isMultipleOf(dec("1234.5"), tick), true);
    assert.equal(isMultipleOf(dec("1234.55"), tick), false);
    assert.equal(isMultipleOf(dec("1"), ZERO), false);
  });
});

describe("arithmetic", () => {
  test("add, sub, neg, abs, sign, cmp, mulInt are exact", () => {
    assert.equal(add(dec("0.1"), dec("0.2")), dec("0.3"));
    assert.equal(sub(dec("0.1"), dec("0.3")), dec("-0.2"));
    assert.equal(neg(dec("1.5")), dec("-1.5"));
    assert.equal(abs(dec("-1.5")), dec("1.5"));
    assert.equal(sign(dec("-0.000000000000000001")), -1);
    assert.equal(sign(ZERO), 0);
    assert.equal(sign(dec("3")), 1);
    assert.equal(cmp(dec("1"), dec("2")), -1);
    assert.equal(cmp(dec("2"), dec("2")), 0);
    assert.equal(cmp(dec("3"), dec("2")), 1);
    assert.equal(mulInt(dec("0.001"), 3), dec("0.003"));
    assert.equal(mulInt(dec("0.001"), -3n), dec("-0.003"));
  });

  test("mul is exact when the product fits 18 decimals", () => {
    assert.equal(mul(dec("65000.1"), dec("0.001")), dec("65.0001"));
    assert.equal(mul(dec("-2"), dec("0.5")), dec("-1"));
  });

  // x = 1e-18 × (n + fraction): each row is n/d in units of 1e-18 and the expected result per mode.
  const roundingCases: readonly { readonly units: readonly [bigint, bigint]; readonly expect: Readonly<Record<Rounding, bigint>> }[] = [
    { units: [5n, 2n], expect: { "half-even": 2n, floor: 2n, ceil: 3n, trunc: 2n } }, // 2.5 tie → even
    { units: [7n, 2n], expect: { "half-even": 4n, floor: 3n, ceil: 4n, trunc: 3n } }, // 3.5 tie → even
    { units: [-5n, 2n], expect: { "half-even": -2n, floor: -3n, ceil: -2n, trunc: -2n } }, // -2.5 tie
    { units: [-7n, 2n], expect: { "half-even": -4n, floor: -4n, ceil: -3n, trunc: -3n } }, // -3.5 tie
    { units: [26n, 10n], expect: { "half-even": 3n, floor: 2n, ceil: 3n, trunc: 2n } }, // 2.6
    { units: [24n, 10n], expect: { "half-even": 2n, floor: 2n, ceil: 3n, trunc: 2n } }, // 2.4
    { units: [-26n, 10n], expect: { "half-even": -3n, floor: -3n, ceil: -2n, trunc: -2n } }, // -2.6
    { units: [-24n, 10n], expect: { "half-even": -2n, floor: -3n, ceil: -2n, trunc: -2n } }, // -2.4
    { units: [1n, 2n], expect: { "half-even": 0n, floor: 0n, ceil: 1n, trunc: 0n } }, // 0.5 tie → 0
    { units: [-1n, 2n], expect: { "half-even": 0n, floor: -1n, ceil: 0n, trunc: 0n } }, // -0.5 tie → 0
    { units: [6n, 2n], expect: { "half-even": 3n, floor: 3n, ceil: 3n, trunc: 3n } }, // exact
  ];
  const modes: readonly Rounding[] = ["half-even", "floor", "ceil", "trunc"];

  test("div rounds per mode, including negatives and half-even ties", () => {
    for (const { units, expect } of roundingCases) {
      // (n × 1e-18) ÷ d = (n/d) × 1e-18: the quotient lands between two representable values.
      const a = units[0] as Dec;
      const b = dec(units[1].toString());
      for (const mode of modes) assert.equal(div(a, b, mode), expect[mode], `${units[0]}/${units[1]} ${mode}`);
      // Dividing by a negative divisor flips the sign of the exact quotient.
      const flipped = div(a, neg(b), "half-even");
      assert.equal(flipped, -expect["half-even"], `${units[0]}/-${units[1]}`);
    }
  });

  test("mul rounds per mode, including negatives and half-even ties", () => {
    for (const { units, expect } of roundingCases) {
      // (n × 1e-18) × (1/d) where 1/d is exact in decimals (d ∈ {2, 10}).
      const a = units[0] as Dec;
      const inv = div(ONE, dec(units[1].toString()));
      for (const mode of modes) assert.equal(mul(a, inv, mode), expect[mode], `${units[0]}*1/${units[1]} ${mode}`);
    }
  });

  test("mulDiv rounds once per mode", () => {
    for (const { units, expect } of roundingCases) {
      const a = units[0] as Dec;
      for (const mode of modes) assert.equal(mulDiv(a, ONE, dec(units[1].toString()), mode), expect[mode]);
    }
    // One rounding, not two: 1/3 × 3 through mul∘div would give 0.999…, mulDiv gives 1.
    assert.equal(mulDiv(ONE, dec("3"), dec("3")), ONE);
    assert.equal(mul(div(ONE, dec("3")), dec("3")), dec("0.999999999999999999"));
    assert.equal(mulDiv(dec("10"), dec("1"), dec("3"), "floor"), dec("3.333333333333333333"));
    assert.equal(mulDiv(dec("10"), dec("1"), dec("3"), "ceil"), dec("3.333333333333333334"));
    assert.equal(mulDiv(dec("-10"), dec("1"), dec("3"), "floor"), dec("-3.333333333333333334"));
  });

  test("div and mulDiv by zero throw DEC_DIV_ZERO", () => {
    throwsCode(() => div(ONE, ZERO), "DEC_DIV_ZERO");
    throwsCode(() => mulDiv(ONE, ONE, ZERO), "DEC_DIV_ZERO");
  });

  test("default rounding is half-even", () => {
    assert.equal(div(5n as Dec, dec("2")), 2n);
    assert.equal(div(7n as Dec, dec("2")), 4n);
    assert.equal(mulDiv(5n as Dec, ONE, dec("2")), 2n);
  });
});

describe("roundToStep", () => {
  const tick = dec("0.5");
  test("rounds to a multiple of the step per mode", () => {
    const cases: readonly [string, Rounding, string][] = [
      ["1.25", "half-even", "1"], // tie between 1.0 and 1.5 → even count of steps (2)
      ["1.75", "half-even", "2"], // tie between 1.5 and 2.0 → 4 steps
      ["1.3", "half-even", "1.5"],
      ["1.2", "half-even", "1"],
      ["1.2", "ceil", "1.5"],
      ["1.4", "floor", "1"],
      ["1.4", "trunc", "1"],
      ["-1.4", "floor", "-1.5"],
      ["-1.4", "ceil", "-1"],
      ["-1.4", "trunc", "-1"],
      ["-1.25", "half-even", "-1"],
      ["-1.75", "half-even", "-2"],
      ["2", "floor", "2"],
    ];
    for (const [v, mode, want] of cases) assert.equal(format(roundToStep(dec(v), tick, mode)), want, `${v} ${mode}`);
  });

  test("leaves a value already on the grid as it is, in every mode and sign", () => {
    for (const k of [-7n, -1n, 0n, 1n, 3n, 10n ** 12n]) {
      for (const mode of ["half-even", "floor", "ceil", "trunc"] as const) assert.equal(roundToStep((tick * k) as Dec, tick, mode), tick * k, `${k} ${mode}`);
    }
  });

  test("refuses a step that is not positive", () => {
    throwsCode(() => roundToStep(ONE, ZERO, "floor"), "DEC_BAD_STEP");
    throwsCode(() => roundToStep(ONE, dec("-0.1"), "floor"), "DEC_BAD_STEP");
  });
});

describe("formatFixed", () => {
  test("pads and rounds half-even to the given places", () => {
    assert.equal(formatFixed(dec("1.5"), 2), "1.50");
    assert.equal(formatFixed(dec("1"), 3), "1.000");
    assert.equal(formatFixed(dec("1.005"), 2), "1.00");
    assert.equal(formatFixed(dec("1.015"), 2), "1.02");
    assert.equal(formatFixed(dec("1.0151"), 2), "1.02");
    assert.equal(formatFixed(dec("-1.015"), 2), "-1.02");
    assert.equal(formatFixed(dec("-1.5"), 2), "-1.50");
    assert.equal(formatFixed(dec("2.5"), 0), "2");
    assert.equal(formatFixed(dec("3.5"), 0), "4");
    assert.equal(formatFixed(dec("-0.001"), 2), "0.00");
    assert.equal(formatFixed(dec("0.000000000000000001"), 18), "0.000000000000000001");
  });
});
