import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec, format } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { BUILTIN_INSTRUMENTS, InstrumentRegistry, assertListed, checkOrderRules, likelyMeantSymbols, roundPrice, roundQty, unlistedSymbolHint, withSymbolHint } from "../../src/core/instrument.ts";

const registry = new InstrumentRegistry();
const btc = registry.get("BTCUSDT");

describe("InstrumentRegistry", () => {
  test("knows the built-ins and refuses unknown symbols with the known list", () => {
    assert.deepEqual(registry.symbols(), BUILTIN_INSTRUMENTS.map((i) => i.symbol));
    assert.equal(registry.find("ETHUSDT")?.tickSize, dec("0.01"));
    assert.equal(registry.find("DOGEUSDT"), undefined);
    assert.throws(
      () => registry.get("DOGEUSDT"),
      (e: unknown) => isHeanError(e, "INSTRUMENT_UNKNOWN") && e.context["symbol"] === "DOGEUSDT" && Array.isArray(e.context["known"]),
    );
  });

  test("takes a custom list", () => {
    const r = new InstrumentRegistry([{ ...btc, symbol: "XUSDT" }]);
    assert.deepEqual(r.symbols(), ["XUSDT"]);
  });
});

describe("rounding to the instrument", () => {
  test("prices round half-even to the tick by default", () => {
    assert.equal(format(roundPrice(btc, dec("65000.14"))), "65000.1");
    assert.equal(format(roundPrice(btc, dec("65000.15"))), "65000.2");
    assert.equal(format(roundPrice(btc, dec("65000.25"))), "65000.2");
    assert.equal(format(roundPrice(btc, dec("65000.11"), "ceil")), "65000.2");
  });

  test("quantities round down by default (never trade more than asked)", () => {
    assert.equal(format(roundQty(btc, dec("0.0019"))), "0.001");
    assert.equal(format(roundQty(btc, dec("0.0019"), "half-even")), "0.002");
  });
});

describe("checkOrderRules", () => {
  const qty = dec("0.01");
  const price = dec("65000.1");

  test("a good order passes (limit and market with a reference price)", () => {
    assert.equal(checkOrderRules(btc, qty, price, undefined), undefined);
    assert.equal(checkOrderRules(btc, qty, undefined, price), undefined);
    assert.equal(checkOrderRules(btc, qty, undefined, undefined), undefined);
    assert.equal(checkOrderRules(btc, btc.maxQty, price, undefined), undefined);
  });

  test("each violation is reported with its numbers", () => {
    assert.deepEqual(checkOrderRules(btc, dec("0"), price, undefined), { rule: "QTY_NOT_POSITIVE", qty: "0" });
    assert.deepEqual(checkOrderRules(btc, dec("-0.01"), price, undefined), { rule: "QTY_NOT_POSITIVE", qty: "-0.01" });
    assert.deepEqual(checkOrderRules(btc, dec("0.0105"), price, undefined), {
      rule: "QTY_NOT_LOT_MULTIPLE",
      qty: "0.0105",
      lotSize: "0.001",
    });
    const minQtyHigher = { ...btc, minQty: dec("0.01") };
    assert.deepEqual(checkOrderRules(minQtyHigher, dec("0.009"), price, undefined), {
      rule: "QTY_BELOW_MIN",
      qty: "0.009",
      minQty: "0.01",
    });
    assert.deepEqual(checkOrderRules(btc, dec("100.001"), price, undefined), { rule: "QTY_ABOVE_MAX", qty: "100.001", maxQty: "100" });
    assert.deepEqual(checkOrderRules(btc, qty, dec("0"), undefined), { rule: "PRICE_NOT_POSITIVE", price: "0" });
    assert.deepEqual(checkOrderRules(btc, qty, dec("-1"), undefined), { rule: "PRICE_NOT_POSITIVE", price: "-1" });
    assert.deepEqual(checkOrderRules(btc, qty, dec("65000.15"), undefined), {
      rule: "PRICE_NOT_TICK_MULTIPLE",
      price: "65000.15",
      tickSize: "0.1",
    });
    assert.deepEqual(checkOrderRules(btc, dec("0.001"), dec("4000"), undefined), {
      rule: "NOTIONAL_BELOW_MIN",
      notional: "4",
      minNotional: "5",
    });
  });

  test("min notional: exactly the minimum passes; market orders use the reference price", () => {
    assert.equal(checkOrderRules(btc, dec("0.001"), dec("5000"), undefined), undefined);
    assert.deepEqual(checkOrderRules(btc, dec("0.001"), undefined, dec("4999.9")), {
      rule: "NOTIONAL_BELOW_MIN",
      notional: "4.9999",
      minNotional: "5",
    });
  });

  test("the limit price, not the reference, decides the notional of a limit order", () => {
    assert.equal(checkOrderRules(btc, dec("0.001"), dec("5000"), dec("1")), undefined);
  });

  test("reduce-only orders are exempt from min notional but not from the other rules", () => {
    assert.equal(checkOrderRules(btc, dec("0.001"), dec("4000"), undefined, true), undefined);
    assert.equal(checkOrderRules(btc, dec("0.0015"), dec("4000"), undefined, true)?.rule, "QTY_NOT_LOT_MULTIPLE");
  });
});

test("likely meant symbols: a typo's (a few edits for the length, a swap, a case slip, a multiplier added or left out), never unrelated names", () => {
  const known = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "1000PEPEUSDT"];
  assert.deepEqual(likelyMeantSymbols("PEPEUSDT", known), ["1000PEPEUSDT"]);
  assert.deepEqual(likelyMeantSymbols("1000SOLUSDT", known), ["SOLUSDT"]);
  assert.deepEqual(likelyMeantSymbols("SOLUSD", known), ["SOLUSDT"]);
  assert.deepEqual(likelyMeantSymbols("ETHUSTD", known), ["ETHUSDT"]);
  assert.deepEqual(likelyMeantSymbols("btcusdt", known), ["BTCUSDT"]);
  // Another coin is no typo: BTCUSDT is not what SOLUSDT or DOGEUSDT meant.
  assert.deepEqual(likelyMeantSymbols("SOLUSDT", ["BTCUSDT", "ETHUSDT"]), []);
  assert.deepEqual(likelyMeantSymbols("DOGEUSDT", known), []);
  assert.deepEqual(likelyMeantSymbols("X", []), []);
});

test("an unlisted symbol is named with what it may be a typo of, else what is known (a long listing counted), as hean run and hean backtest say it", () => {
  const builtin = BUILTIN_INSTRUMENTS.map((i) => i.symbol);
  assert.equal(withSymbolHint("ETHUSTD", builtin), "ETHUSTD (did you mean ETHUSDT?)");
  assert.equal(withSymbolHint("BTCUSD", builtin), "BTCUSD (did you mean BTCUSDT?)");
  assert.equal(withSymbolHint("SOLUSDT", builtin), "SOLUSDT (known: BTCUSDT, ETHUSDT)");
  const venueListing = Array.from({ length: 612 }, (_, i) => `COIN${i}USDT`);
  assert.equal(unlistedSymbolHint("SOLUSDT", venueListing), "none of the 612 known is close");
  assert.match(unlistedSymbolHint("COIN7USTD", venueListing), /^did you mean COIN7USDT or /);
  assert.equal(unlistedSymbolHint("SOLUSDT", []), "no symbol is known");
  assert.throws(() => assertListed("sim", ["BTCUSDT", "SOLUSDT", "ETHUSTD"], new InstrumentRegistry()), (e) => {
    assert.ok(isHeanError(e, "CONFIG_INVALID"));
    assert.equal(e.message, "CONFIG_INVALID: sim does not list SOLUSDT (known: BTCUSDT, ETHUSDT); ETHUSTD (did you mean ETHUSDT?)");
    assert.deepEqual(e.context.likelyMeant, { SOLUSDT: [], ETHUSTD: ["ETHUSDT"] });
    return true;
  });
});
