/**
 * What a strategy may ask of sizing (capital share, a fraction of its allowance) and what risk
 * adds (volatility target, loss step-down): each only ever shrinks the size, never past a limit.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ZERO, dec, format, fromNumber, mul } from "../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS } from "../../src/core/instrument.ts";
import { highestLegPrice } from "../../src/execution/router/pricing.ts";
import { validateRiskConfig } from "../../src/risk/config.ts";
import { lossStepDownFactor, losingStreak } from "../../src/risk/loss-step-down.ts";
import { RealisedVol, realisedVolPct } from "../../src/risk/realised-vol.ts";
import { type SizingInput, sizeOrder } from "../../src/risk/sizing.ts";
import { entryUrgency, exitUrgency } from "../../src/runtime/strategy-slot.ts";
import { signalProblem } from "../../src/strategies/signal-check.ts";

const ETH = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "ETHUSDT")!;
const BIG = validateRiskConfig({ maxOrderNotional: 1_000_000, maxPositionNotional: 1_000_000, maxGrossExposure: 1_000_000, maxLeverage: 10 });
const input = (over: Partial<SizingInput> = {}): SizingInput => ({ equity: dec("10000"), price: dec("2000"), stopDistance: 0.01, instrument: ETH, governorFactor: 1, ...over });

test("a capital share sizes against that share of equity and caps the strategy's own exposure", () => {
  // 10000 × 0.5 % = 50 at risk / (0.01 × 2000) = 2.5 ETH; with a 0.2 share: 10 at risk → 0.5 ETH.
  assert.equal(format(sizeOrder(input(), BIG).qty), "2.5");
  const r = sizeOrder(input({ capitalShare: 0.2 }), BIG);
  assert.equal(format(r.qty), "0.5");
  assert.match(r.steps[0]!.note, /0\.5% of 2000 = equity 10000 × share 0\.2/);
  // Its allowance: 2000 × leverage 10 = 20000, less the 19500 it already holds → 500 / 2000 = 0.25.
  const held = sizeOrder(input({ capitalShare: 0.2, strategyExposure: dec("19500") }), BIG);
  assert.equal(format(held.qty), "0.25");
  assert.equal(held.steps.find((s) => s.step === "strategy-allowance")!.qty, held.qty);
  assert.equal(sizeOrder(input({ capitalShare: 1.5 }), BIG).qty, ZERO, "a share beyond 1 sizes nothing");
});

test("sizeFraction and the loss step-down scale the size down, never up", () => {
  assert.equal(format(sizeOrder(input({ sizeFraction: 0.5 }), BIG).qty), "1.25");
  assert.equal(format(sizeOrder(input({ sizeFraction: 7 }), BIG).qty), "2.5", "a fraction above 1 is clamped to 1");
  assert.equal(sizeOrder(input({ sizeFraction: Number.NaN }), BIG).qty, ZERO);
  const stepped = sizeOrder(input({ lossStepDown: { factor: 0.25, streak: 4 } }), BIG);
  assert.equal(format(stepped.qty), "0.62", "2.5 × 0.25 floored to the 0.01 lot");
  assert.match(stepped.steps.find((s) => s.step === "loss-step-down")!.note, /× 0\.25 \(4 losing trades in a row\)/);
});

test("whatever a strategy asks, the size never passes a limit (property)", () => {
  const config = validateRiskConfig({});
  fc.assert(
    fc.property(
      fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
      fc.double({ min: 0, max: 5, noNaN: true }),
      fc.double({ min: 0.01, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 3, noNaN: true }),
      fc.integer({ min: 0, max: 5_000 }),
      (stopDistance, sizeFraction, capitalShare, lossFactor, held) => {
        const r = sizeOrder(input({ stopDistance, sizeFraction, capitalShare, lossStepDown: { factor: lossFactor, streak: 3 }, strategyExposure: dec(String(held)), grossExposure: dec(String(held)) }), config);
        const plain = sizeOrder(input({ stopDistance, capitalShare, strategyExposure: dec(String(held)), grossExposure: dec(String(held)) }), config);
        assert.ok(r.qty >= 0n && r.qty <= plain.qty, "asking never sizes up");
        assert.ok(r.notional <= config.maxOrderNotional);
        assert.ok(r.notional <= mul(dec("10000"), fromNumber(capitalShare)), "within its share of equity × leverage 1");
      },
    ),
    { numRuns: 300 },
  );
});

test("realised volatility: the sample stdev of grid returns, scaled to the horizon; undefined until warm", () => {
  const v = new RealisedVol({ sampleMs: 1_000, samples: 4, horizonMs: 4_000 });
  const mids = [100, 101, 100, 102, 101];
  // Several updates per slot: the last one of each slot is its sample.
  mids.forEach((m, i) => {
    v.update(i * 1_000 + 10, 1);
    v.update(i * 1_000 + 900, m);
  });
  assert.equal(v.pct(), undefined, "the fifth slot is still open: three returns");
  v.update(5_000, 101);
  const returns = mids.slice(1).map((m, i) => Math.log(m / mids[i]!));
  assert.ok(Math.abs(v.pct()! - realisedVolPct(returns, 1_000, 4_000)!) < 1e-12);
  assert.ok(Math.abs(realisedVolPct([0.01, -0.01], 1_000, 4_000)! - Math.sqrt(2e-4) * 2 * 100) < 1e-12);
  // Fed touches (every book), the mid of each slot's last one is its sample.
  const t = new RealisedVol({ sampleMs: 1_000, samples: 4, horizonMs: 4_000 });
  const touch = (mid: number) => ({ bid: dec(String(mid - 0.5)), ask: dec(String(mid + 0.5)) });
  mids.forEach((m, i) => {
    t.updateTouch(i * 1_000 + 10, touch(1));
    t.updateTouch(i * 1_000 + 900, touch(m));
  });
  t.updateTouch(5_000, touch(101));
  t.updateTouch(4_000, touch(1));
  assert.equal(t.pct(), v.pct());
  // A gap of k slots is one return over k slots: a quiet spell neither hides nor invents a move.
  const g = new RealisedVol({ sampleMs: 1_000, samples: 2, horizonMs: 1_000 });
  for (const [ts, m] of [[0, 100], [1_000, 101], [5_000, 103], [6_000, 103]] as const) g.update(ts, m);
  const expected = realisedVolPct([Math.log(1.01), Math.log(103 / 101) / 2], 1_000, 1_000)!;
  assert.ok(Math.abs(g.pct()! - expected) < 1e-12);
  // Bad prices and time going back are ignored.
  g.update(7_000, Number.NaN);
  g.update(7_000, -1);
  g.update(100, 50);
  assert.equal(g.count, 2);
});

test("loss step-down: after N losses × factor per further loss, down to the floor; a non-loss ends the streak", () => {
  const c = { after: 3, factor: 0.5, floor: 0.2 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((n) => lossStepDownFactor(n, c)), [1, 1, 1, 0.5, 0.25, 0.2, 0.2]);
  assert.equal(lossStepDownFactor(10, undefined), 1);
  const t = (strategyId: string, netPnl: bigint) => ({ strategyId, netPnl });
  assert.equal(losingStreak([t("a", -1n), t("a", 0n), t("a", -2n), t("b", 5n), t("a", -3n)], "a"), 2, "b's win does not end a's streak; a's breakeven does");
  assert.equal(losingStreak([], "a"), 0);
});

test("urgency: risk tones a strategy's wish down, never up", () => {
  assert.equal(entryUrgency(undefined, "normal", "NORMAL"), "normal");
  assert.equal(entryUrgency("passive", "immediate", "NORMAL"), "passive");
  assert.equal(entryUrgency("aggressive", "normal", "NORMAL"), "immediate");
  assert.equal(entryUrgency("aggressive", "passive", "SOFT_BRAKE"), "passive", "no crossing to add exposure under a brake");
  assert.equal(exitUrgency("aggressive", "normal"), "immediate");
  assert.equal(exitUrgency(undefined, "normal"), "normal");
});

test("the signal contract names what is wrong", () => {
  const ok = { type: "signal", ts: 1, strategyId: "s", symbol: "BTCUSDT", action: "open", side: "buy", confidence: 0.5, stopDistance: 0.01, reason: "" } as const;
  const only = new Set(["BTCUSDT"]);
  assert.equal(signalProblem(ok, only), undefined);
  assert.match(signalProblem({ ...ok, symbol: "ETHUSDT" }, only)!, /not one of the strategy's symbols/);
  assert.match(signalProblem({ ...ok, side: "long" as never }, only)!, /signal\.side/);
  assert.match(signalProblem({ ...ok, confidence: 2 }, only)!, /signal\.confidence/);
  assert.match(signalProblem({ ...ok, sizeFraction: 0 }, only)!, /signal\.sizeFraction must be a number in \(0, 1\], got 0/);
  assert.match(signalProblem({ ...ok, urgency: "now" as never }, only)!, /signal\.urgency/);
  assert.match(signalProblem({ ...ok, action: "hold" as never }, only)!, /signal\.action/);
  assert.equal(signalProblem({ ...ok, action: "close", stopDistance: Number.NaN }, only), undefined, "a close needs no stop");
});

test("the notional limits hold at the highest limit a leg may carry: an entry sized at the cap is not refused for its taker leg", () => {
  const config = validateRiskConfig({});
  const touch = { bid: dec("1999.99"), ask: dec("2000") };
  // 1000 / mid 1999.995 = 0.5000… → 0.5 ETH, 1001.50 at the buy's taker limit 2003.00: the
  // pre-trade check measures at the limit and refuses it. Sized at that limit: 0.49.
  const atMid = sizeOrder(input({ price: dec("1999.995"), stopDistance: 0.001 }), config);
  assert.equal(format(atMid.qty), "0.5");
  const limit = highestLegPrice("buy", "immediate", touch, 15, ETH);
  assert.equal(format(limit), "2003");
  const sized = sizeOrder(input({ price: dec("1999.995"), notionalPrice: limit, stopDistance: 0.001 }), config);
  assert.equal(format(sized.qty), "0.49");
  assert.match(sized.steps.find((s) => s.step === "max-order-notional")!.note, /notional ≤ 1000 at 2003 \(max order notional\)/);
  assert.ok(mul(sized.qty, limit) <= config.maxOrderNotional);
  // A passive buy never takes, and a sell rests at the ask at most: the ask bounds both.
  assert.equal(format(highestLegPrice("buy", "passive", touch, 15, ETH)), "2000");
  assert.equal(format(highestLegPrice("sell", "immediate", touch, 15, ETH)), "2000");
  assert.equal(sizeOrder(input({ notionalPrice: ZERO }), config).qty, ZERO, "a non-positive notional price sizes nothing");
});
