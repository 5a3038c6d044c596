/**
 * The router against the Bybit simulator (issue 10, defect 7): the live runtime, a `normal`
 * parent whose maker leg fills in part at the venue while the private stream runs seconds late
 * (injected latency). The touch runs away (or the TTL runs out), the router cancels the leg, and
 * the adapter learns the outcome by asking the venue: "Cancelled" with its `cumExecQty`, before
 * the leg's fills reached hean. The fallback must be sized from that confirmed cumulative fill; the fills that
 * arrive afterwards (from the execution list, then again from the late stream) count once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Dec, ZERO, add, dec, format, sub } from "../../../src/core/decimal.ts";
import type { HeanEvent } from "../../../src/core/events.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, SECRET, liveOverrides, sleep, waitFor } from "./rig.ts";

const SYMBOL = "BTCUSDT";
/** Far more than one brief cross of the book can fill, so the maker leg fills in part. */
const QTY = "100";
/** Private messages (order updates, executions) reach hean this late. */
const PRIVATE_LATENCY_MS = 6_000;

let sim: BybitSimulator;
const dir = mkdtempSync(join(tmpdir(), "hean-late-fill-"));
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 71, apiKey: KEY, apiSecret: SECRET, startingBalance: "100000000" });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `waitFor` for probes that must ask the simulator. */
async function waitForAsync<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function venueOrder(orderLinkId: string): Promise<{ orderStatus: string; cumExecQty: string } | undefined> {
  const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { orders: { orderLinkId: string; orderStatus: string; cumExecQty: string }[] };
  return state.orders.find((o) => o.orderLinkId === orderLinkId);
}

test("bybit: a maker leg's cancel confirms fills hean has not seen yet; the fallback is sized from them and the parent never overfills", async () => {
  const config = loadConfig({
    overrides: [
      ...liveOverrides(sim, join(dir, "late-fill.db")),
      "initialCash=100000000",
      "risk.maxLeverage=30",
      "risk.maxOrderNotional=500000000",
      "risk.maxPositionNotional=500000000",
      "risk.maxGrossExposure=1000000000",
      "execution.ttl.minMs=2000",
      "execution.ttl.maxMs=2000",
      "execution.ttl.baseMs=2000",
      "execution.maxReprices=0",
      // Twenty ticks behind the touch: the post-only leg rests even if the market moves before it lands.
      "execution.makerOffsetTicks=-20",
    ],
  });
  const rt = await Runtime.start({ config, live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
  const events: HeanEvent[] = [];
  rt.outbox.subscribe("test-recorder", (e) => void events.push(e));
  try {
    await waitFor("a book", () => rt.engine.lastBook(SYMBOL));
    // The scenario needs the market's cooperation (the leg must rest, then fill in part): drive it
    // until it comes about, then check every property on that parent. Every parent, whatever
    // happened to it, must stay within its quantity.
    const parents: string[] = [];
    let proven: { parentId: string; m1: string } | undefined;
    for (let attempt = 1; proven === undefined; attempt++) {
      assert.ok(attempt <= 5, "the leg never rested and filled in part in 5 tries");
      sim.setFaults({ latencyMs: { private: PRIVATE_LATENCY_MS } });
      const r = rt.router.route({ strategyId: "test", symbol: SYMBOL, side: "buy", qty: dec(QTY), urgency: "normal", purpose: "entry", reduceOnly: false });
      assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.message}`);
      parents.push(r.parentId);
      const m1 = r.clientOrderId;
      const status = await waitForAsync("the maker leg at the venue", async () => (await venueOrder(m1))?.orderStatus);
      if (status === "New" || status === "PartiallyFilled") {
        // In one turn of the simulator, the market dips through the resting bid (the levels it
        // passes trade with it: a bounded part of the leg fills) and jumps back well above it;
        // the touch has run away, so the router pulls the leg.
        const legPrice = rt.engine.state.orders.get(m1)!.price!;
        sim.setPrice(SYMBOL, sub(legPrice, dec("0.5")));
        sim.setPrice(SYMBOL, add(legPrice, dec("60")));
      }
      await waitFor("the parent to end", () => events.find((e) => e.type === "router.done" && e.parentId === r.parentId), 30_000);
      sim.clearFaults();
      const cancelled = events.find((e) => e.type === "order.cancelled" && e.clientOrderId === m1);
      const confirmed = cancelled?.type === "order.cancelled" ? cancelled.filledQty : undefined;
      if (confirmed !== undefined && confirmed > 0n && confirmed < dec(QTY)) proven = { parentId: r.parentId, m1 };
    }
    const { parentId, m1 } = proven;

    const cancelled = events.find((e) => e.type === "order.cancelled" && e.clientOrderId === m1);
    assert.ok(cancelled !== undefined && cancelled.type === "order.cancelled", "the maker leg ended cancelled");
    const confirmed = cancelled.filledQty!;
    const venueM1 = await venueOrder(m1);
    assert.equal(confirmed, dec(venueM1!.cumExecQty), "the cancel carries the venue's cumExecQty, exactly");
    const at = events.indexOf(cancelled);
    const makerFills = events.filter((e) => e.type === "order.filled" && e.clientOrderId === m1);
    const seenAtCancel = makerFills.filter((f) => events.indexOf(f) < at).reduce((a, f) => add(a, f.type === "order.filled" ? f.qty : ZERO), ZERO);
    assert.ok(seenAtCancel < confirmed, `the cancel confirmed ${format(confirmed)} while hean had seen ${format(seenAtCancel)}`);

    const taker = events.find((e) => e.type === "router.leg" && e.parentId === parentId && e.kind === "taker");
    assert.ok(taker !== undefined && taker.type === "router.leg", "the bounded fallback went out");
    assert.ok(events.indexOf(taker) > at);
    assert.equal(taker.qty, sub(dec(QTY), confirmed) as Dec, "sized from the confirmed cumulative fill, not from the fills seen");

    // The late fills land (execution list, then the stream's copies) and count once.
    await waitFor("the maker leg's fills", () => rt.engine.state.orders.get(m1)!.filledQty === confirmed || undefined, 20_000);
    let total = ZERO;
    for (const id of parents) {
      const filled = rt.engine.state.parents.get(id)!.filledQty;
      assert.ok(filled <= dec(QTY), `parent ${id} never overfills (${format(filled)} of ${QTY})`);
      total = add(total, filled);
    }
    const venueQty = await waitForAsync("the venue position", async () => {
      const res = await fetch(`${sim.url}/__sim/state`);
      const st = (await res.json()) as { positions: { symbol: string; size: string }[] };
      const p = st.positions.find((x) => x.symbol === SYMBOL);
      return p === undefined ? undefined : dec(p.size);
    });
    assert.ok(venueQty <= total, `the venue holds ${format(venueQty)}: no more than the parents filled`);
    await waitFor("hean's position to match the venue", () => rt.engine.state.portfolio.position(SYMBOL).qty === venueQty || undefined, 20_000);
  } finally {
    sim.clearFaults();
    await rt.stop("test done");
  }
});
