/**
 * Property tests for the Bybit wire parsers: every REST item, stream item, book and trade
 * message, envelope and REST answer, mutated from Bybit's samples. The property: a parse either
 * returns exactly the decimals the wire strings spell, or throws `VENUE_PROTOCOL` naming the
 * kind; nothing else escapes and nothing is coerced. Seeded (`FUZZ.seed`).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, ZERO, add, dec, format } from "../../../../src/core/decimal.ts";
import {
  checkAnswer,
  parseBook,
  parseEnvelope,
  parseExecution,
  parseLevels,
  parseList,
  parseOrder,
  parsePosition,
  parseTrade,
  parseWallet,
} from "../../../../src/venues/bybit/wire.ts";
import { FUZZ, brokenJson, mutated, parsesOrRefuses, sample } from "./mutations.ts";

/** Linear-perpetual items built from the samples (the order sample is an option, the position one hedge-mode). */
const ORDERS = [
  parseList(sample("bybit_rest_order_realtime.json").result).list[0],
  parseList(sample("bybit_rest_order_history_postonly_cancelled.json").result).list[0],
  sample("bybit_ws_order.json").data[0],
];
const EXECUTIONS = [sample("bybit_ws_execution.json").data[0], parseList(sample("bybit_rest_execution_list.json").result).list[0]];
const POSITIONS = [
  { ...sample("bybit_rest_position_list_inverse.json").result.list[0], symbol: "BTCUSDT" },
  { ...sample("bybit_ws_position.json").data[0], positionIdx: 0, side: "Buy", size: "0.01", entryPrice: "28000.5" },
];
const WALLETS = [sample("bybit_rest_wallet_balance.json").result.list[0], sample("bybit_ws_wallet.json").data[0]];

/** Canonical decimal strings (as `format` writes them), positive, up to 18 places. */
const positiveDecimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }))
  .filter(([i, f]) => i > 0n || f > 0n)
  .map(([int, frac]) => (frac === 0n ? int.toString() : `${int}.${frac.toString().padStart(18, "0").replace(/0+$/, "")}`));

const str = (v: unknown): string => {
  assert.equal(typeof v, "string", `a parsed number came from a ${typeof v}, not a string`);
  return v as string;
};

/** The exact value a wire decimal string spells. */
const exact = (v: unknown): Dec => dec(str(v));

test("orders: mutated samples parse to the exact decimals they spell, or fail as VENUE_PROTOCOL", () => {
  fc.assert(
    fc.property(fc.constantFrom(...ORDERS).chain(mutated), ({ value }) => {
      const r = parsesOrRefuses(() => parseOrder(value));
      if (!r.ok) return;
      const raw = value as Record<string, unknown>;
      const o = r.value;
      assert.equal(o.qty, exact(raw.qty));
      assert.ok(o.qty > 0n);
      assert.equal(o.cumExecQty, exact(raw.cumExecQty));
      assert.ok(raw.price === undefined || raw.price === "" || (o.price ?? ZERO) === exact(raw.price));
      assert.equal(o.side, raw.side === "Buy" ? "buy" : raw.side === "Sell" ? "sell" : assert.fail(`side ${String(raw.side)} read as ${o.side}`));
      assert.ok(raw.orderType === "Limit" || raw.orderType === "Market");
      assert.equal(o.orderStatus, raw.orderStatus);
      assert.equal(o.updatedTime, Number(raw.updatedTime));
      assert.equal(o.reduceOnly, raw.reduceOnly);
    }),
    FUZZ,
  );
});

test("executions: quantity, price and fee (with extra fees in the fee coin) are exact, or the item fails as VENUE_PROTOCOL", () => {
  fc.assert(
    fc.property(fc.constantFrom(...EXECUTIONS).chain(mutated), ({ value }) => {
      const r = parsesOrRefuses(() => parseExecution(value));
      if (!r.ok || r.value === undefined) return;
      const raw = value as Record<string, any>;
      const e = r.value;
      assert.equal(e.execQty, exact(raw.execQty));
      assert.equal(e.execPrice, exact(raw.execPrice));
      let fee = exact(raw.execFee);
      if (Array.isArray(raw.extraFees)) {
        for (const x of raw.extraFees) if (!raw.feeCurrency || x.feeCoin === raw.feeCurrency) fee = add(fee, exact(x.fee));
      }
      assert.equal(e.fee, fee);
      assert.equal(e.execTime, Number(raw.execTime));
      assert.equal(e.isMaker, raw.isMaker);
      assert.ok(typeof raw.execId === "string" && raw.execId !== "" && e.execId === raw.execId);
    }),
    FUZZ,
  );
});

test("positions: the signed size and prices are exact, or the item fails as VENUE_PROTOCOL", () => {
  fc.assert(
    fc.property(fc.constantFrom(...POSITIONS).chain(mutated), ({ value }) => {
      const r = parsesOrRefuses(() => parsePosition(value));
      if (!r.ok || r.value === undefined) return;
      const raw = value as Record<string, unknown>;
      const size = exact(raw.size);
      assert.equal(r.value.size, raw.side === "Sell" ? -size : raw.side === "Buy" ? size : (assert.equal(size, ZERO), ZERO));
      const price = raw.avgPrice ?? raw.entryPrice;
      assert.equal(r.value.avgPrice, price === undefined || price === "" ? ZERO : exact(price));
    }),
    FUZZ,
  );
});

test("wallets: the USDT balance is exact or the item fails as VENUE_PROTOCOL", () => {
  const withUsdt = WALLETS.map((w) => ({ ...w, coin: [...w.coin, { ...w.coin[0], coin: "USDT", walletBalance: "1000.123456789", equity: "999.5" }] }));
  fc.assert(
    fc.property(fc.constantFrom(...withUsdt).chain(mutated), ({ value }) => {
      const r = parsesOrRefuses(() => parseWallet(value));
      if (!r.ok || r.value === undefined) return;
      const usdt = (value as any).coin.find((c: any) => c?.coin === "USDT");
      assert.equal(r.value.walletBalance, exact(usdt.walletBalance));
    }),
    FUZZ,
  );
});

test("any plain decimal string reads exactly; the same value as a JSON number is refused", () => {
  const base = EXECUTIONS[0];
  fc.assert(
    fc.property(positiveDecimal, positiveDecimal, fc.constantFrom("execQty", "execPrice", "execFee"), (qty, price, floatField) => {
      const e = parseExecution({ ...base, execQty: qty, execPrice: price })!;
      assert.equal(format(e.execQty), qty);
      assert.equal(format(e.execPrice), price);
      const asNumber = { ...base, [floatField]: Number(floatField === "execPrice" ? price : qty) };
      assert.equal(parsesOrRefuses(() => parseExecution(asNumber)).ok, false);
    }),
    FUZZ,
  );
});

test("book and trade messages: mutated samples give exact levels, or fail as VENUE_PROTOCOL", () => {
  const books = [sample("bybit_ws_orderbook_snapshot.json"), sample("bybit_ws_orderbook_delta.json")];
  fc.assert(
    fc.property(fc.constantFrom(...books).chain(mutated), ({ value }) => {
      const r = parsesOrRefuses(() => parseBook(value));
      if (!r.ok) return;
      const raw = value as any;
      assert.ok(Number.isSafeInteger(r.value.u) && r.value.u > 0);
      assert.ok(Number.isSafeInteger(r.value.ts));
      // Levels stay the wire's strings, each a valid decimal, keyed at its exact value (NaN only past 15 digits).
      for (const [side, wire] of [[r.value.bids, raw.data.b], [r.value.asks, raw.data.a]] as const) {
        assert.equal(side.levels, wire);
        wire.forEach(([p, q]: unknown[], i: number) => {
          assert.ok(exact(p) > 0n && exact(q) >= 0n);
          for (const [key, d] of [[side.keys[2 * i]!, exact(p)], [side.keys[2 * i + 1]!, exact(q)]] as const) {
            assert.ok(Number.isNaN(key) ? format(d).replace(/\D|^[-0.]+/g, "").length > 15 : key === Number(format(d)), `${format(d)} keyed ${key}`);
          }
        });
      }
    }),
    FUZZ,
  );
  const trade = sample("bybit_ws_public_trade.json").data[0];
  fc.assert(
    fc.property(mutated(trade), ({ value }) => {
      const r = parsesOrRefuses(() => parseTrade(value));
      if (!r.ok) return;
      const raw = value as any;
      assert.equal(r.value.side, raw.S === "Buy" ? "buy" : raw.S === "Sell" ? "sell" : assert.fail(`trade side ${String(raw.S)}`));
      assert.equal(r.value.price, exact(raw.p));
      assert.equal(r.value.qty, exact(raw.v));
    }),
    FUZZ,
  );
});

test("huge level arrays parse without trouble (or fail at the first bad level)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1_000, max: 20_000 }), fc.option(fc.nat(), { nil: undefined }), (n, badAt) => {
      const levels = Array.from({ length: n }, (_, i) => [`${i + 1}.5`, "0.001"]);
      if (badAt !== undefined) levels[badAt % n] = [String(badAt), 0.001 as unknown as string];
      const r = parsesOrRefuses(() => parseLevels(levels));
      assert.equal(r.ok, badAt === undefined);
    }),
    { ...FUZZ, numRuns: 30 },
  );
});

const REST_SAMPLES: readonly [string, string][] = [
  ["/v5/order/create", "bybit_rest_order_create.json"],
  ["/v5/order/cancel", "bybit_rest_order_cancel.json"],
  ["/v5/order/realtime", "bybit_rest_order_realtime.json"],
  ["/v5/order/history", "bybit_rest_order_history_postonly_cancelled.json"],
  ["/v5/execution/list", "bybit_rest_execution_list.json"],
  ["/v5/position/list", "bybit_rest_position_list_inverse.json"],
  ["/v5/account/wallet-balance", "bybit_rest_wallet_balance.json"],
  ["/v5/market/time", "bybit_rest_time.json"],
];

test("REST answers: every sample passes as sent; mutated, it passes only if every item still parses", () => {
  for (const [path, file] of REST_SAMPLES) checkAnswer(path, sample(file).result);
  fc.assert(
    fc.property(fc.constantFrom(...REST_SAMPLES).chain(([path, file]) => mutated(sample(file).result).map((m) => ({ path, ...m }))), ({ path, value }) => {
      const r = parsesOrRefuses(() => checkAnswer(path, value));
      if (!r.ok || path === "/v5/order/create" || path === "/v5/order/cancel" || path === "/v5/market/time") return;
      // Passing means every item reads: nothing a reconciliation relies on was skipped.
      const parse = { "/v5/order/realtime": parseOrder, "/v5/order/history": parseOrder, "/v5/execution/list": parseExecution, "/v5/position/list": parsePosition, "/v5/account/wallet-balance": parseWallet }[path]!;
      for (const item of parseList(value).list) parse(item);
    }),
    FUZZ,
  );
});

test("REST envelopes: broken JSON text fails as VENUE_PROTOCOL; a parsed envelope has integer retCode and time", () => {
  const bodies = REST_SAMPLES.map(([, file]) => JSON.stringify(sample(file))).concat(["bybit_rest_error_10002_observed.json", "bybit_rest_error_10004_observed.json", "bybit_rest_error_110017_observed.json"].map((f) => JSON.stringify(sample(f))));
  fc.assert(
    fc.property(fc.constantFrom(...bodies).chain(brokenJson), (body) => {
      const r = parsesOrRefuses(() => parseEnvelope(body));
      if (!r.ok) return;
      assert.ok(Number.isSafeInteger(r.value.retCode) && r.value.retCode >= 0);
      assert.ok(r.value.time === undefined || (Number.isSafeInteger(r.value.time) && r.value.time > 0));
    }),
    FUZZ,
  );
  fc.assert(
    fc.property(fc.constantFrom(...bodies).map((b) => JSON.parse(b)).chain(mutated), ({ value }) => {
      const r = parsesOrRefuses(() => parseEnvelope(JSON.stringify(value) ?? ""));
      if (r.ok) assert.equal(r.value.retCode, (value as any).retCode);
    }),
    FUZZ,
  );
});
