/**
 * The live runtime in process, against the in-process simulator: the runtime builds the Bybit
 * venue itself (lazily), feeds its health to risk and readiness, reconciles on boot before
 * trading, and pauses new exposure (not exits) while the venue's REST path is failing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { dec, mul, roundToStep } from "../../../src/core/decimal.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, SECRET, liveOverrides, signedCall, waitFor } from "./rig.ts";

let sim: BybitSimulator;
const dir = mkdtempSync(join(tmpdir(), "hean-live-rt-"));
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 61, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function liveRuntime(name: string): Promise<Runtime> {
  const config = loadConfig({ overrides: liveOverrides(sim, join(dir, name)) });
  return Runtime.start({ config, live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
}

test("live runtime: builds the Bybit venue, reconciles on boot (a position it never traded is adopted), reports readiness", async () => {
  await sim.reset({ seed: 61 });
  const manual = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.5" });
  assert.equal(manual.retCode, 0);
  await new Promise((r) => setTimeout(r, 1_200));
  const rt = await liveRuntime("boot.db");
  try {
    assert.equal(rt.venue.id, "bybit");
    // Applied by the engine before Runtime.start resolved, i.e. before anything traded.
    assert.equal(rt.engine.state.portfolio.position("ETHUSDT").qty, dec("0.5"));
    const health = rt.venueReadiness?.venueHealth?.();
    assert.ok(health !== undefined);
    assert.equal(health.reconciled, true);
    assert.equal(health.connected, true);
    assert.equal(health.circuitBreaker, "closed");
    assert.ok(health.reconciliationRuns >= 1);
  } finally {
    await rt.stop("test");
  }
});

test("live runtime: while the venue's REST path fails, entries are denied before they become intents; exits still go", async () => {
  await sim.reset({ seed: 61 });
  const rt = await liveRuntime("gate.db");
  try {
    await waitFor("a book", () => rt.engine.lastBook("BTCUSDT"));
    // 1% through the touch, so the IOC fills however far the market moved while a busy machine sent it.
    const through = roundToStep(mul(rt.engine.lastBook("BTCUSDT")!.ask, dec("1.01")), rt.instruments.get("BTCUSDT").tickSize, "ceil");
    const opened = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price: through, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.equal(opened.ok, true);
    await waitFor("a position", () => rt.engine.state.portfolio.position("BTCUSDT").qty > 0n || undefined);
    // Failing until cleared, so the breaker cannot close behind the test's back on a slow machine.
    sim.setFaults({ http429: 1_000_000 });
    await rt.venue.reconcile?.("manual").catch(() => undefined);
    await rt.venue.reconcile?.("manual").catch(() => undefined);
    await waitFor("breaker not closed", () => rt.venueReadiness?.venueHealth?.().circuitBreaker !== "closed");
    const book = rt.engine.lastBook("BTCUSDT")!;
    const entry = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price: book.ask, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.equal(entry.ok, false);
    assert.equal(entry.ok ? "" : entry.code, "TRADING_HALTED");
    assert.equal(rt.engine.state.deniedByCode.get("TRADING_HALTED"), 1);
    assert.equal(rt.engine.state.intentCount, 1, "no intent for the entry, nothing journaled to send");
    const exit = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "sell", orderType: "limit", qty: dec("0.01"), price: book.bid, timeInForce: "IOC", reduceOnly: true, purpose: "exit" });
    assert.equal(exit.ok, true, "a reduce-only exit may always try");
    sim.clearFaults();
    await waitFor("closed again", () => rt.venueReadiness?.venueHealth?.().circuitBreaker === "closed", 15_000);
    await waitFor("limiter released", () => {
      const r = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price: rt.engine.lastBook("BTCUSDT")!.ask, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
      return r.ok ? r : undefined;
    }, 10_000);
  } finally {
    sim.clearFaults();
    await rt.stop("test");
  }
});
