/**
 * Bybit's account wire read into venue-neutral reports: a `Funding` execution (the fee is what the
 * account paid; the side is the position's), transaction-log entries that are cash adjustments
 * (and the ones that are not), and the wallet. A malformed item fails as VENUE_PROTOCOL (`parse…`)
 * or reads as nothing (`read…`), never as a number.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import { isHeanError } from "../../../src/core/errors.ts";
import { accountReportOf, checkAnswer, parseCashEntry, parseFunding, parseWallet, readCashEntry, readExecution, readFunding, readWallet } from "../../../src/venues/bybit/wire.ts";

// The shape of a linear funding execution as Bybit lists it (a public client's recorded answer).
const FUNDING = {
  symbol: "BTCUSDT",
  orderType: "UNKNOWN",
  orderLinkId: "",
  orderId: "1689724800-5-156671-1-2",
  stopOrderType: "UNKNOWN",
  execTime: "1689724800000",
  feeRate: "0.0001",
  markPrice: "29848.22",
  execPrice: "29848.22",
  orderQty: "0",
  orderPrice: "0",
  execValue: "59.69644",
  closedSize: "0",
  execType: "Funding",
  side: "Buy",
  leavesQty: "0",
  isMaker: false,
  execFee: "0.00596965",
  execId: "771dfca1-65aa-43b0-aa8b-abebb697490d",
  execQty: "0.002",
};

test("a Funding execution is a funding report, never a fill", () => {
  assert.equal(readExecution(FUNDING), undefined);
  assert.deepEqual(readFunding(FUNDING), {
    fundingId: "771dfca1-65aa-43b0-aa8b-abebb697490d",
    symbol: "BTCUSDT",
    paid: dec("0.00596965"),
    rate: dec("0.0001"),
    positionQty: dec("0.002"),
    markPrice: dec("29848.22"),
    venueTs: 1689724800000,
  });
  const short = readFunding({ ...FUNDING, side: "Sell", execFee: "-0.00596965" })!;
  assert.equal(short.positionQty, dec("-0.002"));
  assert.equal(short.paid, dec("-0.00596965"), "received");
  assert.equal(readFunding({ ...FUNDING, execType: "Trade" }), undefined);
});

test("a malformed funding item reads as nothing", () => {
  for (const bad of [
    { ...FUNDING, execFee: 0.00596965 },
    { ...FUNDING, execFee: "" },
    { ...FUNDING, execId: "" },
    { ...FUNDING, side: "Both" },
    { ...FUNDING, execTime: "yesterday" },
    { ...FUNDING, execQty: undefined },
    null,
    "Funding",
  ]) {
    assert.equal(readFunding(bad), undefined, JSON.stringify(bad));
    assert.throws(() => parseFunding(bad), (e) => isHeanError(e, "VENUE_PROTOCOL"), JSON.stringify(bad));
  }
});

test("transfers and venue credits in the transaction log are cash adjustments; trades and settlements are not", () => {
  const entry = { id: "592324", symbol: "", type: "TRANSFER_IN", change: "1500", cashBalance: "21500", transactionTime: "1700000000000", funding: "0" };
  assert.deepEqual(readCashEntry(entry), { adjustmentId: "592324", amount: dec("1500"), reason: "transfer", detail: "TRANSFER_IN", venueTs: 1700000000000 });
  assert.equal(readCashEntry({ ...entry, type: "TRANSFER_OUT", change: "-40" })!.amount, dec("-40"));
  assert.equal(readCashEntry({ ...entry, type: "FEE_REFUND" })!.reason, "venue");
  for (const type of ["TRADE", "SETTLEMENT", "LIQUIDATION", "DELIVERY", "SOMETHING_NEW"]) assert.equal(readCashEntry({ ...entry, type }), undefined, type);
  assert.equal(readCashEntry({ ...entry, id: "" }), undefined);
  assert.equal(readCashEntry({ ...entry, change: 1500 }), undefined);
  assert.equal(readCashEntry({ ...entry, transactionTime: undefined }), undefined);
  for (const bad of [{ ...entry, id: "" }, { ...entry, change: 1500 }, { ...entry, type: 7 }, null]) {
    assert.throws(() => parseCashEntry(bad), (e) => isHeanError(e, "VENUE_PROTOCOL"), JSON.stringify(bad));
  }
  assert.equal(parseCashEntry({ id: 1, type: "TRADE" }), undefined, "only a cash entry's own fields are held to the rules");
});

test("an entry of someone else's trading (a symbol hean does not book) is an untraded cash adjustment by its change; hean's own are not", () => {
  const trade = { id: "t-1", symbol: "ETHUSDT", type: "TRADE", change: "-0.825", cashFlow: "0", fee: "0.825", funding: "0", tradeId: "exec-1", transactionTime: "1700000000000" };
  const theirs = (e: { symbol: string; tradeId: string }): boolean => e.symbol === "ETHUSDT" && e.tradeId !== "booked";
  assert.deepEqual(readCashEntry(trade, theirs), { adjustmentId: "untraded-exec-1", amount: dec("-0.825"), reason: "untraded", detail: "TRADE ETHUSDT", venueTs: 1700000000000 });
  assert.equal(readCashEntry({ ...trade, type: "LIQUIDATION", tradeId: "" }, theirs)!.adjustmentId, "t-1", "no trade behind it: the entry's id");
  assert.equal(readCashEntry({ ...trade, type: "SETTLEMENT", change: "2.4" }, theirs)!.detail, "SETTLEMENT ETHUSDT");
  assert.equal(readCashEntry({ ...trade, tradeId: "booked" }, theirs), undefined, "a trade hean booked");
  assert.equal(readCashEntry({ ...trade, symbol: "BTCUSDT" }, theirs), undefined, "a symbol hean trades");
  assert.equal(readCashEntry({ ...trade, symbol: "" }, () => true), undefined, "no symbol: not trading");
  assert.equal(readCashEntry({ ...trade, type: "TRANSFER_IN", symbol: "" }, theirs)!.reason, "transfer", "a transfer stays a transfer");
  assert.equal(readCashEntry(trade), undefined, "without the question, a trade is not a cash adjustment");
  assert.throws(() => parseCashEntry({ ...trade, change: -0.825 }, theirs), (e) => isHeanError(e, "VENUE_PROTOCOL"));
});

test("the wallet's USDT coin and the account's margin figures make the account report", () => {
  const item = {
    totalAvailableBalance: "19000.5",
    totalInitialMargin: "1000",
    totalMaintenanceMargin: "50.25",
    coin: [
      { coin: "BTC", walletBalance: "0.1", equity: "0.1" },
      { coin: "USDT", walletBalance: "20000", equity: "20012.5" },
    ],
  };
  assert.deepEqual(accountReportOf(readWallet(item)!, 7), {
    walletBalance: dec("20000"),
    equity: dec("20012.5"),
    available: dec("19000.5"),
    initialMargin: dec("1000"),
    maintenanceMargin: dec("50.25"),
    venueTs: 7,
  });
  for (const bad of [{ ...item, totalAvailableBalance: 19000.5 }, { ...item, totalInitialMargin: undefined }, { ...item, totalMaintenanceMargin: "-1" }]) {
    assert.throws(() => parseWallet(bad), (e) => isHeanError(e, "VENUE_PROTOCOL"), "a number where a string belongs, or a missing figure, is not read");
    assert.equal(readWallet(bad), undefined);
  }
  // Bybit leaves account-level figures blank where they do not apply: no account report, never a zero.
  assert.equal(accountReportOf(parseWallet({ ...item, totalInitialMargin: "" })!, 7), undefined);
});

test("a REST answer with a malformed funding row, ledger entry or wallet figure is refused whole, never half-read", () => {
  const entry = { id: "592324", type: "TRANSFER_IN", change: "1500", transactionTime: "1700000000000" };
  const refused = (path: string, item: unknown): void =>
    assert.throws(() => checkAnswer(path, { list: [item], nextPageCursor: "" }), (e) => isHeanError(e, "VENUE_PROTOCOL"), path);
  refused("/v5/execution/list", { ...FUNDING, execFee: 0.00596965 });
  refused("/v5/account/transaction-log", { ...entry, change: 1500 });
  refused("/v5/account/wallet-balance", { totalAvailableBalance: "1", totalInitialMargin: 0, totalMaintenanceMargin: "0", coin: [{ coin: "USDT", walletBalance: "1", equity: "1" }] });
  checkAnswer("/v5/execution/list", { list: [FUNDING], nextPageCursor: "" });
  checkAnswer("/v5/account/transaction-log", { list: [entry, { id: "7", type: "TRADE" }], nextPageCursor: "" });
});
