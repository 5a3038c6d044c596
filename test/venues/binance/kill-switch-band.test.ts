/**
 * The kill switch on Binance with `risk.killSwitchSlippageBps` wider than the symbol's
 * PERCENT_PRICE band (5% for BTCUSDT), against the real Binance simulator, which enforces the band
 * as Binance does. The close was priced at bid × (1 − 9%): Binance refused it (-4024 "Limit price
 * can't be lower than …"), the kill switch tried again on the next book at the same price, and the
 * position never closed. The close is now held inside the band the venue lists, and goes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ZERO, dec, format } from "../../../src/core/decimal.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { RuntimeView } from "../../../src/runtime/engine-view-impl.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { type BinanceSimulator, startBinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { KEY, SECRET, liveOverrides, signedCall, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
const dir = mkdtempSync(join(tmpdir(), "hean-bn-band-"));
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 29, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a kill-switch slippage wider than Binance's price band still closes: the close is priced inside the band", async () => {
  const opened = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.02" });
  assert.equal(opened.symbol, "BTCUSDT", JSON.stringify(opened));
  const config = loadConfig({ overrides: [...liveOverrides(sim, join(dir, "band.db")), "symbols=BTCUSDT", "risk.killSwitchSlippageBps=900"] });
  const rt = await Runtime.start({ config, live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
  try {
    assert.deepEqual(rt.instruments.get("BTCUSDT").priceBand, { up: dec("1.05"), down: dec("0.95") }, "read from exchangeInfo's PERCENT_PRICE");
    assert.equal(format(rt.engine.state.portfolio.position("BTCUSDT").qty), "0.02", "the position was adopted at boot");
    await waitFor("a book", () => rt.engine.lastBook("BTCUSDT"));
    const refused: string[] = [];
    rt.outbox.subscribe("band-test", (e) => {
      if (e.type === "order.rejected") refused.push(`${e.clientOrderId}: ${e.code} ${e.reason}`);
    });
    await new RuntimeView(rt).submitCommand({ commandId: "stop-band", command: "stop", source: "test", args: {} });
    await waitFor("flat in the engine", () => rt.engine.state.portfolio.position("BTCUSDT").qty === ZERO);
    const venue = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { positions: { symbol: string; positionAmt: string }[] };
    assert.equal(dec(venue.positions.find((p) => p.symbol === "BTCUSDT")?.positionAmt ?? "0"), ZERO, "flat at the venue");
    assert.deepEqual(refused, [], "no close refused by the venue");
  } finally {
    await rt.stop("test");
  }
});
