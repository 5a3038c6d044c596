/**
 * Paper/backtest parity: a strategy paper-trades on the Bybit simulator's public data
 * (`hean sim bybit`, through the real paper venue) while the run records the market it saw
 * (`--record-market`); a backtest of the same strategy on that recording sends the same orders
 * and gets the same fills (side, quantity, price, liquidity, fee).
 *
 * Both sides take liquidity (urgency "immediate"), which both fill models price the same way:
 * at the touch hean was shown, up to its size. The strategy decides on the count of books it has
 * seen, so the wall clock plays no part.
 *
 * The same again on the simulated market (`hean run`'s default venue, on a simulated clock) with
 * the built-in impulse, whose signals depend on every book it is shown: that recording opens with
 * trades before the first book, which the backtest must not turn into a book paper never saw.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { format } from "../../src/core/decimal.ts";
import type { HeanEvent, SignalEvent } from "../../src/core/events.ts";
import { loadConfig } from "../../src/config/config.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";
import { recordRuntimeMarket } from "../../src/research/record/market-recorder.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { startBybitSimulator } from "../../src/simulator/bybit/main.ts";
import type { Strategy } from "../../src/strategies/strategy.ts";
import { settle, stopOnSimClock } from "../runtime/helpers.ts";
import { waitFor } from "../venues/bybit/rig.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-parity-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROUND_TRIPS = 3;

/** Opens a long every 6th book and closes it 3 books later, for ROUND_TRIPS round trips. */
function everyFewBooks(): Strategy & { done(): boolean } {
  let books = 0;
  let trips = 0;
  const signal = (ts: number, symbol: string, action: "open" | "close", side: "buy" | "sell"): SignalEvent => ({
    type: "signal",
    ts,
    strategyId: "parity",
    symbol,
    action,
    side,
    confidence: 1,
    stopDistance: 0.01,
    reason: `book ${books}`,
  });
  return {
    id: "parity",
    done: () => trips >= ROUND_TRIPS,
    onBook(book) {
      books++;
      if (trips >= ROUND_TRIPS) return undefined;
      if (books % 6 === 0) return signal(book.ts, book.symbol, "open", "buy");
      if (books % 6 === 3 && books > 6) {
        trips++;
        return signal(book.ts, book.symbol, "close", "sell");
      }
      return undefined;
    },
  };
}

/** The orders and fills as comparable lines (ids and times differ between the runs by design). */
function trading(events: readonly HeanEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.type === "order.intent") return [`order ${e.purpose} ${e.side} ${format(e.qty)} ${e.orderType} ${e.timeInForce} @${e.price === undefined ? "mkt" : format(e.price)}`];
    if (e.type === "order.filled") return [`fill ${e.side} ${format(e.qty)} @${format(e.price)} ${e.liquidity} fee ${format(e.fee)}`];
    return [];
  });
}

test("paper on `hean sim bybit` while recording, then a backtest of the recording: the same orders and fills", async () => {
  const sim = await startBybitSimulator({ port: 0, seed: 7 });
  const recording = join(dir, "solusdt.hean.csv");
  const paperEvents: HeanEvent[] = [];
  const common = ["symbols=SOLUSDT", "execution.urgency=immediate", "execution.exitUrgency=immediate"];
  try {
    const config = loadConfig({
      overrides: [
        ...common,
        `journal.path=${JSON.stringify(join(dir, "paper.db"))}`,
        "mode=paper",
        "venue=bybit",
        `venues.bybit.restUrl=${JSON.stringify(sim.url)}`,
        `venues.bybit.wsPublicUrl=${JSON.stringify(sim.wsPublicUrl)}`,
      ],
    });
    const strategy = everyFewBooks();
    const journal = SqliteJournal.open(config.journal.path, { durability: "normal", writer: "inline" });
    const rt = await Runtime.open({ config, journal, busMode: "sync", strategies: [strategy] });
    const recorder = recordRuntimeMarket(rt, recording, "bybit", config.symbols);
    rt.outbox.subscribe("parity-test", (e) => void paperEvents.push(e), ["order.intent", "order.filled"]);
    await rt.boot();
    await waitFor("the paper strategy's round trips", () => strategy.done() && rt.engine.state.workingOrders().length === 0 && rt.engine.state.portfolio.position("SOLUSDT").qty === 0n, 90_000);
    await rt.stop("parity test");
    const recorded = recorder.close();
    assert.ok(recorded.books >= 6 * ROUND_TRIPS + 3, `books recorded: ${recorded.books}`);
  } finally {
    await sim.close();
  }
  assert.match(readFileSync(recording, "utf8").split("\n")[0]!, /^#hean-market \{"version":1,"venue":"bybit","instruments":\[\{"symbol":"SOLUSDT"/);

  const backtestEvents: HeanEvent[] = [];
  const { report } = await runBacktest({
    files: [recording],
    config: loadConfig({ overrides: [...common, "venue=bybit"] }),
    strategies: [everyFewBooks()],
    latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 },
    onEvent: (e) => void backtestEvents.push(e),
  });
  const paper = trading(paperEvents);
  assert.equal(paper.filter((l) => l.startsWith("fill")).length >= 2 * ROUND_TRIPS, true, paper.join("\n"));
  assert.deepEqual(trading(backtestEvents), paper);
  assert.equal(report.performance.trades, ROUND_TRIPS);
});

test("paper on the simulated market while recording, then a backtest of the recording: impulse sends the same orders and gets the same fills", async () => {
  // The synthetic market prints trades before its first book: a recording starts with them. The
  // backtest must not make a touch of them that paper never showed (impulse would signal a book early).
  const recording = join(dir, "sim.hean.csv");
  const common = ["scenario=trend", "seed=5", "sim.jitterMs=0", "execution.urgency=immediate", "execution.exitUrgency=immediate"];
  const clock = new SimClock(Date.UTC(2026, 11, 7, 20, 0, 0));
  const config = loadConfig({ overrides: [...common, `journal.path=${JSON.stringify(join(dir, "sim-paper.db"))}`, "mode=paper"] });
  const journal = SqliteJournal.open(config.journal.path, { durability: "normal", writer: "inline" });
  const rt = await Runtime.open({ config, clock, journal, busMode: "sync" });
  const recorder = recordRuntimeMarket(rt, recording, "sim", config.symbols);
  const paperEvents: HeanEvent[] = [];
  rt.outbox.subscribe("parity-test", (e) => void paperEvents.push(e), ["order.intent", "order.filled"]);
  const booting = rt.boot();
  while (paperEvents.filter((e) => e.type === "order.filled").length < 4 && clock.now() < Date.UTC(2026, 11, 7, 20, 5, 0)) {
    clock.advance(20);
    await settle();
  }
  await booting;
  await stopOnSimClock(rt, clock, "parity test");
  recorder.close();
  const rows = readFileSync(recording, "utf8").split("\n");
  // What this test is about: the recording opens with a trade, before the symbol's first book.
  assert.match(rows[1]!, /^\d+,trade,/);

  const backtestEvents: HeanEvent[] = [];
  await runBacktest({
    files: [recording],
    config: loadConfig({ overrides: common }),
    // The simulated venue answers after sim.latencyMs (3 ms), without jitter here.
    latency: { ackMs: 3, marketDataMs: 0, jitterMs: 0 },
    onEvent: (e) => void backtestEvents.push(e),
  });
  const paper = trading(paperEvents);
  assert.ok(paper.filter((l) => l.startsWith("fill")).length >= 4, paper.join("\n"));
  assert.deepEqual(trading(backtestEvents), paper);
});
