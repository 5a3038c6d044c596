/**
 * Drives the dashboard in real headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against the control server with an in-memory engine view.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { dec } from "../../src/core/decimal.ts";
import { startControlServer, type ControlServer } from "../../src/control/http/server.ts";
import { chromiumMissing, launchChromium, type Browser } from "../chromium.ts";
import { FakeEngineView } from "./fake-view.ts";

/** Browser globals, used only inside functions that run in the page (the project's lib has no DOM). */
declare const document: any;
declare const window: any;

const TOKEN = "dashboard-e2e-token-3f9a7c21d4";
const SCREENSHOT = join(import.meta.dirname, "../../test-output/dashboard.png");
const missing = chromiumMissing("the dashboard end-to-end test");

describe("dashboard in headless Chromium", { skip: missing }, () => {
  let view: FakeEngineView;
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let lostAnswers = 0;

  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0, token: TOKEN, stream: { intervalMs: 100, heartbeatMs: 1000 } });
    browser = await launchChromium({ width: 1480, height: 1000 });
    page = browser.page;
    page.on("console", (m) => {
      // The wrong-token step makes the browser log its 401, the lost-answer step its two 500s; anything else is a real problem.
      if (m.text().includes("status of 401")) return;
      if (m.text().includes("status of 500")) return void lostAnswers++;
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => {
      // The live stream is cut when the test closes the page; anything else is a real failure.
      if (!r.url().endsWith("/api/stream")) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    await page.goto(server.url, { waitUntil: "load" });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("shows equity, positions, orders, risk state, bus and alerts from the engine", async () => {
    await page.locator("#conn", { hasText: "live" }).waitFor();
    const equity = Number(view.status().equity).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    assert.equal(await page.textContent("#kpi-equity"), equity);
    assert.equal(await page.textContent("#mode"), "PAPER");
    assert.equal(await page.textContent("#trading-state"), "ACTIVE");
    assert.equal(await page.textContent("#risk-state"), "NORMAL");
    assert.equal(await page.textContent("#risk-big"), "NORMAL");
    const position = page.locator('#positions tbody tr[data-symbol="BTCUSDT"]');
    assert.match((await position.textContent()) ?? "", /BTCUSDT\s*LONG\s*0\.010\s*97,105\.5\s*97,230\.1\s*\+1\.25/);
    assert.equal(await page.locator("#positions tbody tr").count(), 1, "flat ETHUSDT is not listed");
    assert.match((await page.textContent("#orders tbody")) ?? "", /BTCUSDT\s*SELL\s*limitRO\s*97,400\.0\s*0 \/ 0\.010\s*open\s*exit/);
    assert.match((await page.textContent("#lanes tbody")) ?? "", /market\s*37\/4,096/);
    assert.match((await page.textContent("#bus-deadletters")) ?? "", /dead letters 1/);
    assert.match((await page.textContent("#alerts")) ?? "", /BUS_LANE_80/);
    assert.equal(await page.locator("#fills tbody tr").count(), 4);
    // Both charts drew into their canvases.
    assert.ok((await page.locator("#equity-chart canvas").count()) > 0);
    assert.ok((await page.locator("#price-chart canvas").count()) > 0);
    assert.match((await page.textContent(".attribution")) ?? "", /TradingView Lightweight Charts/);
  });

  test("updates live from the stream: alerts, fills, risk state", async () => {
    view.riskState = "SOFT_BRAKE";
    view.riskReasons = ["drawdown 1.8% above soft limit 1.5%"];
    view.raise({ type: "alert", ts: view.now, severity: "warning", code: "SOFT_BRAKE", message: "risk governor: SOFT_BRAKE (sizes halved)", context: {} });
    view.emit({
      type: "order.filled",
      ts: view.now,
      fillId: "F-live",
      clientOrderId: "hean-8",
      venueOrderId: "V-8",
      symbol: "BTCUSDT",
      side: "sell",
      price: dec("97230.1"),
      qty: dec("0.004"),
      fee: dec("0.08"),
      liquidity: "taker",
      venueTs: view.now,
      source: "stream",
    });
    await page.locator("#risk-state", { hasText: "SOFT_BRAKE" }).waitFor();
    await page.locator("#risk-reasons", { hasText: "drawdown 1.8% above soft limit 1.5%" }).waitFor();
    await page.locator("#alerts li", { hasText: "SOFT_BRAKE" }).first().waitFor();
    await page.locator("#fills tbody tr", { hasText: "0.004" }).waitFor();
  });

  const api = async (path: string): Promise<any> => (await fetch(server.url + path)).json();
  const dataset = (id: string): Promise<Record<string, string>> => page.evaluate((i) => ({ ...document.getElementById(i)!.dataset }) as Record<string, string>, id);
  const money = (x: string | number): string => Number(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const signedMoney = (x: string): string => (Number(x) > 0 ? `+${money(x)}` : money(x));
  const distinctSeconds = (points: readonly { ts: number }[]): number => new Set(points.map((p) => Math.floor(p.ts / 1000))).size;
  /** The chart has drawn what /api returned at least once since `loads` page loads. */
  const loaded = async (n = 1): Promise<void> => {
    await page.waitForFunction((k) => Number(document.body.dataset["loads"] ?? "0") >= k, n);
  };

  test("the KPIs, closed trades, per-symbol and per-day tables and the strategy panel equal /api/*", async () => {
    await loaded();
    const perf = await api("/api/performance");
    const status = await api("/api/status");
    assert.equal(await page.textContent("#kpi-equity"), money(status.equity));
    assert.equal(await page.textContent("#kpi-trades"), `${perf.performance.trades} · ${perf.performance.winRatePct.toFixed(1)}%`);
    assert.equal(await page.textContent("#kpi-profit-factor"), perf.performance.profitFactor.toFixed(2));
    // Closed trades, newest first: entry, exit, qty, P&L, fees, duration, exit reason.
    const rows = page.locator("#trades tbody tr");
    assert.equal(await rows.count(), perf.trades.closed.length);
    for (const [i, t] of [...perf.trades.closed].reverse().entries()) {
      const cells = await rows.nth(i).locator("td").allTextContents();
      assert.equal(cells[0], String(t.n));
      assert.equal(cells[2], t.symbol);
      assert.equal(cells[3], t.direction.toUpperCase());
      assert.equal(cells[4]!.replaceAll(",", ""), t.entryPrice);
      assert.equal(cells[5]!.replaceAll(",", ""), t.exitPrice);
      assert.equal(cells[6], t.qty);
      assert.equal(cells[7], signedMoney(t.netPnl));
      assert.equal(cells[8], money(t.fees));
      assert.match(cells[9]!, /^\d+m \d{2}s$/);
      assert.equal(cells[10], t.exitReason);
      assert.equal(cells[11], t.strategyId);
    }
    for (const [table, key, totals] of [["by-symbol", "symbol", perf.trades.bySymbol], ["by-day", "day", perf.trades.byDay]] as const) {
      const cells = await page.locator(`#${table} tbody tr`).first().locator("td").allTextContents();
      const t = totals[0];
      assert.deepEqual(cells, [t[key], String(t.trades), `${t.winRatePct.toFixed(1)}%`, signedMoney(t.netPnl), money(t.fees), t.profitFactor.toFixed(2)]);
    }
    const strategies = await api("/api/strategies");
    const card = page.locator('#strategies .strategy[data-id="impulse"]');
    const text = (await card.textContent()) ?? "";
    assert.ok(text.includes(strategies[0].lastSignal.reason), text);
    assert.ok(text.includes(strategies[0].state), text);
    assert.ok(text.includes("sizes from 100% of equity"), text);
    assert.ok(text.includes(`last denied: ${strategies[0].lastDenial.code}`), text);
    // A disabled strategy says so, when and why, and is not counted as running.
    const disabled = (await page.locator('#strategies .strategy[data-id="scalper"]').textContent()) ?? "";
    assert.match(disabled, /disabled.*disabled at \d\d:\d\d:\d\d: onBook threw TypeError: x is undefined \(at \/srv\/strategies\/scalper\.ts:12:7\)/);
    assert.equal(await page.textContent("#strategies-count"), "1 running");
  });

  test("defect: the equity chart follows the equity figure (not flat), with its drawdown below", async () => {
    const perf = await api("/api/performance");
    const eq = await dataset("equity-chart");
    assert.equal(Number(eq["points"]), distinctSeconds(perf.curve), "one point per second of the engine's curve");
    assert.equal(Number(eq["drawdownPoints"]), Number(eq["points"]));
    assert.ok(Number(eq["distinct"]) > 10, "the line moves");
    assert.equal(money(eq["last"]!), await page.textContent("#kpi-equity"), "the chart ends at the figure above it");
    const range = await page.evaluate(() => window.__heanRange("equity"));
    assert.ok(range.visible.from <= range.first && range.visible.to >= range.last, `the whole run is in view: ${JSON.stringify(range)}`);
    // The engine's equity moves: figure and chart move together.
    view.now += 5_000;
    view.equityPoints.push({ ts: view.now - 2_000, equity: 10_111.11 });
    view.runEquity = "10123.45";
    view.book("BTCUSDT", 97_300);
    await page.locator("#kpi-equity", { hasText: "10,123.45" }).waitFor();
    await page.waitForFunction(() => document.getElementById("equity-chart")!.dataset["last"] === "10123.45");
    assert.equal(Number((await dataset("equity-chart"))["points"]), Number(eq["points"]) + 1);
  });

  test("defect: price as candles from trades with volume, one per second at 1s (not a handful of points)", async () => {
    const m = await api("/api/candles?symbol=BTCUSDT&interval=1m");
    let px = await dataset("price-chart");
    assert.equal(px["interval"], "1m");
    assert.equal(Number(px["points"]), m.candles.length);
    await page.click("[data-interval='1s']");
    await page.waitForFunction(() => document.getElementById("price-chart")!.dataset["interval"] === "1s");
    const s = await api("/api/candles?symbol=BTCUSDT&interval=1s");
    px = await dataset("price-chart");
    assert.equal(s.candles.length, 600);
    assert.equal(Number(px["points"]), 600);
    assert.equal(Number(px["volumePoints"]), 600);
    await page.click("[data-interval='5m']");
    await page.waitForFunction(() => document.getElementById("price-chart")!.dataset["interval"] === "5m");
    assert.equal(Number((await dataset("price-chart"))["points"]), (await api("/api/candles?symbol=BTCUSDT&interval=5m")).candles.length);
    await page.click("[data-interval='1s']");
    await page.waitForFunction(() => document.getElementById("price-chart")!.dataset["interval"] === "1s");
  });

  test("defect: every fill and every exit (with its reason) is marked on the price chart", async () => {
    const fills = (await api("/api/fills?limit=1000")).filter((f: any) => f.symbol === "BTCUSDT");
    const perf = await api("/api/performance");
    const exits = perf.trades.closed.filter((t: any) => t.symbol === "BTCUSDT");
    assert.ok(fills.length >= 4 && exits.length === 2);
    const px = await dataset("price-chart");
    assert.equal(Number(px["fillMarkers"]), fills.length);
    assert.equal(Number(px["exitMarkers"]), exits.length);
    assert.equal(Number(px["markers"]), fills.length + exits.length);
    // ETHUSDT has no fills: no markers.
    await page.click('#symbol-tabs [data-symbol="ETHUSDT"]');
    await page.waitForFunction(() => document.getElementById("price-chart")!.dataset["symbol"] === "ETHUSDT");
    assert.equal((await dataset("price-chart"))["markers"], "0");
    await page.click('#symbol-tabs [data-symbol="BTCUSDT"]');
    await page.waitForFunction(() => document.getElementById("price-chart")!.dataset["symbol"] === "BTCUSDT");
  });

  test("defect: time-axis labels read correctly (no two ticks share a label)", async () => {
    // The labels on screen now, of both charts (the page's hook reads what the axis formatter drew).
    const axis = (await page.evaluate(() => {
      const now = (window as any).__heanAxis as (name: string) => [number, string][];
      return { equity: now("equity"), price: now("price") };
    })) as Record<string, [number, string][]>;
    for (const [chart, ticks] of Object.entries(axis) as [string, [number, string][]][]) {
      assert.ok(ticks.length >= 3, `${chart}: ${JSON.stringify(ticks)}`);
      const labels = ticks.map(([, label]) => label);
      assert.equal(new Set(labels).size, labels.length, `${chart}: every tick has its own label: ${JSON.stringify(ticks)}`);
      for (const [time, label] of ticks) {
        const iso = new Date(time * 1000).toISOString();
        assert.ok(iso.includes(label.length === 5 && label.includes(":") ? label : label.slice(0, 8)) || /^\d{1,2} [A-Z][a-z]{2}$/.test(label), `${chart}: ${label} is the time of its tick ${iso}`);
      }
    }
  });

  test("CLOSE on a position asks for confirmation and the token, then sends close-position for that symbol", async () => {
    const before = view.commands.length;
    await page.click('#positions tbody tr[data-symbol="BTCUSDT"] button[title="close this position (reduce-only)"]');
    await page.locator("#confirm").waitFor({ state: "visible" });
    assert.equal(await page.textContent("#confirm-title"), "Close this position?");
    assert.equal(await page.textContent("#confirm-symbol"), "BTCUSDT");
    await page.fill("#cmd-token", TOKEN);
    await page.click("#cmd-confirm");
    await page.locator("#confirm").waitFor({ state: "hidden" });
    await page.locator(".toast", { hasText: "close-position: done" }).waitFor();
    const sent = view.commands.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.command, "close-position");
    assert.deepEqual(sent[0]!.args, { symbol: "BTCUSDT" });
    assert.match(sent[0]!.commandId, /^dash-/);
  });

  test("engine internals live on their own tab; risk and venue health stay in view", async () => {
    assert.equal(await page.isVisible("#lanes"), false, "bus lanes are not on the trading view");
    await page.click("#tab-engine");
    assert.equal(await page.isVisible("#lanes"), true);
    assert.equal(await page.isVisible("#equity-chart"), false);
    assert.equal(await page.isVisible("#risk-panel"), true);
    assert.equal(await page.isVisible("#venue-breaker"), true);
    assert.match((await page.textContent("#journal-path")) ?? "", /journal\.sqlite/);
    assert.match((await page.textContent("#dead-letters tbody")) ?? "", /strategy:impulse/);
    await page.click("#tab-trading");
    assert.equal(await page.isVisible("#equity-chart"), true);
  });

  test("STOP asks for confirmation and the token, then reaches the engine", async () => {
    const before = view.commands.length;
    await page.click("#btn-stop");
    const dialog = page.locator("#confirm");
    await dialog.waitFor({ state: "visible" });
    assert.equal(await page.textContent("#confirm-title"), "Stop trading?");

    // A wrong token is refused in the dialog and nothing reaches the engine.
    await page.fill("#cmd-token", "not-the-token-at-all");
    await page.click("#cmd-confirm");
    await page.locator("#confirm-error", { hasText: "the token was refused" }).waitFor();
    assert.equal(view.commands.length, before);

    await page.fill("#cmd-token", TOKEN);
    await page.click("#cmd-confirm");
    await dialog.waitFor({ state: "hidden" });
    await page.locator(".toast", { hasText: "stop: done" }).waitFor();
    assert.equal(view.commands.length, before + 1);
    const sent = view.commands[before]!;
    assert.equal(sent.command, "stop");
    assert.equal(sent.source, "api:127.0.0.1");
    assert.match(sent.commandId, /^dash-/);

    // The halt shows from the next snapshot.
    await page.locator("#trading-state", { hasText: "HALTED" }).waitFor();
    await page.locator("#halt-banner", { hasText: "kill switch engaged" }).waitFor();
    // The token stays out of the URL, and in this tab's sessionStorage only.
    assert.ok(!page.url().includes(TOKEN));
    assert.equal(await page.evaluate(() => sessionStorage.getItem("hean.apiToken")), TOKEN);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
  });

  test("a retry from the same dialog reuses its commandId; edited arguments get a new one (never a 409 conflict)", async () => {
    const before = view.commands.length;
    await page.click("#positions button[title='set a stop-loss for this position']");
    await page.locator("#confirm").waitFor({ state: "visible" });
    await page.fill("#cmd-pct", "2");
    view.failNextCommand = true;
    await page.click("#cmd-confirm");
    await page.locator("#confirm-error", { hasText: "the answer was lost" }).waitFor();
    // Retry unchanged: the same command, so the same id (the engine answers it once).
    view.failNextCommand = true;
    await page.click("#cmd-confirm");
    await page.locator("#confirm-error", { hasText: "the answer was lost" }).waitFor();
    // Edited: another command, so a new id; reusing the old one would be refused as a conflict.
    await page.fill("#cmd-pct", "3");
    await page.click("#cmd-confirm");
    await page.locator("#confirm").waitFor({ state: "hidden" });
    await page.locator(".toast", { hasText: "set-stoploss: done" }).waitFor();
    const sent = view.commands.slice(before);
    assert.deepEqual(sent.map((c) => c.args["pct"]), [2, 2, 3]);
    assert.equal(sent[0]!.commandId, sent[1]!.commandId);
    assert.notEqual(sent[2]!.commandId, sent[0]!.commandId);
  });

  test("cancelling the dialog sends nothing", async () => {
    const before = view.commands.length;
    await page.click("#btn-resume");
    await page.locator("#confirm").waitFor({ state: "visible" });
    assert.equal(await page.inputValue("#cmd-token"), TOKEN, "token remembered for the tab");
    await page.click("#cmd-cancel");
    await page.locator("#confirm").waitFor({ state: "hidden" });
    assert.equal(view.commands.length, before);
  });

  test("no console errors, CSP violations or failed requests; screenshot saved", async () => {
    // Let the toasts fade so the screenshot shows the dashboard itself.
    await page.evaluate('document.querySelectorAll(".toast").forEach((t) => t.remove())');
    await page.mouse.move(0, 0);
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
    // A phone: one column, nothing wider than the screen, risk in sight before the charts.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 390);
    const riskTop = await page.evaluate(() => document.getElementById("risk-panel")!.getBoundingClientRect().top);
    const chartTop = await page.evaluate(() => document.getElementById("equity-chart")!.getBoundingClientRect().top);
    assert.ok(riskTop < chartTop, "risk comes first on a phone");
    await page.screenshot({ path: SCREENSHOT.replace(".png", "-phone.png"), fullPage: true });
    assert.ok(existsSync(SCREENSHOT.replace(".png", "-phone.png")));
    assert.deepEqual(problems, []);
    assert.equal(lostAnswers, 2, "only the two answers the retry test made fail");
  });
});

describe("a week of data in headless Chromium: the axes read days, not one repeated minute", { skip: missing }, () => {
  let view: FakeEngineView;
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const WEEK = 7 * 24 * 3_600_000;

  before(async () => {
    view = new FakeEngineView();
    // A week after the fake's ten minutes: a trade every 5 minutes, equity every hour.
    const start = view.now;
    for (let t = 0; t <= WEEK; t += 300_000) view.candleBook.addTrade("BTCUSDT", start + t, 97_000 + 500 * Math.sin(t / 3.6e7), 0.01);
    for (let t = 3_600_000; t <= WEEK; t += 3_600_000) view.equityPoints.push({ ts: start + t, equity: 10_000 + 40 * Math.sin(t / 8.64e7) });
    view.now = start + WEEK;
    server = await startControlServer({ view, port: 0, stream: { intervalMs: 100, heartbeatMs: 1000 } });
    browser = await launchChromium({ width: 1480, height: 1000 });
    page = browser.page;
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url, { waitUntil: "load" });
    await page.locator("#conn", { hasText: "live" }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("5 m candles over a week and the week's equity: day labels, each tick its own label, the whole week in view", async () => {
    await page.click("[data-interval='5m']");
    await page.waitForFunction(() => document.getElementById("price-chart")!.dataset["interval"] === "5m");
    const px = (await page.evaluate(() => ({ ...document.getElementById("price-chart")!.dataset }))) as Record<string, string>;
    const candles = (await (await fetch(`${server.url}/api/candles?symbol=BTCUSDT&interval=5m`)).json()) as { candles: unknown[] };
    assert.equal(Number(px["points"]), candles.candles.length);
    // The equity chart holds the whole week; its axis names days.
    const range = await page.evaluate(() => window.__heanRange("equity"));
    assert.ok(range.visible.from <= range.first && range.visible.to >= range.last, JSON.stringify(range));
    assert.ok(range.last - range.first >= WEEK / 1000 - 3_600);
    const labels = await page.evaluate(() => window.__heanAxis("equity"));
    assert.ok(labels.length >= 4, JSON.stringify(labels));
    const texts = labels.map(([, l]: [number, string]) => l);
    assert.equal(new Set(texts).size, texts.length, JSON.stringify(labels));
    assert.ok(texts.filter((l: string) => /^\d{1,2} [A-Z][a-z]{2}$/.test(l)).length >= 3, `day labels: ${JSON.stringify(texts)}`);
    for (const [time, label] of labels as [number, string][]) {
      if (/^\d{1,2} [A-Z][a-z]{2}$/.test(label)) assert.equal(Number(label.split(" ")[0]), new Date(time * 1000).getUTCDate(), `${label} is the day of its tick`);
    }
    assert.deepEqual(problems, []);
  });
});
