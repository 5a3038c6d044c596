/**
 * Issue 10, defect 2 through the operator surfaces, on the real runtime (engine, journal, risk,
 * simulated venue): a commandId reused for another command (`cancel-all`, then `stop` under the
 * same id) is refused, 409 from the API and a "not done" in Telegram, and trading state does not
 * change; the same body again stays an idempotent duplicate. The journal keeps the distinction
 * across a restart.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { startControlServer } from "../../src/control/http/server.ts";
import { startTelegramBot } from "../../src/control/telegram/bot.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { FakeBotApi } from "../control/fake-bot-api.ts";
import { postCommand } from "../control/http-helpers.ts";
import { type TestRuntime, ofType, startTestRuntime, stopOnSimClock, tempJournal } from "./helpers.ts";

const TOKEN = "t0ken-for-conflict-tests-5a9c";
const BOT_TOKEN = "123456789:AAFakeTokenForConflictTests_abcdef";
const OPERATOR = 4242;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(journalPath?: string): Promise<TestRuntime & { journalPath: string }> {
  const j = journalPath === undefined ? tempJournal() : undefined;
  if (j !== undefined) cleanups.push(j.cleanup);
  const path = journalPath ?? j!.path;
  const t = await startTestRuntime({ journalPath: path, overrides: ["strategy.name=none"] });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await t.stop();
  };
  cleanups.push(stop);
  return { ...t, journalPath: path, stop };
}

function unchanged(t: TestRuntime): void {
  assert.equal(t.rt.engine.state.tradingState(), "active", "trading stays active");
  assert.equal(t.rt.killSwitch.active, false, "the kill switch was not triggered");
  assert.equal(ofType(t.events, "risk.kill-switch").length, 0);
}

test("HTTP API: another command under a known commandId is 409 COMMAND_CONFLICT and changes nothing; the same body again is a duplicate", async () => {
  const t = await start();
  const server = await startControlServer({ view: new RuntimeView(t.rt), port: 0, token: TOKEN });
  cleanups.push(() => server.close());
  await t.advance(500);

  const first = await postCommand(server.url, { type: "cancel-all", commandId: "op-1" }, TOKEN);
  assert.equal(first.status, 200);
  assert.equal(first.json.duplicate, false);

  const conflict = await postCommand(server.url, { type: "stop", commandId: "op-1" }, TOKEN);
  assert.equal(conflict.status, 409);
  assert.equal(conflict.json.error.code, "COMMAND_CONFLICT");
  assert.match(conflict.json.error.message, /op-1 was already used for cancel-all.*new commandId/);
  unchanged(t);
  assert.equal(ofType(t.events, "command").length, 1, "only the first command reached the engine");

  const again = await postCommand(server.url, { type: "cancel-all", commandId: "op-1" }, TOKEN);
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, { ...first.json, duplicate: true });

  // Same arguments in another key order and spelling (the validator normalises the symbol) is the same command...
  assert.equal((await postCommand(server.url, { type: "set-stoploss", commandId: "sl-1", symbol: "BTCUSDT", pct: 2 }, TOKEN)).status, 200);
  const resent = await postCommand(server.url, { pct: "2", commandId: "sl-1", symbol: "btcusdt", type: "set-stoploss" }, TOKEN);
  assert.equal(resent.status, 200);
  assert.equal(resent.json.duplicate, true);
  // ...other arguments are another command.
  const other = await postCommand(server.url, { type: "set-stoploss", commandId: "sl-1", symbol: "BTCUSDT", pct: 5 }, TOKEN);
  assert.equal(other.status, 409);
  assert.match(other.json.error.message, /already used for set-stoploss with other arguments/);
  assert.equal(t.rt.engine.state.stopLosses.get("BTCUSDT"), 2, "the first stop-loss stands");

  const stop = await postCommand(server.url, { type: "stop", commandId: "op-2" }, TOKEN);
  assert.equal(stop.status, 200);
  assert.equal(t.rt.engine.state.tradingState(), "halted", "under a new id the stop runs");
});

test("Telegram: an update id handed out again for another command gets 'not done (conflict)' in the chat and changes nothing", async () => {
  const t = await start();
  const api = new FakeBotApi(BOT_TOKEN);
  const apiRoot = await api.start();
  cleanups.push(() => api.close());
  const bot = await startTelegramBot({ view: new RuntimeView(t.rt), token: BOT_TOKEN, allowedChatIds: [OPERATOR], apiRoot, pollTimeoutSeconds: 5, alertIntervalMs: 0 });
  cleanups.push(() => bot.stop());
  await t.advance(500);
  // The answer to a command starts with its name (pushed alerts may come in between).
  const answer = (m: { text: string }): boolean => /^(stop|cancel-all):/.test(m.text);
  const replyAfter = async (n: number): Promise<string> => (await api.waitFor((s) => s.slice(n).some(answer))).slice(n).find(answer)!.text;

  let n = api.sent.length;
  const update = api.message(OPERATOR, "/cancel_all");
  assert.match(await replyAfter(n), /cancel-all: done/);

  // The same update id, now carrying /stop.
  n = api.sent.length;
  api.redeliver({ ...update, message: { ...update.message, text: "/stop" } });
  const reply = await replyAfter(n);
  assert.match(reply, /^stop: NOT DONE \(conflict\)/);
  assert.match(reply, /already used for cancel-all/);
  unchanged(t);

  // The real redelivery of the first update is still a harmless duplicate.
  n = api.sent.length;
  api.redeliver(update);
  assert.match(await replyAfter(n), /cancel-all: done \(already received/);
  assert.equal(ofType(t.events, "command").length, 1);

  n = api.sent.length;
  api.message(OPERATOR, "/stop");
  assert.match(await replyAfter(n), /stop: done/);
  assert.equal(t.rt.engine.state.tradingState(), "halted");
});

test("across a restart (journal replay) a reused commandId with another payload is still a conflict; the same payload still a duplicate", async () => {
  const first = await start();
  const view = new RuntimeView(first.rt);
  await first.advance(500);
  const outcome = await view.submitCommand({ commandId: "op-1", command: "cancel-all", source: "api:127.0.0.1", args: { reason: "tidy up" } });
  assert.equal(outcome.ok, true);
  await first.stop();

  const second = await start(first.journalPath);
  const after = new RuntimeView(second.rt);
  await assert.rejects(
    after.submitCommand({ commandId: "op-1", command: "stop", source: "telegram:42", args: {} }),
    (e) => isHeanError(e, "COMMAND_CONFLICT") && /already used for cancel-all/.test(e.message),
  );
  await assert.rejects(
    after.submitCommand({ commandId: "op-1", command: "cancel-all", source: "api:127.0.0.1", args: { reason: "something else" } }),
    (e) => isHeanError(e, "COMMAND_CONFLICT"),
  );
  unchanged(second);
  const resend = await after.submitCommand({ commandId: "op-1", command: "cancel-all", source: "api:10.0.0.9", args: { reason: "tidy up" } });
  assert.deepEqual(resend, { ...outcome, duplicate: true });
  assert.equal(ofType(second.events, "command").length, 0, "nothing new reached the engine");
});

test("two different commands racing under one commandId before the engine has applied either: the second is refused", async () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const t = await start(j.path);
  await t.stop();
  // The production bus: the inbox is drained on a later turn, so both requests arrive before either is applied.
  const { loadConfig } = await import("../../src/config/config.ts");
  const config = loadConfig({ overrides: [`journal.path=${JSON.stringify(j.path)}`, "strategy.name=none"] });
  const rt = await Runtime.start({ config, clock: t.clock, busMode: "async", journal: SqliteJournal.open(j.path, { durability: "normal", writer: "inline" }) });
  cleanups.push(() => stopOnSimClock(rt, t.clock, "test done"));
  const view = new RuntimeView(rt);
  const cancelAll = view.submitCommand({ commandId: "race", command: "cancel-all", source: "api:a", args: {} });
  const stop = view.submitCommand({ commandId: "race", command: "stop", source: "api:b", args: {} });
  const resend = view.submitCommand({ commandId: "race", command: "cancel-all", source: "api:c", args: {} });
  await assert.rejects(stop, (e) => isHeanError(e, "COMMAND_CONFLICT"));
  const [a, c] = await Promise.all([cancelAll, resend]);
  assert.equal(a.duplicate, false);
  assert.deepEqual(c, { ...a, duplicate: true });
  assert.equal(rt.engine.state.tradingState(), "active");
  assert.equal(rt.killSwitch.active, false);
});
