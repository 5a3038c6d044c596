/**
 * What moves the simulated wallet without a trade: `POST /__sim/funding` settles funding for each
 * open position at the mark (a `Funding` execution, pushed then the wallet, in the execution list
 * and the transaction log) and `POST /__sim/wallet` deposits or withdraws (logged as a transfer,
 * or not at all with `logged: false`). Bad control input changes nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { add, dec, format, mul, neg, sub } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { control, signed, WsProbe, wsAuthArgs } from "./helpers.ts";

const KEY = "fund-key";
const SECRET = "fund-secret";

describe("simulator funding and wallet control", () => {
  let sim: BybitSimulator;
  const wallet = async (): Promise<any> => (await signed(sim, "GET", "/v5/account/wallet-balance", { accountType: "UNIFIED" }, { apiKey: KEY, apiSecret: SECRET })).body.result.list[0].coin[0];
  const log = async (params: Record<string, unknown> = {}): Promise<any[]> =>
    (await signed(sim, "GET", "/v5/account/transaction-log", { accountType: "UNIFIED", ...params }, { apiKey: KEY, apiSecret: SECRET })).body.result.list;

  before(async () => {
    sim = await startBybitSimulator({ seed: 5, apiKey: KEY, apiSecret: SECRET, startingBalance: "50000" });
  });
  after(async () => {
    await sim?.close();
  });

  it("settles funding per open position at the mark: execution pushed, then the wallet; listed and logged", async () => {
    const probe = await WsProbe.open(sim.wsPrivateUrl);
    try {
      await probe.request({ op: "auth", args: wsAuthArgs(KEY, SECRET) }, (m) => m.op === "auth");
      await probe.request({ op: "subscribe", args: ["execution", "wallet", "execution.fast"] }, (m) => m.op === "subscribe");
      const opened = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Sell", orderType: "Market", qty: "0.020" }, { apiKey: KEY, apiSecret: SECRET });
      assert.equal(opened.body.retCode, 0);
      await probe.next((m) => m.topic === "execution" && m.data[0].execType === "Trade");
      const before = dec((await wallet()).walletBalance);

      const from = probe.messages.length;
      const settled = await control(sim, "POST", "/__sim/funding", { rate: "0.0002" });
      assert.equal(settled.status, 200);
      assert.equal(settled.body.settled.length, 1, "one open position, one settlement");
      const s = settled.body.settled[0];
      // A short receives a positive rate: the fee is negative.
      assert.equal(s.side, "Sell");
      assert.equal(dec(s.execFee), mul(mul(dec("-0.02"), dec(s.markPrice)), dec("0.0002")));
      assert.ok(dec(s.execFee) < 0n);

      const exec = await probe.next((m) => m.topic === "execution" && m.data[0].execType === "Funding", 5000, from);
      const item = exec.data[0];
      assert.deepEqual([item.execId, item.symbol, item.side, item.execQty, item.feeRate, item.orderLinkId, item.orderType], [s.execId, "BTCUSDT", "Sell", "0.020", "0.0002", "", "UNKNOWN"]);
      const pushedWallet = await probe.next((m) => m.topic === "wallet", 5000, probe.messages.indexOf(exec) + 1);
      assert.equal(dec(pushedWallet.data[0].coin[0].walletBalance), sub(before, dec(s.execFee)));
      assert.ok(!probe.messages.slice(from).some((m) => m.topic === "execution.fast"), "the fast topic carries trades only");

      assert.equal(dec((await wallet()).walletBalance), sub(before, dec(s.execFee)));
      const listed = (await signed(sim, "GET", "/v5/execution/list", { category: "linear", symbol: "BTCUSDT", execType: "Funding" }, { apiKey: KEY, apiSecret: SECRET })).body.result.list;
      assert.deepEqual(listed.map((e: any) => [e.execId, e.execType, e.execFee]), [[s.execId, "Funding", item.execFee]]);
      const trades = (await signed(sim, "GET", "/v5/execution/list", { category: "linear", symbol: "BTCUSDT", execType: "Trade" }, { apiKey: KEY, apiSecret: SECRET })).body.result.list;
      assert.ok(trades.every((e: any) => e.execType === "Trade"));
      const settlement = (await log({ type: "SETTLEMENT" }))[0];
      assert.deepEqual([settlement.symbol, settlement.type, dec(settlement.funding), dec(settlement.change), settlement.tradeId], ["BTCUSDT", "SETTLEMENT", neg(dec(s.execFee)), neg(dec(s.execFee)), s.execId]);
      assert.deepEqual([settlement.side, settlement.qty, settlement.size, settlement.tradePrice, settlement.feeRate, settlement.cashFlow, settlement.fee], ["Sell", "0.020", "-0.020", s.markPrice, "0.0002", "0", "0"]);
    } finally {
      probe.close();
    }
  });

  it("logs every trade: its execution's id, quantity, price and fee, the P&L it realised, the position and the balance after", async () => {
    const exec = async (orderId: string): Promise<any[]> => (await signed(sim, "GET", "/v5/execution/list", { category: "linear", symbol: "ETHUSDT", orderId }, { apiKey: KEY, apiSecret: SECRET })).body.result.list;
    const before = dec((await wallet()).walletBalance);
    const opened = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.40", orderLinkId: "log-open" }, { apiKey: KEY, apiSecret: SECRET });
    assert.equal(opened.body.retCode, 0);
    sim.setPrice("ETHUSDT", "3200");
    const closed = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "0.40", reduceOnly: true }, { apiKey: KEY, apiSecret: SECRET });
    assert.equal(closed.body.retCode, 0);
    const executions = [...(await exec(opened.body.result.orderId)), ...(await exec(closed.body.result.orderId))];
    const trades = (await log({ type: "TRADE" })).filter((t) => t.symbol === "ETHUSDT");
    assert.equal(trades.length, executions.length, "one entry per execution");
    let moved = 0n as ReturnType<typeof dec>;
    for (const e of executions) {
      const t = trades.find((x) => x.tradeId === e.execId);
      assert.ok(t !== undefined, `the execution ${e.execId} is logged`);
      assert.deepEqual([t.side, t.qty, t.tradePrice, t.fee, t.feeRate, t.orderId, t.orderLinkId, t.funding, t.currency, t.category], [e.side, e.execQty, e.execPrice, e.execFee, e.feeRate, e.orderId, e.orderLinkId, "0", "USDT", "linear"]);
      // What it moved the wallet by: the P&L it realised less its fee.
      assert.equal(dec(t.change), sub(add(dec(t.cashFlow), dec(t.funding)), dec(t.fee)));
      // An opening trade realises nothing.
      if (e.orderId === opened.body.result.orderId) assert.equal(dec(t.cashFlow), 0n);
      moved = add(moved, dec(t.change));
    }
    const last = trades[0];
    assert.equal(dec(last.size), 0n, "the position after the closing trade");
    assert.equal(dec(last.cashBalance), dec((await wallet()).walletBalance), "the balance after the last trade");
    assert.equal(add(before, moved), dec((await wallet()).walletBalance), "the entries explain the wallet");
    assert.ok(trades.some((t) => dec(t.cashFlow) !== 0n), "the close realised P&L");
  });

  it("deposits and withdrawals move the wallet and are logged as transfers; an unlogged change is not", async () => {
    const start = dec((await wallet()).walletBalance);
    const deposit = await control(sim, "POST", "/__sim/wallet", { amount: "1000.5" });
    assert.equal(deposit.status, 200);
    assert.equal(dec(deposit.body.walletBalance), add(start, dec("1000.5")));
    const out = await control(sim, "POST", "/__sim/wallet", { amount: -250 });
    assert.equal(out.status, 200);
    const silent = await control(sim, "POST", "/__sim/wallet", { amount: "-7", logged: false });
    assert.equal(silent.status, 200);
    assert.equal(format(dec((await wallet()).walletBalance)), format(add(start, dec("743.5"))));
    const transfers = (await log()).filter((t) => t.type.startsWith("TRANSFER"));
    assert.deepEqual(
      transfers.map((t) => [t.type, t.change]),
      [
        ["TRANSFER_OUT", "-250"],
        ["TRANSFER_IN", "1000.5"],
      ],
      "newest first; the unlogged change is in no log",
    );
    assert.equal(new Set(transfers.map((t) => t.id)).size, 2, "every entry has its own id");
  });

  it("bad control input is refused and changes nothing", async () => {
    const before = (await wallet()).walletBalance;
    for (const [path, body] of [
      ["/__sim/wallet", {}],
      ["/__sim/wallet", { amount: "0" }],
      ["/__sim/wallet", { amount: "abc" }],
      ["/__sim/wallet", { amount: "1", logged: "yes" }],
      ["/__sim/wallet", { amount: "1", account: "acct-99" }],
      ["/__sim/wallet", { amount: "-1000000000" }],
      ["/__sim/funding", { rate: "x" }],
      ["/__sim/funding", { symbol: "NOPEUSDT" }],
    ] as const) {
      const r = await control(sim, "POST", path, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(r.body.ok, false);
      assert.equal(typeof r.body.error, "string");
    }
    assert.equal((await wallet()).walletBalance, before);
  });
});



