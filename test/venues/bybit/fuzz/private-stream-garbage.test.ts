/**
 * End to end: the Bybit adapter behind a loopback proxy that corrupts its private stream. Before
 * the first execution message it sends frames that are not JSON, not objects, on unknown topics
 * and without a data list; into that execution message it puts malformed copies of the real
 * item (same execId, a float quantity; an empty execId; garbage) ahead of the real one. The
 * adapter must count each by kind, keep the stream and the engine running, and apply the real
 * fill from the stream exactly once, and the next order must fill as usual.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec } from "../../../../src/core/decimal.ts";
import { createMetrics } from "../../../../src/control/metrics/metrics.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../../src/simulator/bybit/main.ts";
import { FakeEngineView } from "../../../control/fake-view.ts";
import { parseExposition, value } from "../../../observability/exposition.ts";
import { KEY, Rig, SECRET, waitFor } from "../rig.ts";
import { CorruptingProxy } from "./corrupting-proxy.ts";

let sim: BybitSimulator;
let proxy: CorruptingProxy;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 41, apiKey: KEY, apiSecret: SECRET });
  proxy = new CorruptingProxy(sim.wsPrivateUrl);
  await proxy.listening();
});
after(async () => {
  await proxy.close();
  await sim.close();
});

test("malformed private frames and items are counted and dropped; the real fill behind them applies once, from the stream", async () => {
  let corrupted = false;
  proxy.rewrite = (frame) => {
    const m = JSON.parse(frame);
    if (corrupted || m.topic !== "execution") return [frame];
    corrupted = true;
    const real = m.data[0];
    const poisoned = { ...m, data: [{ ...real, execQty: Number(real.execQty) }, { ...real, execId: "" }, "garbage", { ...real, execType: "Liquidation" }, ...m.data] };
    return [
      "{not json",
      "[1,2,3]",
      JSON.stringify({ topic: "execution", data: { not: "a list" } }),
      JSON.stringify({ topic: "bogus.topic", data: [] }),
      JSON.stringify({ topic: "order", data: [{ ...real, orderStatus: "Exploded" }] }),
      JSON.stringify(poisoned),
    ];
  };
  const rig = await Rig.start({ sim: { ...sim, wsPrivateUrl: proxy.url } });
  try {
    const price = await rig.through("buy");
    const id = rig.place({ side: "buy", qty: "0.004", price });
    await waitFor("the fill", () => rig.status(id) === "FILLED");
    assert.ok(corrupted, "the proxy saw the execution message");
    const fills = rig.fillsOf(id);
    assert.equal(fills.reduce((s, f) => s + f.qty, 0n), dec("0.004"));
    assert.ok(fills.some((f) => f.source === "stream"), `the real item applied from the stream (sources: ${fills.map((f) => f.source).join(", ")})`);
    assert.equal(rig.duplicateFills, 0);
    assert.deepEqual(rig.refused, []);

    const counts = Object.fromEntries(rig.venue.health.malformed);
    assert.equal(counts["ws.frame"], 3, JSON.stringify(counts)); // not JSON, not an object, unknown topic
    assert.equal(counts["ws.execution"], 5, JSON.stringify(counts)); // data not a list, float qty, empty id, garbage, unknown execType
    assert.equal(counts["ws.order"], 1, JSON.stringify(counts));
    assert.ok(rig.alerts("VENUE_MALFORMED_MESSAGE").length >= 1);

    // Still running: the next order fills as usual, and the stream stayed up.
    const next = rig.place({ side: "sell", qty: "0.004", price: await rig.through("sell") });
    await waitFor("the next fill", () => rig.status(next) === "FILLED");
    assert.equal(rig.venue.health.view().streams.private, true);

    // The metric the operator sees.
    const view = new FakeEngineView();
    view.venue = rig.venue.health.view();
    const metrics = createMetrics(view, { processMetrics: false });
    try {
      const s = parseExposition(await metrics.render());
      assert.equal(value(s, 'hean_venue_malformed_messages_total{venue="sim",kind="ws.execution"}'), 5);
      assert.equal(value(s, 'hean_venue_malformed_messages_total{venue="sim",kind="ws.frame"}'), 3);
    } finally {
      metrics.close();
    }
  } finally {
    await rig.stop(false);
  }
});
