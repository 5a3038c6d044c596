/**
 * Issue 7 end to end on the real engine: `hean run --api-port` serves the API, metrics and
 * dashboard while paper trading; a stop from the API and from Telegram (a local Bot API server)
 * halts new exposure and shows in /api/status; and with every secret set, no log line and no
 * API response ever contains one of them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FakeBotApi } from "../control/fake-bot-api.ts";
import { heanAsync, waitForOutput } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-ops-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRETS = {
  HEAN_API_TOKEN: "api-token-0123456789-abcdefXYZ",
  HEAN_BYBIT_API_KEY: "bybitKEYdoNotLeak42",
  HEAN_BYBIT_API_SECRET: "bybitSECRETdoNotLeak4242",
  HEAN_TELEGRAM_TOKEN: "123456789:AAFakeTokenForTests_abcdefghijklmnop",
};
const OPERATOR = 4242;
const PROMTOOL = "/usr/bin/promtool";

test("the API, metrics, dashboard and Telegram control a paper-trading engine, and no secret ever leaks", async () => {
  const bot = new FakeBotApi(SECRETS.HEAN_TELEGRAM_TOKEN);
  const apiRoot = await bot.start();
  const child = heanAsync(
    ["run", "--api-port", "0", "--journal", join(dir, "ops.db"), "--strategy", "churn", "--quiet", "--log-level", "debug"],
    { ...SECRETS, HEAN_TELEGRAM_CHAT_IDS: String(OPERATOR), HEAN_TELEGRAM_API_ROOT: apiRoot },
  );
  const responses: string[] = [];
  try {
    await waitForOutput(child, "dashboard and metrics listening");
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(child.output())?.[1];
    assert.ok(url !== undefined, "the API logged where it listens");
    const get = async (path: string): Promise<Response> => {
      const res = await fetch(url + path);
      responses.push(await res.clone().text());
      return res;
    };
    const command = async (body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(url + "/api/commands", {
        method: "POST",
        headers: { "content-type": "application/json", ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      responses.push(text);
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    };

    assert.equal((await get("/health")).status, 200);
    assert.equal((await get("/ready")).status, 200, "journal replayed, venue connected and reconciled");
    const status = (await (await get("/api/status")).json()) as Record<string, unknown>;
    assert.equal(status.mode, "paper");
    assert.equal(status.tradingState, "active");
    for (const path of ["/api/positions", "/api/orders", "/api/risk", "/api/bus", "/api/fills", "/api/alerts", "/api/equity"]) {
      assert.equal((await get(path)).status, 200, path);
    }
    const page = await get("/");
    assert.match(await page.text(), /<html/i);

    // Scrape until churn has traded (the evidence), however slow the machine.
    let metrics = await (await get("/metrics")).text();
    while (!/hean_orders_submitted_total\{[^}]*\} [1-9]/.test(metrics)) {
      await new Promise((r) => setTimeout(r, 200));
      metrics = await (await get("/metrics")).text();
    }
    assert.match(metrics, /hean_equity/);
    assert.match(metrics, /hean_orders_submitted_total\{[^}]*\} [1-9]/, "orders were submitted");
    if (existsSync(PROMTOOL)) {
      const check = spawnSync(PROMTOOL, ["check", "metrics"], { input: metrics, encoding: "utf8" });
      assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
    } else {
      console.warn("SKIPPED promtool check: /usr/bin/promtool is not installed (apt-get install prometheus)");
    }

    // Commands: no token, malformed, unknown: refused and nothing changes.
    assert.equal((await command({ type: "stop", commandId: "x1" })).status, 401);
    assert.equal((await command("{not json", SECRETS.HEAN_API_TOKEN)).status, 400);
    assert.equal((await command({ type: "explode", commandId: "x2" }, SECRETS.HEAN_API_TOKEN)).status, 422);
    assert.equal(((await (await get("/api/status")).json()) as Record<string, unknown>).tradingState, "active");

    // Stop from the API halts new exposure and shows in /api/status.
    const stop = await command({ type: "stop", commandId: "ops-stop-1" }, SECRETS.HEAN_API_TOKEN);
    assert.equal(stop.status, 200);
    assert.equal(stop.body.ok, true);
    const halted = (await (await get("/api/status")).json()) as Record<string, unknown>;
    assert.equal(halted.tradingState, "halted");
    const again = await command({ type: "stop", commandId: "ops-stop-1" }, SECRETS.HEAN_API_TOKEN);
    assert.equal(again.body.duplicate, true, "idempotent by commandId");

    // Resume and stop again from Telegram.
    let n = bot.sent.length;
    bot.message(OPERATOR, "/resume");
    await bot.waitFor((s) => s.length > n, 10_000);
    assert.equal(((await (await get("/api/status")).json()) as Record<string, unknown>).tradingState, "active");
    n = bot.sent.length;
    bot.message(OPERATOR, "/stop");
    await bot.waitFor((s) => s.slice(n).some((m) => /stop/i.test(m.text)), 10_000);
    assert.equal(((await (await get("/api/status")).json()) as Record<string, unknown>).tradingState, "halted");
    const risk = (await (await get("/api/risk")).json()) as { killSwitch: { reason: string } };
    assert.equal(risk.killSwitch.reason, "OPERATOR_STOP");
    responses.push(...bot.sent.map((m) => m.text));
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await bot.close();
  }
  assert.equal(child.exitCode, 0, child.output());
  const everything = [child.output(), ...responses].join("\n");
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!everything.includes(value), `${name} leaked into logs or responses`);
  }
  assert.ok(child.output().split("\n").filter((l) => l.startsWith("{")).length > 5, "the engine logged JSON lines");
});
