/**
 * One order with more trades than `GET /fapi/v1/userTrades` answers at once (1000), against the
 * real Binance simulator: other accounts rest 1100 small asks just above the touch, our IOC sweeps
 * the book up to them and through them while the private stream is cut, and reconciliation must
 * recover every trade of the order from REST, not only one page of them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Dec, ZERO, add, dec, format, mul, roundToStep, sub } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, signedCall, waitFor } from "./rig.ts";

/** Each maker account stays under the simulator's 300 orders per 10 s and 500 open orders per symbol. */
const MAKERS = [1, 2, 3, 4].map((n) => ({ apiKey: `bn-maker-${n}`, apiSecret: `bn-maker-secret-${n}` }));
const ASKS_PER_MAKER = 275;
const BALANCE = "10000000";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 41, apiKey: KEY, apiSecret: SECRET, startingBalance: BALANCE, extraAccounts: MAKERS });
});
after(async () => {
  await sim.close();
});

/** Move the synthetic market's fair price (the book is recentred on it at once). */
async function setPrice(price: Dec): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/price`, { method: "POST", body: JSON.stringify({ symbol: "BTCUSDT", price: format(price) }) });
  assert.equal(res.status, 200, await res.text());
}

async function asks(): Promise<[string, string][]> {
  const depth = (await (await fetch(`${sim.url}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`)).json()) as { asks: [string, string][] };
  return depth.asks;
}

/** 0.001 BTC asks at `price` from every maker account, five to a batch; the number resting. */
async function restAsks(price: string): Promise<number> {
  const order = { symbol: "BTCUSDT", side: "SELL", type: "LIMIT", timeInForce: "GTC", quantity: "0.001", price };
  const placed = await Promise.all(
    MAKERS.map(async (m) => {
      let resting = 0;
      for (let n = 0; n < ASKS_PER_MAKER; n += 5) {
        const answers = await signedCall(sim, "POST", "/fapi/v1/batchOrders", { batchOrders: JSON.stringify(Array(5).fill(order)) }, m.apiKey, m.apiSecret);
        assert.ok(Array.isArray(answers), JSON.stringify(answers));
        resting += answers.filter((a: any) => a.status === "NEW").length;
      }
      return resting;
    }),
  );
  return placed.reduce((a, b) => a + b, 0);
}

describe("Binance order fills", () => {
  test("an order with more trades than one userTrades page: reconciliation recovers every one of them", async () => {
    await sim.reset({ seed: 41 });
    const rig = await BinanceRig.start({ sim, state: new EngineState(dec(BALANCE)) });
    try {
      // The asks rest where the market was, with the market moved well below them while they are placed (its own moves
      // would otherwise reach them), then brought back just under them.
      const price = (await asks())[0]![0];
      await setPrice(sub(dec(price), dec("20")));
      const resting = await restAsks(price);
      assert.ok(resting > 1000, `${resting} asks resting`);
      await setPrice(sub(dec(price), dec("0.5")));
      // All the book holds up to the makers' price and a margin for the market's moves: the IOC takes it and expires.
      const within = (await asks()).filter(([p]) => dec(p) <= dec(price)).reduce((s, [, q]) => add(s, dec(q)), ZERO);
      const qty = format(roundToStep(add(mul(within, dec("1.1")), dec("0.5")), dec("0.001"), "ceil"));
      // Everything the stream would say about the order is held back, then the socket drops.
      sim.setFaults({ latencyMs: { private: 3_000 } });
      const id = rig.place({ side: "buy", qty, price: dec(price) });
      // Sweeping a thousand makers takes the venue a while: the create may be answered or time out (and be settled by asking).
      await waitFor("answered or unknown", () => rig.status(id) !== "SUBMITTED");
      sim.setFaults({ latencyMs: { private: 0 }, disconnectPrivate: true });
      // One fetch emits all it read at once: the first fill it recovers means the fetch is done.
      await waitFor("fills recovered", () => rig.fillsOf(id).some((f) => f.source === "reconciliation"));
      const venue = await rig.venueState();
      const trades = venue.executions.filter((e: any) => e.clientOrderId === id);
      assert.ok(trades.length > 1000, `the order has ${trades.length} trades, more than one page`);
      const order = venue.orders.find((o: any) => o.clientOrderId === id);
      assert.equal(trades.reduce((s: any, e: any) => add(s, dec(e.qty)), ZERO), dec(order.executedQty));
      assert.deepEqual(rig.fillsOf(id).map((f) => f.fillId).sort(), trades.map((e: any) => `BTCUSDT:${e.tradeId}`).sort());
      assert.equal(rig.state.orders.get(id)!.filledQty, dec(order.executedQty), "the engine's fills add up to the venue's");
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.alerts("ORDER_FILLS_TRUNCATED"), []);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
    }
  });
});
