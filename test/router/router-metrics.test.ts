import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { createMetrics } from "../../src/control/metrics/metrics.ts";
import { FakeEngineView } from "../control/fake-view.ts";
import { parseExposition, value } from "../observability/exposition.ts";
import { PARENT, done, leg, parent } from "./fixtures.ts";

const PROMTOOL = "/usr/bin/promtool";

test("router metrics: parents, legs, expiries, fallbacks, maker ratio, time to fill, slippage, fees and rebates", async () => {
  const view = new FakeEngineView();
  const metrics = createMetrics(view, { processMetrics: false });
  try {
    // A normal parent: half filled by a maker leg, the rest by the fallback after a TTL expiry.
    view.emit(parent({ qty: dec("2"), arrivalMid: dec("100") }));
    view.emit(leg(1));
    view.emit({ type: "router.ttl-expired", ts: 1_500, parentId: PARENT, clientOrderId: `${PARENT}-m1`, action: "cancel", reason: "ttl", ttlMs: 0 });
    view.emit(leg(1, { kind: "taker", cause: "reprice-exhausted", ttlMs: 0 }));
    view.emit(done({ filledQty: dec("2"), makerQty: dec("1"), avgPrice: dec("100"), feesPaid: dec("0.3"), rebates: dec("0.1"), timeToFillMs: 1_800, slippageBps: 1.5, takerLegs: 1, ttlExpiries: 1, fallbackCause: "reprice-exhausted" }));
    // A passive parent that never filled.
    view.emit(parent({ parentId: "p2", urgency: "passive", qty: dec("2") }));
    view.emit(done({ parentId: "p2", reason: "maker-expired" }));

    const s = parseExposition(await metrics.render());
    assert.equal(value(s, 'hean_router_parents_total{urgency="normal",reason="filled"}'), 1);
    assert.equal(value(s, 'hean_router_parents_total{urgency="passive",reason="maker-expired"}'), 1);
    assert.equal(value(s, 'hean_router_legs_total{kind="maker",cause="initial"}'), 1);
    assert.equal(value(s, 'hean_router_legs_total{kind="taker",cause="reprice-exhausted"}'), 1);
    assert.equal(value(s, 'hean_router_ttl_expiries_total{action="cancel",reason="ttl"}'), 1);
    assert.equal(value(s, 'hean_router_ttl_expiries_total{action="extend",reason="ttl"}'), 0);
    assert.equal(value(s, 'hean_router_fallbacks_total{cause="reprice-exhausted"}'), 1);
    assert.equal(value(s, 'hean_router_fallbacks_total{cause="post-only-would-take"}'), 0);
    assert.equal(value(s, "hean_router_maker_fill_ratio"), 0.5);
    assert.equal(value(s, "hean_router_fill_ratio"), 0.5, "200 filled of 400 asked");
    assert.equal(value(s, 'hean_router_time_to_fill_seconds_count{urgency="normal"}'), 1);
    assert.equal(value(s, 'hean_router_time_to_fill_seconds_bucket{le="1",urgency="normal"}'), 0);
    assert.equal(value(s, 'hean_router_time_to_fill_seconds_bucket{le="2.5",urgency="normal"}'), 1);
    assert.equal(value(s, 'hean_router_slippage_bps_bucket{le="1",urgency="normal"}'), 0);
    assert.equal(value(s, 'hean_router_slippage_bps_bucket{le="2",urgency="normal"}'), 1);
    assert.equal(value(s, "hean_router_fees_paid_quote_total"), 0.3);
    assert.equal(value(s, "hean_router_rebates_quote_total"), 0.1);
  } finally {
    metrics.close();
  }
});

test("router metrics pass promtool check metrics", { skip: existsSync(PROMTOOL) ? false : `SKIPPED LOUDLY: ${PROMTOOL} is missing (apt-get install prometheus)` }, async () => {
  const view = new FakeEngineView();
  const metrics = createMetrics(view, { processMetrics: false });
  try {
    view.emit(parent());
    view.emit(leg(1));
    view.emit(done({ filledQty: dec("1"), makerQty: dec("1"), avgPrice: dec("99.9"), feesPaid: dec("0.02"), timeToFillMs: 300, slippageBps: -1 }));
    const text = await metrics.render();
    assert.match(text, /^hean_router_slippage_bps_bucket/m);
    const run = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(run.status, 0, `promtool check metrics:\n${run.stdout}${run.stderr}`);
  } finally {
    metrics.close();
  }
});
