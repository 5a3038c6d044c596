/**
 * A quiet market is not a dead feed. With trades only, the touch is made from the trades and
 * stands until one moves it; live, the venue's book stream would have kept showing it (the sizes
 * at the touch change when its prices do not). The replay shows it again every 3 s, so the
 * stale-data rule (a held symbol without a book for 10 s → kill switch) does not flatten a
 * position and stop all trading because prices sat still, or because the data has a gap.
 * Book data is shown as recorded: a gap in it is a silent feed, as it would have been live.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { type BacktestReport, runBacktest } from "../../src/research/backtest/backtest.ts";
import { STANDING_TOUCH_REPEAT_MS } from "../../src/research/backtest/replay-market.ts";
import { buyOnce } from "./buy-once.ts";

const T0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), "hean-bt-quiet-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(file: string): Promise<{ events: HeanEvent[]; report: BacktestReport }> {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "execution.urgency=immediate"] });
  const events: HeanEvent[] = [];
  const { report } = await runBacktest({ files: [file], config, strategies: [buyOnce()], onEvent: (e) => void (e.type === "market.trade" || events.push(e)) });
  return { events, report };
}

const since = (events: readonly HeanEvent[], type: HeanEvent["type"]): number[] => events.filter((e) => e.type === type).map((e) => e.ts - T0);

test("trades on an unchanged touch, then a gap in the data: the touch is shown every 3 s, the position is held, no kill switch", async () => {
  // Sells on the bid at 2000.00 every second for 15 s (the touch never moves), nothing for 18 s, one more.
  const rows = [...Array.from({ length: 16 }, (_, i) => i * 1000), 33_000].map((ms, i) => `${100 + i},2000.00,1.500,${200 + i},${200 + i},${T0 + ms},true`);
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-01.csv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  const { events, report } = await run(file);
  assert.equal(STANDING_TOUCH_REPEAT_MS, 3_000);
  assert.deepEqual(since(events, "market.book"), Array.from({ length: 12 }, (_, i) => i * 3_000), "the first touch, then the same touch every 3 s");
  assert.deepEqual(events.filter((e) => e.type === "risk.kill-switch"), []);
  assert.deepEqual(
    events.filter((e) => e.type === "order.filled").map((e) => (e.type === "order.filled" ? { at: e.ts - T0, side: e.side } : undefined)),
    [{ at: 5, side: "buy" }],
    "bought once, never closed",
  );
  assert.deepEqual(report.backtest.data.longestSilence, { symbol: "ETHUSDT", from: T0 + 15_000, ms: 18_000 }, "the report names the gap");
});

test("a gap in book data is shown as recorded: the stale-data rule flattens as it would on a silent feed", async () => {
  const header = "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time";
  // The size at the touch changes at 1 s, then the data says nothing until 13 s.
  const rows = [0, 1_000, 13_000].map((ms, i) => `${i + 1},2000.00,${5 + i},2000.01,5,${T0 + ms},${T0 + ms}`);
  const file = join(dir, "ETHUSDT-bookTicker-2025-01-01.csv");
  writeFileSync(file, `${header}\n${rows.join("\n")}\n`);
  const { events } = await run(file);
  assert.deepEqual(since(events, "market.book").filter((t) => t < 13_000), [0, 1_000], "no book between 1 s and 13 s");
  const triggered = events.find((e) => e.type === "risk.kill-switch" && e.step === "triggered");
  assert.ok(triggered?.type === "risk.kill-switch");
  assert.equal(triggered.reason, "STALE_MARKET_DATA");
  assert.equal(triggered.ts - T0, 11_001);
});

test("one symbol's data ends before the other's: its silence until the end is the longest, and the notes name it", async () => {
  // ETHUSDT trades for 5 s, BTCUSDT for 60 s: ETHUSDT's touch stood (and could be traded) for 55 s
  // the data said nothing of. The notes named only the gaps between two records of a symbol.
  const eth = join(dir, "ETHUSDT-aggTrades-2025-01-02.csv");
  writeFileSync(eth, `${Array.from({ length: 6 }, (_, i) => `${100 + i},2000.00,1.500,${200 + i},${200 + i},${T0 + i * 1000},true`).join("\n")}\n`);
  const btc = join(dir, "BTCUSDT-aggTrades-2025-01-02.csv");
  writeFileSync(btc, `${Array.from({ length: 61 }, (_, i) => `${100 + i},60000.0,0.010,${200 + i},${200 + i},${T0 + i * 1000},${i % 2 === 0}`).join("\n")}\n`);
  const config = loadConfig({ overrides: ["symbols=ETHUSDT,BTCUSDT", "strategy.name=none"] });
  const { report } = await runBacktest({ files: [eth, btc], config });
  assert.deepEqual(report.backtest.data.longestSilence, { symbol: "ETHUSDT", from: T0 + 5_000, ms: 55_000 });
});
