/**
 * End to end: the Bybit adapter behind a loopback proxy that corrupts its public stream once:
 * a book delta whose update id overflows to Infinity, a trade message with malformed trades
 * next to a real one, a frame on a topic never subscribed and a frame with neither topic nor op.
 * Each is counted by kind; the corrupted delta costs a resync (the next book says afterGap)
 * and never a book built on a number the venue did not send; the real trade still comes through.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec } from "../../../../src/core/decimal.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, waitFor } from "../rig.ts";
import { CorruptingProxy } from "./corrupting-proxy.ts";

let sim: BybitSimulator;
let proxy: CorruptingProxy;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 43, apiKey: KEY, apiSecret: SECRET });
  proxy = new CorruptingProxy(sim.wsPublicUrl);
  await proxy.listening();
});
after(async () => {
  await proxy.close();
  await sim.close();
});

test("malformed public frames are counted; a corrupted delta forces a resync, a malformed trade spares its neighbours", async () => {
  let armed = false;
  let bookCorrupted = false;
  let tradeCorrupted = false;
  let realTrade: { p: string; v: string; T: number } | undefined;
  proxy.rewrite = (frame) => {
    if (!armed) return [frame];
    const m = JSON.parse(frame);
    if (!bookCorrupted && m.topic === "orderbook.50.BTCUSDT" && m.type === "delta") {
      bookCorrupted = true;
      // The raw text: JSON.parse turns 1e400 into Infinity, which the old reader took as an update id.
      return [frame.replace(/"u":\d+/, '"u":1e400'), JSON.stringify({ topic: "tickers.BTCUSDT", data: {} }), JSON.stringify({ hello: "world" })];
    }
    if (!tradeCorrupted && m.topic === "publicTrade.BTCUSDT") {
      tradeCorrupted = true;
      const real = m.data[0];
      realTrade = real;
      return [JSON.stringify({ ...m, data: [{ ...real, S: "Short" }, { ...real, p: Number(real.p) }, null, ...m.data] })];
    }
    return [frame];
  };
  const rig = await Rig.start({ sim: { ...sim, wsPublicUrl: proxy.url } });
  try {
    await rig.waitBook();
    const before = rig.of("market.book").length;
    armed = true;
    await waitFor("the corrupted delta", () => bookCorrupted);
    const flagged = await waitFor("a book after the resync", () => rig.of("market.book").slice(before).find((b) => b.symbol === "BTCUSDT" && b.afterGap));
    assert.ok(rig.of("market.status").some((s) => s.symbol === "BTCUSDT" && s.status === "resyncing" && s.detail === "malformed book message"));
    assert.ok(flagged.bid < flagged.ask);

    // A trade message: wait for it, then for the real trade it carried.
    if (!tradeCorrupted) {
      const price = await rig.through("buy");
      rig.place({ side: "buy", qty: "0.001", price });
    }
    await waitFor("the corrupted trade message", () => tradeCorrupted);
    const trade = await waitFor("the real trade", () => rig.of("market.trade").find((t) => t.venueTs === realTrade!.T && t.symbol === "BTCUSDT"));
    assert.equal(trade.price, dec(realTrade!.p));
    assert.equal(trade.qty, dec(realTrade!.v));

    const counts = Object.fromEntries(rig.venue.health.malformed);
    assert.equal(counts["ws.book"], 1, JSON.stringify(counts));
    assert.equal(counts["ws.trade"], 3, JSON.stringify(counts)); // unknown side, float price, null
    assert.equal(counts["ws.frame"], 2, JSON.stringify(counts)); // unsubscribed topic, neither topic nor op
  } finally {
    await rig.stop(false);
  }
});
