import assert from "node:assert/strict";
import { test } from "node:test";
import { Prng, mixSeed } from "../../src/venues/sim/market/prng.ts";

test("the same seed gives the same stream; another seed a different one", () => {
  const draw = (seed: number) => Array.from({ length: 100 }, ((r) => () => r.next())(new Prng(seed)));
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});

test("draws stay in range and look uniform", () => {
  const r = new Prng(123);
  let sum = 0;
  for (let i = 0; i < 20_000; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    const k = r.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
  }
  assert.ok(Math.abs(sum / 20_000 - 0.5) < 0.01, `mean ${sum / 20_000}`);
});

test("normal() has about unit variance and zero mean", () => {
  const r = new Prng(5);
  let s = 0;
  let s2 = 0;
  const n = 50_000;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
  }
  assert.ok(Math.abs(s / n) < 0.02);
  assert.ok(Math.abs(s2 / n - 1) < 0.03, `variance ${s2 / n}`);
});

test("forked streams depend on the label, not on other streams' use", () => {
  assert.notEqual(mixSeed(1, "path:BTCUSDT"), mixSeed(1, "path:ETHUSDT"));
  assert.notEqual(mixSeed(1, "x"), mixSeed(2, "x"));
  const a = Prng.fork(9, "book");
  const b = Prng.fork(9, "book");
  Prng.fork(9, "path").next();
  assert.equal(a.next(), b.next());
});
