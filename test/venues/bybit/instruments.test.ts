/**
 * Instruments come from the venue: the live runtime reads the simulator's listing at start, trades
 * SOLUSDT and 1000PEPEUSDT on their own tick and lot rules, journals the rules it traded on (replay
 * sees the same), and refuses a symbol the venue does not list, naming what it may be a typo of.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { dec, isMultipleOf, mul } from "../../../src/core/decimal.ts";
import { roundPrice } from "../../../src/core/instrument.ts";
import { isHeanError } from "../../../src/core/errors.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { replayJournal } from "../../../src/engine/replay.ts";
import { SqliteJournal } from "../../../src/journal/sqlite-journal.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { parseInstrument } from "../../../src/venues/bybit/wire.ts";
import { KEY, SECRET, liveOverrides, waitFor } from "./rig.ts";

let sim: BybitSimulator;
/** The simulator's listing, read straight off its wire. */
let listedNow: ReturnType<typeof parseInstrument>[] = [];
const dir = mkdtempSync(join(tmpdir(), "hean-instruments-"));
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 71, apiKey: KEY, apiSecret: SECRET });
  const res = await fetch(`${sim.url}/v5/market/instruments-info?category=linear`);
  listedNow = ((await res.json()) as { result: { list: unknown[] } }).result.list.map(parseInstrument);
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function liveConfig(name: string, symbols: readonly string[]) {
  return loadConfig({ overrides: [...liveOverrides(sim, join(dir, name)), `symbols=${JSON.stringify(symbols)}`] });
}

const live = { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) };

test("SOLUSDT and 1000PEPEUSDT trade on the venue's own tick and lot rules; the rules are journaled and replay the same", async () => {
  await sim.reset({ seed: 71 });
  const config = liveConfig("alts.db", ["SOLUSDT", "1000PEPEUSDT"]);
  const rt = await Runtime.start({ config, live });
  try {
    const sol = rt.instruments.get("SOLUSDT");
    const pepe = rt.instruments.get("1000PEPEUSDT");
    assert.equal(sol.tickSize, dec("0.01"));
    assert.equal(sol.lotSize, dec("0.1"));
    assert.equal(pepe.tickSize, dec("0.0000001"));
    assert.equal(pepe.lotSize, dec("100"));
    assert.equal(pepe.baseAsset, "1000PEPE");
    assert.equal(pepe.contract?.multiplier, dec("1000"));
    for (const [symbol, qty, filled] of [
      ["SOLUSDT", "0.37", "0.3"],
      ["1000PEPEUSDT", "1250", "1200"],
    ] as const) {
      const book = await waitFor(`a ${symbol} book`, () => rt.engine.lastBook(symbol), 30_000);
      // Off the lot on purpose: pre-trade rounds down to this instrument's lot, never to BTC's.
      // A little through the touch, on this instrument's tick: the market may move before it arrives.
      const price = roundPrice(rt.instruments.get(symbol), mul(book.ask, dec("1.002")), "ceil");
      const r = rt.executor.submit({ strategyId: "t", symbol, side: "buy", orderType: "limit", qty: dec(qty), price, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
      assert.equal(r.ok, true, r.ok ? "" : r.message);
      const pos = await waitFor(`a ${symbol} position`, () => {
        const q = rt.engine.state.portfolio.position(symbol).qty;
        return q > 0n ? q : undefined;
      }, 30_000);
      assert.equal(pos, dec(filled));
      const i = rt.instruments.get(symbol);
      for (const f of [...rt.engine.state.orders.values()].filter((o) => o.symbol === symbol)) {
        assert.ok(isMultipleOf(f.qty, i.lotSize), `${symbol} qty ${f.qty} on the lot`);
        assert.ok(f.price !== undefined && isMultipleOf(f.price, i.tickSize), `${symbol} price on the tick`);
      }
    }
    const venueState = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { positions: { symbol: string; size: string }[] };
    assert.equal(venueState.positions.find((p) => p.symbol === "1000PEPEUSDT")?.size, "1200");
    assert.equal(venueState.positions.find((p) => p.symbol === "SOLUSDT")?.size, "0.3");
  } finally {
    await rt.stop("test");
  }
  const journal = SqliteJournal.open(config.journal.path);
  try {
    const listed = [...journal.read(0)].map((r) => r.event).filter((e) => e.type === "venue.instruments");
    assert.equal(listed.length, 1);
    const { state } = replayJournal(journal, config.initialCash);
    assert.deepEqual(state.instruments.get("1000PEPEUSDT"), rtRules("1000PEPEUSDT"));
    assert.deepEqual(state.instruments.get("SOLUSDT"), rtRules("SOLUSDT"));
  } finally {
    journal.close();
  }

  function rtRules(symbol: string) {
    return listedNow.find((i) => i.symbol === symbol);
  }
});

test("a symbol the venue does not list is refused at start, naming what it may be a typo of", async () => {
  await assert.rejects(Runtime.start({ config: liveConfig("unknown.db", ["SOLUSD"]), live }), (e) => {
    assert.ok(isHeanError(e, "CONFIG_INVALID"), String(e));
    assert.match((e as Error).message, /bybit does not list SOLUSD \(did you mean SOLUSDT\?\)$/);
    return true;
  });
});

test("instruments-info: a number where Bybit sends a decimal string, or a missing filter, is a protocol error", () => {
  assert.deepEqual(listedNow.map((i) => i.symbol), ["BTCUSDT", "ETHUSDT", "SOLUSDT", "1000PEPEUSDT"]);
  const item = {
    symbol: "SOLUSDT",
    contractType: "LinearPerpetual",
    baseCoin: "SOL",
    quoteCoin: "USDT",
    priceFilter: { tickSize: "0.01" },
    lotSizeFilter: { qtyStep: "0.1", minOrderQty: "0.1", maxOrderQty: "100", minNotionalValue: "5" },
  };
  assert.equal(parseInstrument(item).tickSize, dec("0.01"));
  for (const bad of [
    { ...item, priceFilter: { tickSize: 0.01 } },
    { ...item, lotSizeFilter: undefined },
    { ...item, contractType: "InversePerpetual" },
    { ...item, lotSizeFilter: { ...item.lotSizeFilter, qtyStep: "0" } },
  ]) {
    assert.throws(() => parseInstrument(bad), (e) => isHeanError(e, "VENUE_PROTOCOL"));
  }
});
