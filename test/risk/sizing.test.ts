import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Dec, ZERO, dec, format, fromUnits, mul } from "../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../../src/core/instrument.ts";
import { validateRiskConfig } from "../../src/risk/config.ts";
import { type SizingInput, kellyScale, sizeOrder, volatilityScale } from "../../src/risk/sizing.ts";

const ETH = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "ETHUSDT")!;
const BTC = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "BTCUSDT")!;
const DEFAULT = validateRiskConfig({});

function input(over: Partial<SizingInput> = {}): SizingInput {
  return { equity: dec("300"), price: dec("3000"), stopDistance: 0.005, instrument: ETH, governorFactor: 1, ...over };
}

test("the audit's case: risk-based size 0.1 stays 0.1 with a configured max leverage of 3", () => {
  // 300 equity × 0.5 % = 1.5 at risk; stop 0.5 % of 3000 = 15 per unit → 0.1 (notional 300 = 1× equity).
  for (const maxLeverage of [1, 3]) {
    const config = validateRiskConfig({ maxLeverage });
    const r = sizeOrder(input({ maxLeverage }), config);
    assert.equal(format(r.qty), "0.1", `maxLeverage ${maxLeverage}`);
    assert.equal(format(r.notional), "300");
    assert.equal(format(r.steps.find((s) => s.step === "risk")!.qty), "0.1");
  }
  // And from the config alone (no override in the input).
  assert.equal(format(sizeOrder(input(), validateRiskConfig({ maxLeverage: 3 })).qty), "0.1");
});

test("leverage is a cap only: a wide stop under 1x is clamped to equity, under 3x to three times it", () => {
  // A tight stop asks for 1.5 / (0.001 × 3000) = 0.5 ETH = 1500 notional.
  const tight = input({ stopDistance: 0.001 });
  const big = { maxOrderNotional: 100_000, maxPositionNotional: 100_000, maxGrossExposure: 100_000 };
  assert.equal(format(sizeOrder(tight, validateRiskConfig(big)).qty), "0.1"); // 300 / 3000
  assert.equal(format(sizeOrder(tight, validateRiskConfig({ ...big, maxLeverage: 3 })).qty), "0.3"); // 900 / 3000
  assert.equal(format(sizeOrder(tight, validateRiskConfig({ ...big, maxLeverage: 10 })).qty), "0.5"); // the risk size itself
});

test("the steps are the audit trail, in order", () => {
  const r = sizeOrder(input({ realisedVolPct: 1, governorFactor: 0.5 }), validateRiskConfig({ kelly: { enabled: true } }));
  assert.deepEqual(
    r.steps.map((s) => s.step),
    ["risk", "volatility", "governor", "max-order-notional", "max-position-notional", "max-gross-exposure", "leverage", "instrument-max", "lot"],
  );
  // no confidence given → no Kelly step even when enabled
  assert.equal(format(r.steps[0]!.qty), "0.1");
  assert.equal(format(r.steps[1]!.qty), "0.05"); // target 0.5 / realised 1
  assert.equal(format(r.steps[2]!.qty), "0.025");
  assert.equal(format(r.qty), "0.02"); // floored to the 0.01 lot
});

test("volatility scale: target / realised, clamped to [0.25, 1]", () => {
  assert.equal(volatilityScale(0.5, 1), 0.5);
  assert.equal(volatilityScale(0.5, 0.25), 1);
  assert.equal(volatilityScale(0.5, 10), 0.25);
  assert.equal(volatilityScale(0.5, 0), 1);
  assert.equal(volatilityScale(0.5, Number.NaN), 0.25);
  assert.equal(volatilityScale(0.5, -1), 0.25);
});

test("Kelly scale: (2p − 1) capped, as a share of the cap", () => {
  assert.equal(kellyScale(0.5, 0.25), 0);
  assert.equal(kellyScale(0.4, 0.25), 0);
  assert.ok(Math.abs(kellyScale(0.6, 0.25) - 0.8) < 1e-12);
  assert.equal(kellyScale(0.625, 0.25), 1);
  assert.equal(kellyScale(0.99, 0.25), 1);
  assert.equal(kellyScale(Number.NaN, 0.25), 0);
  assert.equal(kellyScale(7, 0.25), 1);
});

test("Kelly applies only when enabled and a confidence is given", () => {
  const on = validateRiskConfig({ kelly: { enabled: true, cap: 0.25 } });
  assert.equal(format(sizeOrder(input({ confidence: 0.55 }), on).qty), "0.04"); // × 0.4
  assert.equal(format(sizeOrder(input({ confidence: 0.5 }), on).qty), "0");
  assert.equal(format(sizeOrder(input({ confidence: 0.55 }), DEFAULT).qty), "0.1");
});

test("soft brake halves, quarantine zeroes", () => {
  assert.equal(format(sizeOrder(input({ governorFactor: 0.5 }), DEFAULT).qty), "0.05");
  assert.equal(format(sizeOrder(input({ governorFactor: 0 }), DEFAULT).qty), "0");
  assert.equal(format(sizeOrder(input({ governorFactor: Number.NaN }), DEFAULT).qty), "0");
});

test("headroom: what is already held and working counts against the limits", () => {
  const rich = input({ equity: dec("100000"), stopDistance: 0.001, instrument: BTC, price: dec("50000") });
  // max order 1000 / 50000 = 0.02
  assert.equal(format(sizeOrder(rich, DEFAULT).qty), "0.02");
  // 1990 held of 2000 leaves 10 → 0.0002 → floors to 0 at the 0.001 lot
  assert.equal(format(sizeOrder({ ...rich, positionNotional: dec("1990") }, DEFAULT).qty), "0");
  // gross 3975 of 4000 leaves 25 → 0.0005 → 0
  assert.equal(format(sizeOrder({ ...rich, grossExposure: dec("3975") }, DEFAULT).qty), "0");
  assert.equal(format(sizeOrder({ ...rich, grossExposure: dec("3950") }, DEFAULT).qty), "0.001");
});

test("below the instrument minimum the size is 0, with a step saying so", () => {
  const r = sizeOrder(input({ equity: dec("10") }), DEFAULT); // 0.05 / 15 = 0.0033 → 0 at the 0.01 lot
  assert.equal(format(r.qty), "0");
  const notional = sizeOrder(input({ equity: dec("300"), price: dec("300"), stopDistance: 0.5 }), DEFAULT); // 1.5 / 150 = 0.01 → 3 USDT < 5
  assert.equal(format(notional.qty), "0");
  assert.equal(notional.steps.at(-1)!.step, "below-minimum");
});

test("invalid inputs size to zero without throwing", () => {
  for (const bad of [
    { equity: dec("0") },
    { equity: dec("-10") },
    { price: ZERO },
    { stopDistance: 0 },
    { stopDistance: -0.01 },
    { stopDistance: Number.NaN },
    { stopDistance: Number.POSITIVE_INFINITY },
    { stopDistance: 1e-15 },
  ] as Partial<SizingInput>[]) {
    const r = sizeOrder(input(bad), DEFAULT);
    assert.equal(r.qty, ZERO, JSON.stringify(bad, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
    assert.equal(r.steps.at(-1)!.step, "invalid-input");
  }
});

// ------------------------------------------------------------ properties

const instrumentArb: fc.Arbitrary<Instrument> = fc.constantFrom(ETH, BTC);
const decArb = (minUnits: bigint, maxUnits: bigint, step: string): fc.Arbitrary<Dec> =>
  fc.bigInt({ min: minUnits, max: maxUnits }).map((u) => fromUnits(u, dec(step)));

const sizingArb = fc.record({
  equity: decArb(1n, 10_000_000n, "0.01"), // up to 100k
  price: decArb(1n, 10_000_000n, "0.1"), // up to 1M
  stopDistance: fc.double({ min: 0.0001, max: 0.5, noNaN: true }),
  realisedVolPct: fc.option(fc.double({ min: 0, max: 20, noNaN: true }), { nil: undefined }),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  instrument: instrumentArb,
  governorFactor: fc.constantFrom(0, 0.3, 0.5, 1),
  maxLeverage: fc.constantFrom(0.5, 1, 2, 3, 10),
  positionNotional: decArb(0n, 300_000n, "0.01"),
  grossExposure: decArb(0n, 500_000n, "0.01"),
});
const configArb = fc.record({
  maxOrderNotional: fc.integer({ min: 1, max: 5000 }),
  maxPositionNotional: fc.integer({ min: 1, max: 10_000 }),
  maxGrossExposure: fc.integer({ min: 1, max: 20_000 }),
  riskPerTradePct: fc.double({ min: 0.01, max: 5, noNaN: true }),
  kelly: fc.record({ enabled: fc.boolean(), cap: fc.double({ min: 0.01, max: 1, noNaN: true }) }),
}).map((c) => validateRiskConfig(c));

test("property: never negative, never beyond any limit, on the lot, zero when the governor says 0", () => {
  fc.assert(
    fc.property(sizingArb, configArb, (i, config) => {
      const r = sizeOrder(i, config);
      const notional = mul(r.qty, i.price);
      assert.ok(r.qty >= 0n);
      assert.equal(r.notional, notional);
      assert.ok(notional <= config.maxOrderNotional);
      assert.ok(notional <= config.maxPositionNotional - i.positionNotional || r.qty === 0n);
      assert.ok(notional <= config.maxGrossExposure - i.grossExposure || r.qty === 0n);
      assert.ok(notional + i.grossExposure <= mul(i.equity, dec(String(i.maxLeverage))) || r.qty === 0n);
      assert.ok(r.qty <= i.instrument.maxQty);
      assert.equal(r.qty % i.instrument.lotSize, 0n);
      if (r.qty > 0n) assert.ok(r.qty >= i.instrument.minQty && notional >= i.instrument.minNotional);
      if (i.governorFactor === 0) assert.equal(r.qty, ZERO);
    }),
    { numRuns: 500, seed: 42 },
  );
});

test("property: monotone in equity", () => {
  fc.assert(
    fc.property(sizingArb, configArb, decArb(0n, 1_000_000n, "0.01"), (i, config, extra) => {
      const a = sizeOrder(i, config).qty;
      const b = sizeOrder({ ...i, equity: (i.equity + extra) as Dec }, config).qty;
      assert.ok(b >= a, `equity ${format(i.equity)} → ${format(a)}, +${format(extra)} → ${format(b)}`);
    }),
    { numRuns: 500, seed: 7 },
  );
});

test("property: leverage never scales a size up beyond the risk-based size", () => {
  fc.assert(
    fc.property(sizingArb, configArb, (i, config) => {
      const r = sizeOrder(i, config);
      const riskQty = r.steps.find((s) => s.step === "risk")!.qty;
      assert.ok(r.qty <= riskQty);
    }),
    { numRuns: 300, seed: 3 },
  );
});
