import assert from "node:assert/strict";
import { test } from "node:test";
import { MakerFillRate, type TtlInputs, adaptiveTtl } from "../../src/execution/router/ttl-model.ts";

const BOUNDS = { baseMs: 1_500, minMs: 250, maxMs: 8_000 };
const WIDE = { baseMs: 1_500, minMs: 1, maxMs: 1_000_000 };
const INPUTS: TtlInputs = { spreadBps: 1, feeEdgeBps: 3, volBpsPerSqrtS: 1, makerFillRate: 0.5, ownDepthShare: 0.5 };
const ttl = (over: Partial<TtlInputs>, bounds = WIDE): number => adaptiveTtl({ ...INPUTS, ...over }, bounds).ttlMs;

test("the core TTL is where one σ of drift eats half of what resting saves", () => {
  // edge 4 bps, σ 1 bps/√s: (0.5 × 4 / 1)² = 4 s, times neutral fill and depth factors.
  assert.equal(ttl({}), 4_000);
  assert.equal(ttl({ volBpsPerSqrtS: 2 }), 1_000);
});

test("each input moves the TTL the way the model says", () => {
  const base = ttl({});
  assert.ok(ttl({ spreadBps: 5 }) > base, "a wider spread is worth waiting for");
  assert.ok(ttl({ volBpsPerSqrtS: 3 }) < base, "a faster market waits less");
  assert.ok(ttl({ makerFillRate: 0.9 }) > base, "legs that fill earn more time");
  assert.ok(ttl({ makerFillRate: 0.1 }) < base, "legs that rarely fill reach the fallback sooner");
  assert.ok(ttl({ ownDepthShare: 0.9 }) < base, "a heavy own side pushes the price away");
  assert.ok(ttl({ ownDepthShare: 0.1 }) > base, "a thin own side: short queue, price leans our way");
});

test("clamped to the configured bounds; the base until volatility is known", () => {
  assert.equal(ttl({ volBpsPerSqrtS: 0.01 }, BOUNDS), 8_000);
  assert.equal(ttl({ volBpsPerSqrtS: 100 }, BOUNDS), 250);
  assert.equal(ttl({ volBpsPerSqrtS: undefined, makerFillRate: 0.5, ownDepthShare: undefined }, BOUNDS), 1_500);
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1]) {
    const v = ttl({ spreadBps: bad, makerFillRate: bad, ownDepthShare: bad, volBpsPerSqrtS: bad }, BOUNDS);
    assert.ok(v >= 250 && v <= 8_000 && Number.isInteger(v), `garbage in (${bad}) still gives a bounded TTL (${v})`);
  }
});

test("the maker fill rate follows recent legs", () => {
  const r = new MakerFillRate(0.5, 0.5);
  r.record(true);
  assert.equal(r.value, 0.75);
  r.record(false);
  r.record(false);
  assert.equal(r.value, 0.1875);
});
