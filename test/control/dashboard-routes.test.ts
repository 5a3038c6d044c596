/** The dashboard's reads: /api/performance (with the curve and its drawdown), /api/candles, /api/strategies. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { curveWithDrawdown } from "../../src/control/http/dashboard-routes.ts";
import { startControlServer, type ControlServer } from "../../src/control/http/server.ts";
import { FakeEngineView } from "./fake-view.ts";

test("the drawdown follows the running peak; the equity now closes the curve", () => {
  const c = curveWithDrawdown(
    [
      { ts: 1, equity: 100 },
      { ts: 2, equity: 110 },
      { ts: 3, equity: 99 },
      { ts: 4, equity: 120 },
    ],
    { ts: 5, equity: 108 },
  );
  assert.deepEqual(
    c.map((p) => [p.ts, p.equity, p.drawdownPct]),
    [
      [1, 100, 0],
      [2, 110, 0],
      [3, 99, 10],
      [4, 120, 0],
      [5, 108, 10],
    ],
  );
  assert.equal(curveWithDrawdown([{ ts: 9, equity: 1 }], { ts: 3, equity: 2 }).length, 1, "an older 'now' is not appended");
  assert.deepEqual(curveWithDrawdown([], { ts: 3, equity: 2 }), [{ ts: 3, equity: 2, drawdownPct: 0 }]);
});

describe("dashboard reads", () => {
  let view: FakeEngineView;
  let server: ControlServer;
  const get = async (path: string): Promise<any> => {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json();
  };
  const error = async (path: string): Promise<[number, string]> => {
    const res = await fetch(server.url + path);
    return [res.status, ((await res.json()) as any).error.code];
  };
  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0 });
  });
  after(() => server.close());

  test("/api/performance: the engine's report, its curve and drawdown, ending at the equity figure", async () => {
    const p = await get("/api/performance");
    const report = view.performance();
    assert.deepEqual(p.performance, report.performance);
    assert.deepEqual(p.trades, JSON.parse(JSON.stringify(report.trades)));
    assert.equal(p.trades.closed.length, 2);
    assert.equal(p.trades.closed[0].strategyId, "impulse");
    assert.equal(p.equity, view.status().equity);
    assert.equal(p.curve.length, view.equityHistory().length + 1);
    assert.equal(p.curve.at(-1).equity, Number(view.status().equity));
    assert.equal(p.curve.at(-1).ts, view.status().now);
    assert.ok(new Set(p.curve.map((c: any) => c.equity)).size > 10, "the curve moves");
    assert.ok(p.curve.some((c: any) => c.drawdownPct > 0));
  });

  test("/api/candles: OHLCV per interval, bounded by limit; bad input is a clear 4xx", async () => {
    const s = await get("/api/candles?symbol=BTCUSDT&interval=1s");
    assert.equal(s.symbol, "BTCUSDT");
    assert.equal(s.interval, "1s");
    assert.equal(s.source, "trades");
    assert.equal(s.candles.length, 600, "one candle per second of the 10-minute walk");
    assert.equal(s.candles[0].trades, 3);
    const m = await get("/api/candles?symbol=btcusdt&interval=1m");
    assert.equal(m.candles.length, 10);
    assert.equal(m.candles[0].trades, 180);
    assert.equal((await get("/api/candles?symbol=BTCUSDT&interval=5m")).candles.length, 2);
    assert.equal((await get("/api/candles?symbol=ETHUSDT&interval=1s&limit=50")).candles.length, 50);
    assert.equal((await get("/api/candles?symbol=BTCUSDT")).interval, "1m");
    assert.deepEqual(await error("/api/candles"), [400, "BAD_REQUEST"]);
    assert.deepEqual(await error("/api/candles?symbol=DOGEUSDT"), [404, "NOT_FOUND"]);
    assert.deepEqual(await error("/api/candles?symbol=BTCUSDT&interval=3m"), [400, "BAD_REQUEST"]);
    assert.deepEqual(await error("/api/candles?symbol=BTCUSDT&interval=1s&limit=0"), [400, "BAD_REQUEST"]);
    assert.deepEqual(await error("/api/candles?symbol=BTCUSDT&interval=1s&limit=999999"), [400, "BAD_REQUEST"]);
  });

  test("/api/strategies: each strategy's state, last signal and capital share", async () => {
    const s = await get("/api/strategies");
    assert.deepEqual(s, view.strategies());
  });

  test("a view that throws is a 503, never a crash", async () => {
    view.statusThrows = true;
    try {
      assert.deepEqual(await error("/api/performance"), [503, "ENGINE_UNAVAILABLE"]);
      assert.deepEqual(await error("/api/candles?symbol=BTCUSDT"), [503, "ENGINE_UNAVAILABLE"]);
    } finally {
      view.statusThrows = false;
    }
  });
});
