/**
 * Issue 16, Telegram against a real `hean run`: fills and closed trades reach the chat as they
 * happen, and /trades and /profit answer; a pushed trade reads as the exit report writes it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FakeBotApi } from "../control/fake-bot-api.ts";
import { heanAsync, readReport, waitForOutput } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-tg-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = "123456789:AAFakeTokenForTests_e2eabcdefghijklmn";
const OPERATOR = 4242;

test("a paper run pushes its fills and closed trades, and /trades matches the exit report", async () => {
  const bot = new FakeBotApi(TOKEN);
  const apiRoot = await bot.start();
  const report = join(dir, "r.json");
  const child = heanAsync(["run", "--strategy", "churn", "--journal", join(dir, "tg.db"), "--report", report, "--quiet"], {
    HEAN_TELEGRAM_TOKEN: TOKEN,
    HEAN_TELEGRAM_CHAT_IDS: String(OPERATOR),
    HEAN_TELEGRAM_API_ROOT: apiRoot,
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    await waitForOutput(child, "Telegram bot polling", 120_000);
    const pushed = await bot.waitFor((s) => s.some((m) => m.text.includes("closed #1 ")), 120_000);
    assert.ok(pushed.some((m) => /^🟢 BUY|^🔴 SELL/m.test(m.text)), "a fill was pushed");
    const n = bot.sent.length;
    bot.message(OPERATOR, "/trades 50");
    const answer = (await bot.waitFor((s) => s.slice(n).some((m) => m.text.startsWith("last ")), 60_000)).slice(n).find((m) => m.text.startsWith("last "))!;
    assert.match(answer.text, /#1 BTCUSDT|#1 ETHUSDT/);
    const m = bot.sent.length;
    bot.message(OPERATOR, "/profit");
    await bot.waitFor((s) => s.slice(m).some((x) => x.text.startsWith("net P&L")), 60_000);
    child.kill("SIGTERM");
    await exited;
    // The bot is gone with the engine; the report holds what /trades showed.
    const r = readReport(report);
    const first = r.trades.closed.find((t) => t.n === 1)!;
    const line = pushed.map((m) => m.text).join("\n").split("\n").find((l) => l.includes("closed #1 "))!;
    assert.ok(line.includes(`${first.entryPrice} → ${first.exitPrice}`), `${line} vs ${JSON.stringify(first)}`);
    assert.ok(line.includes(`exit: ${first.exitReason}`), line);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await bot.close();
  }
});
