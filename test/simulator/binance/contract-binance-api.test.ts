import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { USDMClient, WebsocketClient } from "binance";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";

describe("binance npm (USDMClient, WebsocketClient; unmodified, URLs changed) against the Binance simulator", () => {
  let sim: BinanceSimulator;
  let rest: USDMClient;
  before(async () => {
    sim = await startBinanceSimulator({ seed: 5, apiKey: "npm-key", apiSecret: "npm-secret" });
    rest = new USDMClient({ api_key: sim.apiKey, api_secret: sim.apiSecret, baseUrl: sim.url });
  });
  after(async () => {
    await sim.close();
  });

  it("REST: time, exchange info, order entry, positions, trades; errors as {code, message}", async () => {
    assert.equal(typeof (await rest.getServerTime()), "number");
    const info = await rest.getExchangeInfo();
    assert.ok(info.symbols.some((s) => s.symbol === "BTCUSDT"));
    const placed = await rest.submitNewOrder({ symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: 0.01, newOrderRespType: "RESULT" });
    assert.equal(placed.status, "FILLED");
    const positions = await rest.getPositionsV3({ symbol: "BTCUSDT" });
    assert.equal(positions[0]!.positionAmt, "0.010");
    assert.equal((await rest.getAccountTrades({ symbol: "BTCUSDT" })).length, 1);
    await assert.rejects(rest.cancelOrder({ symbol: "BTCUSDT", orderId: 1 }), (e: { code: number }) => e.code === -2011);
    await assert.rejects(rest.getOrder({ symbol: "BTCUSDT", orderId: 1 }), (e: { code: number }) => e.code === -2013);
  });

  it("WebsocketClient: diff depth with U/u/pu on the public stream", async () => {
    const ws = new WebsocketClient({ api_key: sim.apiKey, api_secret: sim.apiSecret, wsUrl: sim.wsUrl, restOptions: { baseUrl: sim.url, disableTimeSync: true } });
    try {
      const depth = new Promise<any>((resolve) => ws.on("message", (m: any) => m?.e === "depthUpdate" && resolve(m)));
      ws.subscribeDiffBookDepth("BTCUSDT", 100, "usdm");
      const d = await depth;
      assert.equal(d.s, "BTCUSDT");
      assert.ok(d.U <= d.u && typeof d.pu === "number");
    } finally {
      ws.closeAll(true);
    }
  });

  it("WebsocketClient user data stream: listen key, /private/stream, ORDER_TRADE_UPDATE (in a client process)", async () => {
    const script = fileURLToPath(new URL("./binance-user-stream-client.ts", import.meta.url));
    const child = spawn(process.execPath, [script, sim.url, sim.wsUrl, sim.apiKey, sim.apiSecret], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, err);
    const update = JSON.parse(out.trim());
    assert.equal(update.o.S, "SELL");
    assert.equal(update.o.X, "FILLED");
    const state = await fetch(`${sim.url}/__sim/state`, { headers: { Connection: "close" } }).then((r) => r.json() as Promise<any>);
    assert.ok(state.executions.some((e: any) => e.tradeId === update.o.t));
  });
});
