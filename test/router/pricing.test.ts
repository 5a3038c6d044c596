import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { InstrumentRegistry } from "../../src/core/instrument.ts";
import { makerPrice, takerPrice } from "../../src/execution/router/pricing.ts";

const BTC = new InstrumentRegistry().get("BTCUSDT"); // tick 0.1
const wide = { bid: dec("60000.0"), ask: dec("60000.5") };
const tight = { bid: dec("60000.0"), ask: dec("60000.1") };

test("a maker leg joins the touch, improves it without crossing, or rests behind it", () => {
  assert.equal(makerPrice("buy", wide, 0, BTC), dec("60000.0"));
  assert.equal(makerPrice("sell", wide, 0, BTC), dec("60000.5"));
  assert.equal(makerPrice("buy", wide, 2, BTC), dec("60000.2"));
  assert.equal(makerPrice("sell", wide, 2, BTC), dec("60000.3"));
  assert.equal(makerPrice("buy", wide, 50, BTC), dec("60000.4"), "improving stops one tick below the ask");
  assert.equal(makerPrice("sell", wide, 50, BTC), dec("60000.1"), "and one tick above the bid");
  assert.equal(makerPrice("buy", tight, 3, BTC), dec("60000.0"), "a one-tick spread leaves nothing to improve: join");
  assert.equal(makerPrice("sell", tight, 3, BTC), dec("60000.1"));
  assert.equal(makerPrice("buy", wide, -10, BTC), dec("59999.0"));
  assert.equal(makerPrice("sell", wide, -10, BTC), dec("60001.5"));
});

test("a maker price is on the tick even when the touch is not, and never zero or negative", () => {
  const offTick = { bid: dec("60000.04"), ask: dec("60000.46") };
  assert.equal(makerPrice("buy", offTick, 0, BTC), dec("60000.0"));
  assert.equal(makerPrice("sell", offTick, 0, BTC), dec("60000.5"));
  assert.equal(makerPrice("buy", { bid: dec("0.3"), ask: dec("0.5") }, -10, BTC), undefined);
});

test("a taker leg is bounded at the slippage from the touch, rounded inside the bound", () => {
  // 15 bps of 60 000.5 is 90.00075: a buy pays at most 60 090.50075, on the tick below.
  assert.equal(takerPrice("buy", wide, 15, BTC), dec("60090.5"));
  // 15 bps of 60 000 is 90: a sell takes at least 59 910.
  assert.equal(takerPrice("sell", wide, 15, BTC), dec("59910.0"));
  assert.equal(takerPrice("sell", { bid: dec("60000.0"), ask: dec("60000.1") }, 1, BTC), dec("59994.0"));
});
