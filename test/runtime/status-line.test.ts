import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, formatFixed } from "../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../../src/core/instrument.ts";
import { moneyPlaces, placesOf, statusLine } from "../../src/runtime/status-line.ts";

const btc = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "BTCUSDT")!;

test("money is rounded to cents for a stablecoin quote, quantities to the lot step", () => {
  const line = statusLine({
    mode: "paper",
    venue: "sim",
    uptimeSeconds: 12,
    equity: dec("9999.873421700000000001"),
    pnl: dec("-0.126578299999999999"),
    positions: [{ symbol: "BTCUSDT", qty: dec("0.01"), instrument: btc }],
    orders: 3,
    fills: 2,
    riskState: "NORMAL",
    tradingState: "active",
    lagP99Ms: 1.234,
  });
  assert.match(line, /equity 9999\.87 \(P&L -0\.13\)/);
  assert.ok(line.includes(`pos BTCUSDT ${formatFixed(dec("0.01"), placesOf(btc.lotSize))} |`), line);
  assert.doesNotMatch(line, /\d\.\d{9,}/);
});

test("places of a step and of money", () => {
  assert.equal(placesOf(dec("0.001")), 3);
  assert.equal(placesOf(dec("1")), 0);
  assert.equal(placesOf(dec("0.5")), 1);
  assert.equal(moneyPlaces(btc), 2);
  const inBtc: Instrument = { ...btc, symbol: "ETHBTC", quoteAsset: "BTC", tickSize: dec("0.00001") };
  assert.equal(moneyPlaces(inBtc), 5);
  assert.equal(moneyPlaces(undefined), 2);
});
