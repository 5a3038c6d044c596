/**
 * Drives the dashboard in real headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against the control server with an in-memory engine view.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { dec } from "../../src/core/decimal.ts";
import { startControlServer, type ControlServer } from "../../src/control/http/server.ts";
import { FakeEngineView } from "./fake-view.ts";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "dashboard-e2e-token-3f9a7c21d4";
const SCREENSHOT = join(import.meta.dirname, "../../test-output/dashboard.png");
const missing = !existsSync(CHROMIUM);
if (missing) console.warn(`\n!!! ${CHROMIUM} is missing: the dashboard end-to-end test is SKIPPED (apt-get install chromium)\n`);

describe("dashboard in headless Chromium", { skip: missing ? `SKIPPED LOUDLY: ${CHROMIUM} is missing (apt-get install chromium)` : false }, () => {
  let view: FakeEngineView;
  let server: ControlServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];
  let lostAnswers = 0;

  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0, token: TOKEN, stream: { intervalMs: 100, heartbeatMs: 1000 } });
    profile = mkdtempSync(join(tmpdir(), "hean-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1480, height: 1000 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
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
    await context?.close();
    await server?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
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

  test("STOP asks for confirmation and the token, then reaches the engine", async () => {
    await page.click("#btn-stop");
    const dialog = page.locator("#confirm");
    await dialog.waitFor({ state: "visible" });
    assert.equal(await page.textContent("#confirm-title"), "Stop trading?");

    // A wrong token is refused in the dialog and nothing reaches the engine.
    await page.fill("#cmd-token", "not-the-token-at-all");
    await page.click("#cmd-confirm");
    await page.locator("#confirm-error", { hasText: "the token was refused" }).waitFor();
    assert.equal(view.commands.length, 0);

    await page.fill("#cmd-token", TOKEN);
    await page.click("#cmd-confirm");
    await dialog.waitFor({ state: "hidden" });
    await page.locator(".toast", { hasText: "stop: done" }).waitFor();
    assert.equal(view.commands.length, 1);
    const sent = view.commands[0]!;
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
    assert.deepEqual(problems, []);
    assert.equal(lostAnswers, 2, "only the two answers the retry test made fail");
  });
});
