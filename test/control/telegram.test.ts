import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { startTelegramBot, type TelegramBot } from "../../src/control/telegram/bot.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { BOT_ID, FakeBotApi } from "./fake-bot-api.ts";
import { FakeEngineView } from "./fake-view.ts";

const TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnop";
const OPERATOR = 4242;
const SECOND_OPERATOR = 4343;
const STRANGER = 666;

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter((l) => l !== ""));
    done();
  }
}

describe("telegram bot against a local Bot API server", () => {
  let api: FakeBotApi;
  let view: FakeEngineView;
  let bot: TelegramBot;
  const logs = new Capture();

  const replyTo = async (chatId: number, after: number): Promise<string> => {
    const sent = await api.waitFor((s) => s.slice(after).some((m) => m.chatId === chatId));
    return sent.slice(after).find((m) => m.chatId === chatId)!.text;
  };
  const ask = async (chatId: number, text: string): Promise<string> => {
    const n = api.sent.length;
    api.message(chatId, text);
    return replyTo(chatId, n);
  };

  before(async () => {
    api = new FakeBotApi(TOKEN);
    const apiRoot = await api.start();
    view = new FakeEngineView();
    bot = await startTelegramBot({
      view,
      token: TOKEN,
      allowedChatIds: [OPERATOR, String(SECOND_OPERATOR)],
      apiRoot,
      logger: createLogger({ destination: logs, level: "debug" }),
      alertIntervalMs: 0,
      pollTimeoutSeconds: 5,
    });
  });

  after(async () => {
    await bot.stop();
    await api.close();
  });

  test("starts: getMe, deleteWebhook, long polling, command menu", async () => {
    assert.equal(bot.username, "hean_test_bot");
    assert.ok(api.calls.includes("getMe"));
    assert.ok(api.calls.includes("deleteWebhook"));
    await api.waitFor(() => api.commandsMenu !== undefined);
    assert.ok((api.commandsMenu as { command: string }[]).some((c) => c.command === "set_stoploss"));
  });

  test("/status answers with trading state, risk and equity", async () => {
    const text = await ask(OPERATOR, "/status");
    assert.match(text, /hean · paper · sim · impulse/);
    assert.match(text, /trading: ACTIVE · risk: NORMAL/);
    assert.match(text, /equity [\d,]+\.\d\d/);
    assert.match(text, /ready: yes/);
    // A strategy the run disabled stays in the status, with when and why.
    assert.match(text, /\nstrategy scalper DISABLED at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: onBook threw TypeError: x is undefined \(at \/srv\/strategies\/scalper\.ts:12:7\)\n/);
  });

  test("/positions lists open positions only", async () => {
    const text = await ask(OPERATOR, "/positions");
    assert.match(text, /BTCUSDT LONG 0\.010 @ 97105\.5/);
    assert.doesNotMatch(text, /ETHUSDT/);
  });

  test("/stop reaches the engine with telegram source and an update-derived commandId", async () => {
    const n = api.sent.length;
    const update = api.message(OPERATOR, "/stop");
    const text = await replyTo(OPERATOR, n);
    assert.match(text, /stop: done/);
    const sent = view.commands.at(-1)!;
    assert.deepEqual(sent, { commandId: `telegram:${BOT_ID}:${update.update_id}`, command: "stop", source: `telegram:${OPERATOR}`, args: {} });
    assert.equal(view.status().tradingState, "halted");

    // Telegram redelivers the same update (its confirmation was lost): nothing is applied twice.
    const count = view.commands.length;
    const m = api.sent.length;
    api.redeliver(update);
    const again = await replyTo(OPERATOR, m);
    assert.match(again, /already received/);
    assert.equal(view.commands.length, count);
  });

  test("/resume, /flatten and /cancel_all map to engine commands", async () => {
    assert.match(await ask(OPERATOR, "/resume"), /resume: done/);
    assert.match(await ask(SECOND_OPERATOR, "/flatten"), /flatten: done/);
    assert.equal(view.commands.at(-1)!.source, `telegram:${SECOND_OPERATOR}`);
    assert.match(await ask(OPERATOR, "/cancel_all"), /cancel-all: done/);
    assert.equal(view.commands.at(-1)!.command, "cancel-all");
  });

  test("/set_stoploss validates its arguments before anything is sent", async () => {
    const before = view.commands.length;
    assert.match(await ask(OPERATOR, "/set_stoploss"), /usage: \/set_stoploss SYMBOL PCT/);
    assert.match(await ask(OPERATOR, "/set_stoploss DOGEUSDT 2"), /unknown symbol "DOGEUSDT"/);
    assert.match(await ask(OPERATOR, "/set_stoploss BTCUSDT abc"), /"pct" must be a finite number/);
    assert.match(await ask(OPERATOR, "/set_stoploss BTCUSDT 250"), /above 0 and below 100/);
    assert.equal(view.commands.length, before);
    assert.match(await ask(OPERATOR, "/set_stoploss btcusdt 1.5"), /set-stoploss: done/);
    assert.deepEqual(view.commands.at(-1)!.args, { symbol: "BTCUSDT", pct: 1.5 });
  });

  test("a chat not on the allow-list gets nothing; the log has its id but not its text", async () => {
    const before = view.commands.length;
    api.message(STRANGER, "/stop secret-plan-xyz");
    // A later message from the operator is answered, so the stranger's update was processed first.
    await ask(OPERATOR, "/help");
    assert.equal(view.commands.length, before);
    assert.ok(!api.sent.some((m) => m.chatId === STRANGER));
    const line = logs.lines.find((l) => l.includes("not on the allow-list"));
    assert.ok(line !== undefined);
    assert.equal(JSON.parse(line).chatId, STRANGER);
    assert.ok(!logs.lines.some((l) => l.includes("secret-plan-xyz")));
  });

  test("stale risk-adding commands are refused; stale risk-reducing ones still run", async () => {
    const before = view.commands.length;
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    let n = api.sent.length;
    api.message(OPERATOR, "/resume", { dateSeconds: hourAgo });
    assert.match(await replyTo(OPERATOR, n), /resume: REFUSED\nthis message is \d+ s old/);
    assert.equal(view.commands.length, before);
    n = api.sent.length;
    api.message(OPERATOR, "/stop", { dateSeconds: hourAgo });
    assert.match(await replyTo(OPERATOR, n), /stop: done/);
    assert.equal(view.commands.length, before + 1);
  });

  test("warning and critical alerts are pushed to every allowed chat; info is not", async () => {
    const n = api.sent.length;
    view.raise({ type: "alert", ts: Date.UTC(2026, 0, 1, 12, 0, 0), severity: "info", code: "INFO_ONLY", message: "fyi", context: {} });
    view.raise({ type: "alert", ts: Date.UTC(2026, 0, 1, 12, 0, 1), severity: "critical", code: "KILL_SWITCH", message: "kill switch engaged: HARD_STOP", context: {} });
    const sent = await api.waitFor((s) => new Set(s.slice(n).map((m) => m.chatId)).size === 2);
    const pushed = sent.slice(n);
    assert.deepEqual(new Set(pushed.map((m) => m.chatId)), new Set([OPERATOR, SECOND_OPERATOR]));
    for (const m of pushed) {
      assert.match(m.text, /CRITICAL KILL_SWITCH 12:00:01Z\nkill switch engaged: HARD_STOP/);
      assert.doesNotMatch(m.text, /INFO_ONLY/);
    }
  });

  test("the bot token never reaches the log", () => {
    assert.ok(logs.lines.length > 5);
    assert.ok(!logs.lines.some((l) => l.includes(TOKEN) || l.includes(TOKEN.split(":")[1]!)));
  });
});

describe("telegram bot: start-up and shutdown", () => {
  test("a refused token is a clear configuration error, not a hang", async () => {
    const api = new FakeBotApi(TOKEN);
    const apiRoot = await api.start();
    try {
      await assert.rejects(
        startTelegramBot({ view: new FakeEngineView(), token: "999:WrongTokenWrongTokenWrongToken", allowedChatIds: [OPERATOR], apiRoot }),
        (e) => isHeanError(e, "CONFIG_INVALID") && /token was refused/.test(e.message),
      );
    } finally {
      await api.close();
    }
  });

  test("no allowed chat is refused at start", async () => {
    await assert.rejects(
      startTelegramBot({ view: new FakeEngineView(), token: TOKEN, allowedChatIds: [], apiRoot: "http://127.0.0.1:9" }),
      (e) => isHeanError(e, "CONFIG_INVALID"),
    );
  });

  test("stop() ends polling, confirms the offset and unsubscribes from alerts", async () => {
    const api = new FakeBotApi(TOKEN);
    const apiRoot = await api.start();
    const view = new FakeEngineView();
    const bot = await startTelegramBot({ view, token: TOKEN, allowedChatIds: [OPERATOR], apiRoot, pollTimeoutSeconds: 5, alertIntervalMs: 0 });
    try {
      assert.equal(view.alertListenerCount, 1);
      const n = api.sent.length;
      api.message(OPERATOR, "/status");
      await api.waitFor((s) => s.length > n);
      const polls = api.calls.filter((c) => c === "getUpdates").length;
      await bot.stop();
      assert.equal(view.alertListenerCount, 0);
      assert.ok(api.calls.filter((c) => c === "getUpdates").length > polls, "the final getUpdates confirms the offset");
    } finally {
      await bot.stop();
      await api.close();
    }
  });
});
