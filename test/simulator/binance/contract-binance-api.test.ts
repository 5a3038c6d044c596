import assert from "node:assert/strict";
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
    // The user data stream is exercised through ccxt: this library's 50-minute listen-key keepalive
    // interval is not cleared on close, which would hold the test process open.
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
});
