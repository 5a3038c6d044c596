/**
 * Protective stops rest at the venue: a live `hean run` puts a reduce-only stop (Bybit: the
 * position's stop-loss) at the configured distance on every open position, so a SIGKILLed engine
 * still leaves it protected; a price move through the stop closes the position at the venue, and
 * the next start reconciles to flat. The simulator's own trigger is tested in process as well.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { dec, format, mul } from "../../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS, roundPrice } from "../../../src/core/instrument.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { protectiveStopPrice } from "../../../src/venues/live/protective-stops.ts";
import { heanAsync } from "../../cli/cli-helpers.ts";
import { FAST, KEY, SECRET, liveOverrides, signedCall, sleep } from "./rig.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-stops-"));
let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 81, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

interface SimPosition {
  readonly symbol: string;
  readonly side: string;
  readonly size: string;
  readonly avgPrice: string;
  readonly stopLoss: string;
}

async function venuePosition(symbol: string): Promise<SimPosition> {
  const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { positions: SimPosition[] };
  return state.positions.find((p) => p.symbol === symbol)!;
}

/** Polls the venue until `probe` holds (the bound only ends a hung test; nothing asserts on time). */
async function untilVenue(what: string, probe: (p: SimPosition) => boolean, symbol = "ETHUSDT", timeoutMs = 60_000): Promise<SimPosition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await venuePosition(symbol);
    if (probe(p)) return p;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(p)}`);
    await sleep(50);
  }
}

const ETH = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "ETHUSDT")!;

test("the simulator's stop-loss: refused on a flat position, triggered on the mark, gone with the position", async () => {
  await sim.reset({ seed: 82 });
  const flat = await signedCall(sim, "POST", "/v5/position/trading-stop", { category: "linear", symbol: "ETHUSDT", tpslMode: "Full", positionIdx: 0, stopLoss: "100" });
  assert.equal(flat.retCode, 10001);
  const sell = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "0.3" });
  assert.equal(sell.retCode, 0);
  const open = await untilVenue("a short", (p) => dec(p.size) === dec("0.3") && p.side === "Sell");
  const avg = dec(open.avgPrice);
  const wrongSide = await signedCall(sim, "POST", "/v5/position/trading-stop", { category: "linear", symbol: "ETHUSDT", stopLoss: format(roundPrice(ETH, mul(avg, dec("0.9")))) });
  assert.equal(wrongSide.retCode, 10001, "a short's stop must be above the mark");
  const stop = roundPrice(ETH, mul(avg, dec("1.02")), "ceil");
  const set = await signedCall(sim, "POST", "/v5/position/trading-stop", { category: "linear", symbol: "ETHUSDT", tpslMode: "Full", positionIdx: 0, stopLoss: format(stop), slTriggerBy: "MarkPrice" });
  assert.equal(set.retCode, 0, set.retMsg);
  const again = await signedCall(sim, "POST", "/v5/position/trading-stop", { category: "linear", symbol: "ETHUSDT", stopLoss: format(stop) });
  assert.equal(again.retCode, 34040);
  const listed = await signedCall(sim, "GET", "/v5/position/list", { category: "linear", symbol: "ETHUSDT" });
  assert.equal(dec(listed.result.list[0].stopLoss), stop);
  await fetch(`${sim.url}/__sim/price`, { method: "POST", body: JSON.stringify({ symbol: "ETHUSDT", price: format(mul(avg, dec("1.05"))) }) });
  const closed = await untilVenue("the stop to close the short", (p) => dec(p.size) === 0n);
  assert.equal(closed.stopLoss, "");
  const history = await signedCall(sim, "GET", "/v5/order/history", { category: "linear", symbol: "ETHUSDT" });
  const closing = history.result.list.find((o: { reduceOnly: boolean; side: string }) => o.reduceOnly && o.side === "Buy");
  assert.ok(closing !== undefined, "closed by a reduce-only buy at the venue");
});

test("after the engine is SIGKILLed with a position open, the venue holds its stop; a move through it closes the position; a restart reconciles to flat", async () => {
  await sim.reset({ seed: 81 });
  // A position the engine adopts at boot (bought by hand at the venue before it starts).
  const buy = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.5" });
  assert.equal(buy.retCode, 0);
  const bought = await untilVenue("the position", (p) => dec(p.size) === dec("0.5"));
  const journal = join(dir, "kill.db");
  const child = heanAsync(
    [
      "run", "--venue", "bybit", "--mode", "live", "--i-understand-live-trading",
      "--rest-url", sim.url, "--ws-public-url", sim.wsPublicUrl, "--ws-private-url", sim.wsPrivateUrl,
      "--journal", journal, "--strategy", "none", "--symbols", "ETHUSDT", "--quiet",
      "--set", "risk.stopLossPct=2",
      ...Object.entries(FAST).flatMap(([k, v]) => ["--set", `venues.bybit.${k}=${JSON.stringify(v)}`]),
    ],
    { HEAN_BYBIT_API_KEY: KEY, HEAN_BYBIT_API_SECRET: SECRET },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const want = protectiveStopPrice({ qty: dec("0.5"), avgPrice: dec(bought.avgPrice) }, 2, ETH)!;
  try {
    const protectedPos = await untilVenue("the protective stop at the venue", (p) => p.stopLoss !== "");
    assert.equal(dec(protectedPos.stopLoss), want, child.output());
  } finally {
    child.kill("SIGKILL");
  }
  assert.equal(await exited, "SIGKILL");
  const orphan = await venuePosition("ETHUSDT");
  assert.equal(dec(orphan.size), dec("0.5"), "the position outlives the engine");
  assert.equal(dec(orphan.stopLoss), want, "and so does its stop");

  await fetch(`${sim.url}/__sim/price`, { method: "POST", body: JSON.stringify({ symbol: "ETHUSDT", price: format(mul(want, dec("0.99"))) }) });
  await untilVenue("the venue's stop to close the position", (p) => dec(p.size) === 0n);

  const config = loadConfig({ overrides: [...liveOverrides(sim, journal), 'symbols=["ETHUSDT"]', "risk.stopLossPct=2"] });
  const rt = await Runtime.start({ config, live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
  try {
    assert.equal(rt.engine.state.portfolio.position("ETHUSDT").qty, 0n, "reconciled to flat before trading");
  } finally {
    await rt.stop("test");
  }
});

test("the venue's stop follows the position: moved when it grows at a new price, gone when it is closed", async () => {
  await sim.reset({ seed: 83 });
  const config = loadConfig({ overrides: [...liveOverrides(sim, join(dir, "step.db")), 'symbols=["ETHUSDT"]', "risk.stopLossPct=3"] });
  const rt = await Runtime.start({ config, live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
  // 1% through the touch: an IOC only takes what is there, and a band this wide still fills when the
  // synthetic market has moved between the book the engine saw and the order reaching the venue.
  const buy = (qty: string, side: "buy" | "sell" = "buy") => {
    const book = rt.engine.lastBook("ETHUSDT")!;
    const r = rt.executor.submit({ strategyId: "t", symbol: "ETHUSDT", side, orderType: "limit", qty: dec(qty), price: roundPrice(ETH, mul(side === "buy" ? book.ask : book.bid, dec(side === "buy" ? "1.01" : "0.99"))), timeInForce: "IOC", reduceOnly: side === "sell", purpose: side === "buy" ? "entry" : "exit" });
    assert.equal(r.ok, true, r.ok ? "" : r.message);
  };
  const stopFor = (p: SimPosition) => protectiveStopPrice({ qty: dec(p.size), avgPrice: dec(p.avgPrice) }, 3, ETH);
  try {
    await untilVenue("a book", () => rt.engine.lastBook("ETHUSDT") !== undefined);
    buy("0.2");
    const first = await untilVenue("the first stop", (p) => dec(p.size) === dec("0.2") && p.stopLoss !== "" && dec(p.stopLoss) === stopFor(p));
    sim.setPrice("ETHUSDT", mul(dec(first.avgPrice), dec("1.01")));
    await untilVenue("the market to move", () => (rt.engine.lastBook("ETHUSDT")?.bid ?? 0n) > dec(first.avgPrice));
    buy("0.3");
    const second = await untilVenue("the stop to follow the new average", (p) => dec(p.size) === dec("0.5") && p.stopLoss !== "" && dec(p.stopLoss) === stopFor(p));
    assert.notEqual(second.stopLoss, first.stopLoss);
    buy("0.5", "sell");
    const flat = await untilVenue("flat", (p) => dec(p.size) === 0n);
    assert.equal(flat.stopLoss, "", "no stop is left behind on a flat position");
  } finally {
    await rt.stop("test");
  }
});
