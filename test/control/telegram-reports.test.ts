/**
 * Issue 16, Telegram: /trades, /profit, /daily, /balance, /performance answer from the same
 * PerformanceReport as the exit report and the API, and fills and closed trades are pushed as
 * they happen, each switchable (telegram.notify.fills / .exits).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent, Side } from "../../src/core/events.ts";
import { startTelegramBot, type TelegramBot } from "../../src/control/telegram/bot.ts";
import { performanceReport, RunPerformance } from "../../src/report/run-performance.ts";
import { validateConfig } from "../../src/config/config.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { FakeBotApi } from "./fake-bot-api.ts";
import { FakeEngineView } from "./fake-view.ts";

const TOKEN = "123456789:AAFakeTokenForTests_reportsabcdefghij";
const OPERATOR = 4242;
const T0 = Date.UTC(2026, 11, 4, 10, 0, 0);

let fillSeq = 0;
const intent = (id: string, side: Side, purpose: "entry" | "exit", ts: number): HeanEvent => ({
  type: "order.intent", ts, clientOrderId: id, strategyId: "churn", symbol: "BTCUSDT", side, orderType: "limit", qty: dec("0.01"), price: dec("100000"), timeInForce: "GTC", reduceOnly: purpose === "exit", purpose,
});
const fill = (id: string, side: Side, price: string, ts: number): HeanEvent & { type: "order.filled" } => ({
  type: "order.filled", ts, fillId: `f${++fillSeq}`, clientOrderId: id, venueOrderId: "v", symbol: "BTCUSDT", side, price: dec(price), qty: dec("0.01"), fee: dec("0.5"), liquidity: "taker", venueTs: ts, source: "stream",
});

/** Two round trips: a win on day 1 and a loss on day 2. */
function feed(run: RunPerformance, events: readonly HeanEvent[]): void {
  for (const e of events) run.apply(e, () => dec("10000"), () => dec("0"));
}
const TRIPS: HeanEvent[] = [
  intent("a", "buy", "entry", T0), fill("a", "buy", "100000", T0 + 1000),
  intent("b", "sell", "exit", T0 + 60_000), fill("b", "sell", "101000", T0 + 61_000),
  intent("c", "buy", "entry", T0 + 86_400_000), fill("c", "buy", "100000", T0 + 86_401_000),
  intent("d", "sell", "exit", T0 + 86_460_000), fill("d", "sell", "99500", T0 + 86_461_000),
];

async function withBot(notify: { fills: boolean; exits: boolean } | undefined, body: (api: FakeBotApi, view: FakeEngineView, run: RunPerformance) => Promise<void>): Promise<void> {
  const api = new FakeBotApi(TOKEN);
  const apiRoot = await api.start();
  const view = new FakeEngineView();
  // These tests feed their own trips: the fake's own history of trades is not theirs.
  view.performanceReport = performanceReport(new RunPerformance(), dec("10000"), dec("10000"));
  const run = new RunPerformance();
  const bot: TelegramBot = await startTelegramBot({ view, token: TOKEN, allowedChatIds: [OPERATOR], apiRoot, alertIntervalMs: 0, pollTimeoutSeconds: 5, ...(notify === undefined ? {} : { notify }) });
  try {
    await body(api, view, run);
  } finally {
    await bot.stop();
    await api.close();
  }
}

const ask = async (api: FakeBotApi, text: string): Promise<string> => {
  const n = api.sent.length;
  api.message(OPERATOR, text);
  const sent = await api.waitFor((s) => s.length > n);
  return sent[n]!.text;
};

describe("telegram reports", () => {
  test("/trades, /profit, /daily, /performance, /balance read the performance report", async () => {
    await withBot(undefined, async (api, view, run) => {
      feed(run, TRIPS);
      view.performanceReport = performanceReport(run, dec("10000"), dec("10008"));
      const trades = await ask(api, "/trades");
      assert.match(trades, /last 2 closed trades \(of 2\):/);
      // Newest first, with P&L net of fees, duration and exit reason.
      assert.match(trades, /#2 BTCUSDT long 0\.01 100000 → 99500 -6\.00 \(fees 1\.00, 1m00s, exit: signal\)[\s\S]*#1 BTCUSDT long 0\.01 100000 → 101000 \+9\.00/);
      assert.match(await ask(api, "/trades 1"), /last 1 closed trades \(of 2\):\n#2 /);
      assert.match(await ask(api, "/trades zero"), /usage: \/trades \[N\]/);
      const profit = await ask(api, "/profit");
      assert.match(profit, /net P&L \+8\.00/);
      assert.match(profit, /closed trades 2 · win rate 50\.00% \(1 wins, 1 losses\)/);
      assert.match(profit, /profit factor 1\.50/);
      assert.match(profit, /best: BTCUSDT \+3\.00 \(2 trades\)/);
      assert.match(profit, /^fees 2\.00 · max drawdown/m, "no funding figure where there was none");
      // Funding the account paid while holding (a perpetual's carry) is shown beside the fees.
      run.apply({ type: "funding.paid", ts: Date.UTC(2026, 11, 5, 8), fundingId: "f1", symbol: "BTCUSDT", paid: dec("0.25"), rate: dec("0.0001"), positionQty: dec("0.01"), markPrice: dec("100000"), venueTs: Date.UTC(2026, 11, 5, 8), source: "stream" }, () => dec("10008"), () => dec("0"));
      view.performanceReport = performanceReport(run, dec("10000"), dec("10007.75"));
      assert.match(await ask(api, "/profit"), /^fees 2\.00 · funding -0\.25 · max drawdown/m);
      const daily = await ask(api, "/daily 3");
      assert.match(daily, /daily P&L \(UTC\), last 3 days:/);
      assert.match(daily, /2026-12-05 {2}-6\.00 {2}1 trades/);
      assert.match(daily, /2026-12-04 {2}\+9\.00 {2}1 trades/);
      assert.match(await ask(api, "/performance"), /1\. BTCUSDT \+3\.00 · 2 trades · win 50%/);
      const balance = await ask(api, "/balance");
      assert.match(balance, /equity [\d,]+\.\d\d · cash [\d,]+\.\d\d/);
      assert.match(balance, /BTCUSDT LONG 0\.010/);
      assert.match(await ask(api, "/help"), /\/profit[\s\S]*\/daily/);
      await api.waitFor(() => api.commandsMenu !== undefined);
      for (const c of ["trades", "profit", "daily", "balance", "performance"]) assert.ok((api.commandsMenu as { command: string }[]).some((m) => m.command === c), c);
    });
  });

  test("fills and closed trades are pushed as they happen", async () => {
    await withBot(undefined, async (api, view, run) => {
      for (const e of TRIPS.slice(0, 4)) {
        feed(run, [e]);
        view.performanceReport = performanceReport(run, dec("10000"), dec("10009"));
        view.emit(e);
      }
      const sent = await api.waitFor((s) => s.some((m) => m.text.includes("closed #1")));
      const all = sent.map((m) => m.text).join("\n");
      assert.match(all, /🟢 BUY 0\.01 BTCUSDT @ 100000 \(taker, fee 0\.5\)/);
      assert.match(all, /🔴 SELL 0\.01 BTCUSDT @ 101000/);
      assert.match(all, /✅ closed #1 BTCUSDT long 0\.01 100000 → 101000 \+9\.00/);
      assert.equal(all.match(/closed #1/g)!.length, 1);
    });
  });

  test("telegram.notify.fills=false pushes exits only", async () => {
    await withBot({ fills: false, exits: true }, async (api, view, run) => {
      for (const e of TRIPS.slice(0, 4)) {
        feed(run, [e]);
        view.performanceReport = performanceReport(run, dec("10000"), dec("10009"));
        view.emit(e);
      }
      const sent = await api.waitFor((s) => s.some((m) => m.text.includes("closed #1")));
      assert.ok(sent.every((m) => !/BUY|SELL/.test(m.text)), JSON.stringify(sent));
    });
  });
});

describe("telegram.notify config", () => {
  test("defaults on, takes booleans, refuses anything else and unknown keys", () => {
    assert.deepEqual(validateConfig({}).telegram.notify, { fills: true, exits: true });
    assert.deepEqual(validateConfig({ telegram: { notify: { fills: false } } }).telegram.notify, { fills: false, exits: true });
    for (const bad of [{ telegram: { notify: { fills: "no" } } }, { telegram: { notify: { entries: true } } }, { telegram: { notify: 1 } }]) {
      assert.throws(() => validateConfig(bad), (e) => isHeanError(e, "CONFIG_INVALID"), JSON.stringify(bad));
    }
  });
});
