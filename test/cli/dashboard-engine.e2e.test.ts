/**
 * The dashboard on the real engine, in real headless Chromium: `hean run --api-port 0` paper
 * trades; the page shows the engine's equity and mode; CLOSE on a position closes it (exit reason
 * "operator", shown in the trades table and marked on the chart); and a STOP clicked on the page
 * (with confirmation and the token) halts new exposure, which /api/status then shows.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { chromiumMissing, launchChromium } from "../chromium.ts";
import { heanAsync, ROOT, waitForOutput } from "./cli-helpers.ts";

/** Browser globals, used only inside functions that run in the page (the project's lib has no DOM). */
declare const document: any;
declare const window: any;

const TOKEN = "engine-dashboard-token-7c21d4a9";
const missing = chromiumMissing("the dashboard-on-the-engine test");

const dir = mkdtempSync(join(tmpdir(), "hean-dash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the dashboard shows the running engine and its STOP halts it", { skip: missing }, async () => {
  // Churn holds its positions here until closed by hand: the CLOSE button makes the first trade.
  const child = heanAsync(["run", "--api-port", "0", "--journal", join(dir, "dash.db"), "--strategy", "churn", "--set", "strategy.params.holdMs=600000", "--quiet"], {
    HEAN_API_TOKEN: TOKEN,
  });
  const browser = await launchChromium({ width: 1480, height: 1000 });
  try {
    await waitForOutput(child, "dashboard and metrics listening");
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(child.output())![1]!;
    const page = browser.page;
    await page.goto(url, { waitUntil: "load" });
    await page.locator("#conn", { hasText: "live" }).waitFor();
    assert.equal(await page.textContent("#mode"), "PAPER");
    assert.equal(await page.textContent("#trading-state"), "ACTIVE");
    assert.match((await page.textContent("#kpi-equity")) ?? "", /^\d{1,3}(,\d{3})*\.\d{2}$/);
    // Churn trades within a few seconds: its fills appear in the table.
    await page.locator("#fills tbody tr").first().waitFor({ timeout: 15_000 });

    // Issue 16 on the real engine: CLOSE on a position (confirmation and token) is journaled and
    // closes it reduce-only; the closed trade shows in the table with exit reason "operator", on
    // the price chart (its fills and its exit), and the equity chart moves with the engine's curve.
    const row = page.locator("#positions tbody tr[data-symbol]").first();
    await row.waitFor({ timeout: 30_000 });
    const symbol = (await row.getAttribute("data-symbol"))!;
    await row.locator('button[title="close this position (reduce-only)"]').click();
    await page.locator("#confirm").waitFor({ state: "visible" });
    assert.equal(await page.textContent("#confirm-symbol"), symbol);
    await page.fill("#cmd-token", TOKEN);
    await page.click("#cmd-confirm");
    await page.locator(".toast", { hasText: "close-position: done" }).waitFor({ timeout: 10_000 });
    await page.locator(`#trades tbody tr[data-symbol="${symbol}"]`).first().waitFor({ timeout: 20_000 });
    const perf = (await (await fetch(url + "/api/performance")).json()) as { trades: { closed: { symbol: string; exitReason: string }[] }; curve: unknown[] };
    const trade = perf.trades.closed.find((t) => t.symbol === symbol)!;
    assert.equal(trade.exitReason, "operator");
    assert.match((await page.locator("#trades tbody tr").first().textContent()) ?? "", new RegExp(`${trade.symbol}.*${trade.exitReason}`));
    await page.click(`#symbol-tabs [data-symbol="${trade.symbol}"]`);
    await page.click("[data-interval='1s']");
    const chart = await page.waitForFunction(
      (symbol) => {
        const d = document.getElementById("price-chart")!.dataset;
        return d["symbol"] === symbol && d["interval"] === "1s" && Number(d["exitMarkers"]) >= 1 ? { ...d } : false;
      },
      trade.symbol,
      { timeout: 20_000 },
    );
    const px = (await chart.jsonValue()) as Record<string, string>;
    assert.ok(Number(px["fillMarkers"]) >= 2, `the trade's entry and exit fills are marked: ${JSON.stringify(px)}`);
    assert.ok(Number(px["points"]) >= 2, `candles of the trading so far: ${JSON.stringify(px)}`);
    const equity = await page.evaluate(() => ({ ...document.getElementById("equity-chart")!.dataset }) as Record<string, string>);
    assert.ok(Number(equity["points"]) >= 2 && Number(equity["distinct"]) >= 2, `the equity chart moves: ${JSON.stringify(equity)}`);
    assert.ok(perf.curve.length >= 2);
    // The chart keeps following the run: the whole curve stays in view as it grows (not the few
    // seconds the first fit saw).
    await page.waitForFunction(
      (n) => {
        const r = window.__heanRange("equity");
        return r.bars > n && r.visible !== null && r.visible.from <= r.first && r.visible.to >= r.last;
      },
      Number(equity["points"]),
      { timeout: 20_000 },
    );
    const strategies = await page.textContent("#strategies");
    assert.match(strategies ?? "", /churn (open|close)/, "the strategy panel shows churn's last signal and its reason");

    await page.click("#btn-stop");
    await page.locator("#confirm").waitFor({ state: "visible" });
    await page.fill("#cmd-token", TOKEN);
    await page.click("#cmd-confirm");
    await page.locator("#trading-state", { hasText: "HALTED" }).waitFor({ timeout: 10_000 });
    const status = (await (await fetch(url + "/api/status")).json()) as { tradingState: string };
    assert.equal(status.tradingState, "halted");
    mkdirSync(join(ROOT, "test-output"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-output", "dashboard-engine.png"), fullPage: true });
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  assert.equal(child.exitCode, 0, child.output());
});
