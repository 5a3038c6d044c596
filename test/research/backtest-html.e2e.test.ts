/**
 * `hean backtest --html`: the page opens in real headless Chromium (Debian's /usr/bin/chromium
 * through playwright-core) with no page error, no console error, no request beyond the file
 * itself, and shows equity, drawdown and the price with one entry and one exit marker per trade.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";
import { backtestNotes } from "../../src/research/backtest/run-notes.ts";
import { htmlReport } from "../../src/report/html.ts";
import { chromiumMissing, launchChromium } from "../chromium.ts";
import { runUntilJournaled } from "../cli/cli-helpers.ts";

// Runs in the page (the type-check has no DOM library).
declare const getComputedStyle: (element: unknown) => { whiteSpace: string };

const missing = chromiumMissing("the backtest HTML test");
const dir = mkdtempSync(join(tmpdir(), "hean-bt-html-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function tradesFile(): string {
  const t0 = Date.UTC(2025, 0, 2);
  const lines: string[] = [];
  let px = 2000;
  for (let i = 0; i < 600; i++) {
    // A deterministic wander: up 60 %, down 40 % of the steps.
    px += (i * 7919) % 10 < 6 ? 0.5 : -0.5;
    lines.push(`${i + 1},${px.toFixed(2)},0.500,${i},${i},${t0 + i * 500},${i % 3 === 0}`);
  }
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-02.csv");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

test("the HTML report in headless Chromium: no errors, no network, every marker", { skip: missing }, async () => {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "strategy.name=churn", "execution.urgency=immediate", "execution.exitUrgency=immediate"] });
  const { report, charts } = await runBacktest({ files: [tradesFile()], config });
  assert.ok(report.performance.trades >= 5, `the churn strategy traded (${report.performance.trades} trades)`);
  const page = join(dir, "report.html");
  const { headline, notes } = backtestNotes(report);
  writeFileSync(page, htmlReport(report, charts, [headline, ...notes]));
  const browser = await launchChromium();
  try {
    const tab = browser.page;
    const problems: string[] = [];
    const requests: string[] = [];
    tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    tab.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    tab.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(page).href;
    await tab.goto(url, { waitUntil: "load" });
    await tab.waitForSelector("body[data-ready='1']");
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], "the page fetched nothing but itself");
    assert.equal(await tab.locator("ul#notes li").count(), 1 + notes.length);
    assert.match((await tab.locator("ul#notes li").first().textContent()) ?? "", /^backtest churn on ETHUSDT: 600 events/);
    assert.equal(await tab.locator("svg#equity path.line").count(), 1);
    assert.equal(await tab.locator("svg#drawdown path.line").count(), 1);
    const shown = report.trades.closed.length;
    assert.equal(await tab.locator("svg#price-ETHUSDT .marker.entry").count(), shown + report.trades.open.length, "a position open at the end shows its entry");
    assert.equal(await tab.locator("svg#price-ETHUSDT .marker.exit").count(), shown);
    assert.equal(await tab.locator("table#trades tr").count(), shown + 1);
    // The terminal's tables, with its columns: times as the terminal prints them, on one line each.
    assert.match((await tab.locator("table#trades tr:nth-child(2) td:nth-child(4)").textContent()) ?? "", /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(await tab.locator("table#trades tr:nth-child(2) td:nth-child(4)").evaluate((td) => getComputedStyle(td).whiteSpace), "nowrap");
    assert.equal(await tab.locator("table#by-symbol tr").count(), report.trades.bySymbol.length + 1);
    assert.equal(await tab.locator("table#by-day tr").count(), report.trades.byDay.length + 1);
    // The charts say when: the period's first and last minute under each.
    assert.match((await tab.locator("svg#equity text.ax").allTextContents()).join(" | "), /2025-01-0\d \d\d:\d\d UTC \| 2025-01-0\d \d\d:\d\d UTC$/);
    // A marker's tooltip works (the inline script ran).
    await tab.locator("svg#price-ETHUSDT .marker.entry").first().hover();
    assert.match((await tab.locator("#tip").textContent()) ?? "", /^#1 entry long/);

    // `hean run --html` writes the same page from a paper run on the simulated venue.
    const runPage = join(dir, "run.html");
    const run = await runUntilJournaled(["--strategy", "churn", "--html", runPage, "--quiet"], join(dir, "run.db"), "order.filled");
    assert.equal(run.code, 0, run.output);
    requests.length = 0;
    const runUrl = pathToFileURL(runPage).href;
    await tab.goto(runUrl, { waitUntil: "load" });
    await tab.waitForSelector("body[data-ready='1']");
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [runUrl]);
    assert.equal(await tab.locator("svg#equity path.line").count(), 1);
    assert.equal(await tab.locator("svg#price-BTCUSDT path.line").count(), 1);
    assert.equal(await tab.locator("svg#price-ETHUSDT path.line").count(), 1);
  } finally {
    await browser.close();
  }
});
