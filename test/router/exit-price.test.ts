import { test } from "node:test";
import assert from "node:assert/strict";
import { dec, format } from "../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS } from "../../src/core/instrument.ts";
import { validateRiskConfig } from "../../src/risk/config.ts";
import { exitLimitPrice } from "../../src/execution/exit-price.ts";
import { checkPreTrade } from "../../src/risk/pretrade.ts";

const BTC = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "BTCUSDT")!;
const mark = { bid: dec("50000"), ask: dec("50000.1") };

test("a marketable exit crosses the spread but never beyond the slippage bound, rounded inside it", () => {
  // 50 bps: buy ≤ 50000.1 × 1.005 = 50250.1005 → 50250.1; sell ≥ 50000 × 0.995 = 49750
  assert.equal(format(exitLimitPrice("buy", mark, 50, BTC)), "50250.1");
  assert.equal(format(exitLimitPrice("sell", mark, 50, BTC)), "49750");
  assert.equal(format(exitLimitPrice("sell", { bid: dec("50000.3"), ask: dec("50000.4") }, 50, BTC)), "49750.3"); // 49750.2985 rounds up
  assert.equal(format(exitLimitPrice("buy", mark, 0, BTC)), "50000.1");
});

test("a sell exit price never reaches zero", () => {
  assert.equal(format(exitLimitPrice("sell", { bid: dec("0.1"), ask: dec("0.2") }, 10_000, BTC)), "0.1");
});

test("a kill-switch close at the exit price passes the pre-trade check when halted", () => {
  const price = exitLimitPrice("sell", mark, 50, BTC);
  const r = checkPreTrade(
    { strategyId: "risk", symbol: "BTCUSDT", side: "sell", orderType: "limit", qty: dec("0.5"), price, reduceOnly: true, purpose: "kill-switch" },
    {
      tradingState: "halted",
      instrument: BTC,
      mark,
      // The kill switch closes on silent data too.
      marketDataAt: undefined,
      positionQty: dec("0.5"),
      pendingBuyQty: dec("0"),
      pendingSellQty: dec("0"),
      grossExposure: dec("25000"),
      equity: dec("100"),
      openOrders: 99,
      recentOrderTimes: [],
      now: 0,
    },
    validateRiskConfig({}),
  );
  assert.equal(r.ok, true);
});

test("within the venue's price band around the mid: a slippage wider than the band is held at its edge, a narrower one unchanged", () => {
  const banded = { ...BTC, priceBand: { up: dec("1.05"), down: dec("0.95") } };
  // 900 bps is beyond Binance's 5% band: Binance refuses such a close every time it is tried.
  assert.equal(format(exitLimitPrice("sell", mark, 900, banded)), "47500.1", "mid 50000.05 × 0.95 = 47500.0475, up to the tick");
  assert.equal(format(exitLimitPrice("buy", mark, 900, banded)), "52500", "mid × 1.05 = 52500.0525, down to the tick");
  assert.equal(format(exitLimitPrice("sell", mark, 900, BTC)), "45500", "no band known: the slippage alone");
  for (const bps of [0, 50, 499]) {
    for (const side of ["buy", "sell"] as const) assert.equal(exitLimitPrice(side, mark, bps, banded), exitLimitPrice(side, mark, bps, BTC), `${side} ${bps} bps`);
  }
});
