/**
 * A kill switch that fires in the middle of a backtest closes at the time it fired, as it would
 * live, not whenever the replay next happens to wait: its closes go out on a commit of their own
 * (an urgent one), and the replay must not move time on while they wait for it.
 *
 *   t=0      sell 2000.00: the strategy buys 0.04 ETH as a taker (fills at 5 ms, at 2000.01)
 *   t=1000   sell 1980.00: 0.8 USDT down, 0.008 % of equity, under the 0.03 % hard stop
 *   t=2000   sell 1900.00: 0.0404 % down → HARD_STOP → kill switch; its close (reduce-only IOC,
 *            bounded at 1890.50) must reach the venue at t=2000 and fill at t=2005 at the bid
 *   t=2250   its check of the venue's positions finds it flat
 *   t=3000…  the price keeps falling: a close sent late expires unfilled above the market
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { printBacktest } from "../../src/cli/backtest-command.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";
import { backtestNotes } from "../../src/research/backtest/run-notes.ts";
import { htmlReport } from "../../src/report/html.ts";
import { buyOnce } from "./buy-once.ts";

const T0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), "hean-bt-kill-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function fallingMarket(): string {
  const prices = ["2000.00", "1980.00", "1900.00", "1800.00", "1700.00", "1600.00"];
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-01.csv");
  const lines = prices.map((price, i) => `${100 + i},${price},1.500,${200 + i},${200 + i},${T0 + i * 1000},true`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

test("a kill switch fired mid-replay closes at the time it fired, not when the replay next waits", async () => {
  const config = loadConfig({
    overrides: ["symbols=ETHUSDT", "execution.urgency=immediate", "risk.softBrakeDrawdownPct=0.01", "risk.quarantineDrawdownPct=0.02", "risk.hardStopDrawdownPct=0.03"],
  });
  const events: HeanEvent[] = [];
  const { report, charts } = await runBacktest({ files: [fallingMarket()], config, strategies: [buyOnce()], onEvent: (e) => void (e.type.startsWith("market.") || events.push(e)) });
  const closing = events.find((e) => e.type === "risk.kill-switch" && e.step === "closing");
  assert.ok(closing !== undefined, `the kill switch closed: ${events.map((e) => e.type).join(", ")}`);
  assert.equal(closing.ts - T0, 2000);
  const close = events.find((e) => e.type === "order.intent" && e.purpose === "kill-switch");
  assert.ok(close?.type === "order.intent");
  const submitted = events.find((e) => e.type === "order.submitted" && e.clientOrderId === close.clientOrderId);
  assert.equal(submitted === undefined ? undefined : submitted.ts - T0, 2000, "the close went out when the kill switch fired");
  const fills = events.filter((e) => e.type === "order.filled" && e.clientOrderId === close.clientOrderId);
  assert.deepEqual(
    fills.map((f) => (f.type === "order.filled" ? { at: f.ts - T0, price: f.price } : undefined)),
    [{ at: 2005, price: 1900n * 10n ** 18n }],
  );
  const flat = events.find((e) => e.type === "risk.kill-switch" && e.step === "flat");
  assert.equal(flat === undefined ? undefined : flat.ts - T0, 2250, "its check of the venue's positions ran when its timer fired");
  // Nobody resets a backtest's kill switch: the summary says why trading stopped.
  const summary = printBacktest(report).split("\n");
  assert.ok(summary.includes("  risk state at the end: HARD_STOP (drawdown 0.0404% ≥ hard-stop threshold 0.03%)"), summary.slice(0, 5).join("\n"));
  assert.ok(summary.includes("  kill switch: HARD_STOP at 2025-01-01T00:00:02.000Z, flat at 2025-01-01T00:00:02.250Z; still active at the end: no entries after it"), summary.slice(0, 5).join("\n"));
  // The HTML page says it above its charts.
  const { headline, notes } = backtestNotes(report);
  assert.match(htmlReport(report, charts, [headline, ...notes]), /<ul id="notes"><li>backtest once on ETHUSDT: 6 events .*<li>kill switch: HARD_STOP at 2025-01-01T00:00:02\.000Z, flat at 2025-01-01T00:00:02\.250Z; still active at the end: no entries after it<\/li><\/ul>/);
});
