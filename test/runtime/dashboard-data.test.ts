/**
 * Issue 16 on the real runtime (engine, journal, risk, simulated venue, churn strategy): what the
 * dashboard reads follows the engine. The equity curve is the engine's own and ends at the equity
 * figure; the candles carry every market trade the engine saw (not one sample a second); the
 * strategy panel shows the running strategy with its last signal and reason.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { startControlServer } from "../../src/control/http/server.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { ofType, startTestRuntime, tempJournal } from "./helpers.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

test("dashboard data on the running engine: engine curve, candles from every trade, strategy panel", async () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const t = await startTestRuntime({ journalPath: j.path, overrides: ["strategy.name=churn"] });
  cleanups.push(() => t.stop());
  const view = new RuntimeView(t.rt);
  const server = await startControlServer({ view, port: 0 });
  cleanups.push(() => server.close());
  const get = async (path: string): Promise<any> => (await fetch(server.url + path)).json();

  // Trade until a round trip has closed.
  for (let i = 0; i < 60 && t.rt.engine.state.performance.recentTrades().length === 0; i++) await t.advance(1_000);
  assert.ok(t.rt.engine.state.performance.recentTrades().length > 0, "churn closed a trade");

  // The curve is the engine's, it moves, and it ends at the figure the page shows above it.
  const p = await get("/api/performance");
  const status = await get("/api/status");
  assert.equal(p.equity, status.equity);
  assert.equal(p.curve.at(-1).equity, Number(status.equity));
  const engineCurve = t.rt.engine.state.performance.equityCurve();
  assert.equal(p.curve.length, engineCurve.length + 1);
  assert.ok(new Set(p.curve.map((c: any) => c.equity)).size > 1, "the equity curve is not flat");
  assert.equal(p.trades.closed.length, t.rt.engine.state.performance.recentTrades().length);
  assert.equal(p.performance.trades, p.trades.closed.length);

  // Candles: every market trade the runtime saw is in them (volume and count), none lost to sampling.
  const trades = ofType(t.events, "market.trade").filter((e) => e.symbol === "BTCUSDT");
  assert.ok(trades.length > 0, "the simulator trades");
  const c = await get("/api/candles?symbol=BTCUSDT&interval=1s");
  assert.equal(c.source, "trades");
  const seconds = new Set(trades.map((e) => Math.floor(e.ts / 1000)));
  assert.equal(c.candles.length, seconds.size, "one candle per second with trades");
  assert.equal(
    c.candles.reduce((n: number, k: any) => n + k.trades, 0),
    trades.length,
  );
  const m = await get("/api/candles?symbol=BTCUSDT&interval=1m");
  assert.equal(
    m.candles.reduce((n: number, k: any) => n + k.trades, 0),
    trades.length,
  );

  // The strategy panel: churn, its last signal with the reason it gave.
  const strategies = await get("/api/strategies");
  const churn = strategies.find((s: any) => s.id === t.rt.trading.slots[0]!.id);
  assert.ok(churn !== undefined, JSON.stringify(strategies));
  const signals = ofType(t.events, "signal");
  assert.equal(churn.signals, signals.length);
  assert.equal(churn.lastSignal.reason, signals.at(-1)!.reason);
  assert.equal(churn.capitalShare, 1);
  assert.ok(["trading", "in-position"].includes(churn.state));
  assert.equal(churn.closedTrades, p.trades.closed.filter((x: any) => x.strategyId === churn.id).length);
});
