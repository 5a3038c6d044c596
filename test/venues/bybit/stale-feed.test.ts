/**
 * A market feed gone quiet on Bybit (`hean sim bybit --scenario stale`: from 10 s after the
 * start the market stops for 30 s; the socket stays open and every new subscription still gets
 * a snapshot, of the book as it stood). The public stream reconnects a socket silent for
 * `publicIdleMs`, and each reconnect's snapshot was published as a fresh book: the risk
 * controller's clock on the symbol's silence was reset every few seconds, so the dead feed never
 * read as stale: no flatten, and entries went on being taken on the last prices (seen live: an
 * entry filled 17 s into the silence, a position held through it). A snapshot whose top of book
 * has not moved is not fresh market data: the silence is counted from the last move, and the
 * kill switch flattens the held position and halts, as on Binance (whose depth stream cannot be
 * bridged without a new diff).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ZERO, dec, format, mul, roundToStep } from "../../../src/core/decimal.ts";
import type { AlertEvent, HeanEvent } from "../../../src/core/events.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, liveOverrides, waitFor } from "./rig.ts";

let sim: BybitSimulator;
const dir = mkdtempSync(join(tmpdir(), "hean-stale-"));
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 44, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a reconnect's snapshot of an unmoved book is not published as fresh data", async () => {
  await sim.reset({ seed: 44, scenario: "stale" });
  const rig = await Rig.start({ sim, tuning: { publicIdleMs: 300 } });
  try {
    await rig.waitBook();
    // The market stops: the socket goes silent and is reconnected, again and again.
    await waitFor("a silent socket reconnected", () => rig.alerts("PUBLIC_STREAM_SILENT").length > 0, 30_000);
    const since = rig.events.length;
    // Three more reconnects, each one's snapshots taken in (the books go live again each time).
    await waitFor("three more reconnects, each resynced", () => {
      const later = rig.events.slice(since);
      return later.filter((e) => e.type === "alert" && e.code === "PUBLIC_STREAM_SILENT").length >= 3 && later.filter((e) => e.type === "market.status" && e.status === "live").length >= 6;
    }, 30_000);
    const republished = rig.events.slice(since).filter((e): e is Extract<HeanEvent, { type: "market.book" }> => e.type === "market.book");
    assert.deepEqual(republished.map((b) => `${b.symbol} ${format(b.bid)}/${format(b.ask)} afterGap=${b.afterGap}`), [], "no book: nothing moved");
  } finally {
    await rig.stop(false);
  }
});

test("a held position on a feed gone quiet is flattened by the kill switch (STALE_MARKET_DATA) and trading halts", async () => {
  await sim.reset({ seed: 44, scenario: "stale" });
  const config = loadConfig({
    overrides: [...liveOverrides(sim, join(dir, "stale.db")), "symbols=[\"BTCUSDT\"]", "venues.bybit.publicIdleMs=300", "risk.staleDataMs=1500"],
  });
  const alerts: AlertEvent[] = [];
  const rt = await Runtime.start({ config, onAlert: (a) => alerts.push(a), live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
  const state = rt.engine.state;
  try {
    const book = await waitFor("a book", () => rt.engine.lastBook("BTCUSDT"));
    const through = roundToStep(mul(book.ask, dec("1.01")), rt.instruments.get("BTCUSDT").tickSize, "ceil");
    const entry = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price: through, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.equal(entry.ok, true);
    await waitFor("the position", () => state.portfolio.position("BTCUSDT").qty > ZERO || undefined);
    // The market stops; the socket is reconnected every 300 ms and each time gets the same book.
    const kill = await waitFor("the kill switch, or reconnects enough for many stale windows", () => {
      const k = alerts.find((a) => a.code === "KILL_SWITCH");
      if (k !== undefined) return k;
      return alerts.filter((a) => a.code === "PUBLIC_STREAM_SILENT").length >= 25 ? ({ code: "none", context: {} } as unknown as AlertEvent) : undefined;
    }, 40_000);
    assert.equal(kill.code, "KILL_SWITCH", "the silence was seen");
    assert.equal(kill.context.reason, "STALE_MARKET_DATA");
    assert.match(String(kill.context.detail), /BTCUSDT silent/);
    await waitFor("flat", () => (state.portfolio.position("BTCUSDT").qty === ZERO && state.killSwitch.flatAt !== null) || undefined);
    const venue = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { positions: { symbol: string; size: string }[] };
    assert.equal(dec(venue.positions.find((p) => p.symbol === "BTCUSDT")!.size), ZERO);
    assert.equal(state.tradingState(), "halted");
  } finally {
    await rt.stop("test");
  }
});
