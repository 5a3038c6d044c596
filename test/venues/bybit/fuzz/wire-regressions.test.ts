/**
 * Counterexamples the wire fuzzing found in the old readers, kept as plain tests. Each was read
 * as a number the venue never sent (a fill quantity, a fee, a flat position) or an enum value it
 * never said (an unknown status as open, a stop order as a limit, an unknown side as a buy).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HeanError } from "../../../../src/core/errors.ts";
import { parseBook, parseExecution, parseTrade, readExecution, readOrder, readPosition } from "../../../../src/venues/bybit/wire.ts";
import { sample } from "./mutations.ts";

const ORDER = sample("bybit_rest_order_realtime.json").result.list[0];
const EXECUTION = sample("bybit_ws_execution.json").data[0];
const POSITION = { ...sample("bybit_rest_position_list_inverse.json").result.list[0], symbol: "BTCUSDT" };

const protocolError = (field: string) => (e: unknown): boolean => e instanceof HeanError && e.code === "VENUE_PROTOCOL" && e.context.field === field;

test("an order without cumExecQty is unreadable, not an order with nothing filled", () => {
  const { cumExecQty: _, ...order } = ORDER;
  assert.equal(readOrder(order), undefined);
});

test("an order with an unknown status or type is unreadable, not open or a limit order", () => {
  assert.equal(readOrder({ ...ORDER, orderStatus: "Exploded" }), undefined);
  assert.equal(readOrder({ ...ORDER, orderType: "StopLimit" }), undefined);
  assert.equal(readOrder({ ...ORDER, qty: "-0.10" }), undefined);
});

test("an execution without execFee, or with a float fee, is unreadable, not a fill with the wrong fee", () => {
  const { execFee: _, ...noFee } = EXECUTION;
  assert.equal(readExecution(noFee), undefined);
  assert.equal(readExecution({ ...EXECUTION, execFee: 26.3725275 }), undefined);
});

test("an execution without isMaker, or an order without reduceOnly, is unreadable, not a taker fill or an opening order", () => {
  const { isMaker: _m, ...noLiquidity } = EXECUTION;
  assert.equal(readExecution(noLiquidity), undefined);
  assert.equal(readExecution({ ...EXECUTION, isMaker: "true" }), undefined);
  const { reduceOnly: _r, ...noReduce } = ORDER;
  assert.equal(readOrder(noReduce), undefined);
});

test("an execution without execType is unreadable, and an unknown execType is an error, never skipped silently", () => {
  const { execType: _, ...untyped } = EXECUTION;
  assert.equal(readExecution(untyped), undefined);
  assert.throws(() => parseExecution({ ...EXECUTION, execType: "Liquidation" }), protocolError("execType"));
  assert.equal(parseExecution({ ...EXECUTION, execType: "Funding" }), undefined);
});

test("a position with size but no side is unreadable, not flat", () => {
  assert.equal(readPosition({ ...POSITION, side: 0 }), undefined);
  assert.equal(readPosition({ ...POSITION, side: "Long" }), undefined);
  assert.equal(readPosition({ ...POSITION, size: "-300" }), undefined);
  assert.equal(readPosition({ ...POSITION, side: "", size: "0" })?.size, 0n);
});

test("a book update id or time that is not a positive integer is an error (1e400 parses as Infinity)", () => {
  const snapshot = sample("bybit_ws_orderbook_snapshot.json");
  assert.throws(() => parseBook(JSON.parse(JSON.stringify(snapshot).replace(/"u":\s*\d+/, '"u":1e400'))), protocolError("u"));
  assert.throws(() => parseBook({ ...snapshot, data: { ...snapshot.data, u: 1.5 } }), protocolError("u"));
  assert.throws(() => parseBook({ ...snapshot, ts: "soon" }), protocolError("ts"));
  assert.throws(() => parseBook({ ...snapshot, type: "partial" }), protocolError("type"));
});

test("a trade with an unknown taker side is an error, not a buy", () => {
  const trade = sample("bybit_ws_public_trade.json").data[0];
  assert.throws(() => parseTrade({ ...trade, S: "Short" }), protocolError("S"));
  assert.equal(parseTrade(trade).side, "buy");
});
