import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { startControlServer } from "../../src/control/http/server.ts";
import { createMetrics } from "../../src/control/metrics/metrics.ts";
import { FakeEngineView } from "../control/fake-view.ts";
import { parseExposition, value } from "./exposition.ts";

const PROMTOOL = "/usr/bin/promtool";

function orderLife(view: FakeEngineView, id: string, symbol: string, t: number): void {
  const events: HeanEvent[] = [
    { type: "order.intent", ts: t, clientOrderId: id, strategyId: "impulse", symbol, side: "buy", orderType: "limit", qty: dec("0.02"), price: dec("97000"), timeInForce: "POST_ONLY", reduceOnly: false, purpose: "entry" },
    { type: "order.submitted", ts: t + 1, clientOrderId: id, attempt: 1 },
    { type: "order.accepted", ts: t + 13, clientOrderId: id, venueOrderId: `V-${id}` },
    { type: "order.filled", ts: t + 50, fillId: `${id}-f1`, clientOrderId: id, venueOrderId: `V-${id}`, symbol, side: "buy", price: dec("97000"), qty: dec("0.01"), fee: dec("-0.1"), liquidity: "maker", venueTs: t + 50, source: "stream" },
    { type: "order.filled", ts: t + 60, fillId: `${id}-f2`, clientOrderId: id, venueOrderId: `V-${id}`, symbol, side: "buy", price: dec("97000"), qty: dec("0.01"), fee: dec("0.3"), liquidity: "taker", venueTs: t + 60, source: "stream" },
  ];
  for (const e of events) view.emit(e);
}

describe("metrics", () => {
  test("snapshot metrics mirror the engine view at scrape time", async () => {
    const view = new FakeEngineView();
    const metrics = createMetrics(view, { processMetrics: false });
    try {
      let s = parseExposition(await metrics.render());
      assert.equal(value(s, "hean_equity_quote"), Number(view.status().equity));
      assert.equal(value(s, "hean_open_positions"), 1);
      assert.equal(value(s, "hean_working_orders"), 1);
      assert.equal(value(s, 'hean_risk_governor_state{state="NORMAL"}'), 1);
      assert.equal(value(s, 'hean_risk_governor_state{state="HARD_STOP"}'), 0);
      assert.equal(value(s, 'hean_trading_state{state="active"}'), 1);
      assert.ok(Math.abs(value(s, "hean_drawdown_ratio") - 0.018) < 1e-12);
      assert.equal(value(s, 'hean_bus_queue_depth_events{lane="market"}'), 37);
      assert.equal(value(s, 'hean_bus_events_dropped_total{lane="market"}'), 1276);
      assert.equal(value(s, 'hean_bus_dropped_events_by_type_total{event_type="market.book"}'), 1201);
      assert.equal(value(s, "hean_bus_dead_letters_total"), 1);
      assert.equal(value(s, "hean_event_loop_lag_p99_seconds"), 0.0031);
      assert.equal(value(s, 'hean_websocket_connected{stream="private"}'), 1);
      assert.equal(value(s, 'hean_circuit_breaker_state{state="closed"}'), 1);
      assert.equal(value(s, "hean_missed_fills_total"), 2);
      assert.equal(value(s, 'hean_risk_denials_total{code="MAX_OPEN_ORDERS"}'), 3);
      assert.equal(value(s, 'hean_strategy_disabled{strategy="impulse"}'), 0);
      assert.equal(value(s, 'hean_strategy_disabled{strategy="scalper"}'), 1);

      view.riskState = "HARD_STOP";
      view.tradingState = "halted";
      view.venue = { ...view.venue, circuitBreaker: "open", streams: { public: true, private: false } };
      s = parseExposition(await metrics.render());
      assert.equal(value(s, 'hean_risk_governor_state{state="NORMAL"}'), 0);
      assert.equal(value(s, 'hean_risk_governor_state{state="HARD_STOP"}'), 1);
      assert.equal(value(s, 'hean_trading_state{state="halted"}'), 1);
      assert.equal(value(s, "hean_kill_switch_active"), 1);
      assert.equal(value(s, 'hean_circuit_breaker_state{state="open"}'), 1);
      assert.equal(value(s, 'hean_circuit_breaker_state{state="closed"}'), 0);
      assert.equal(value(s, 'hean_websocket_connected{stream="private"}'), 0);
    } finally {
      metrics.close();
    }
  });

  test("event-fed metrics: order lifecycle, ack latency, maker ratio, kill-switch, commands, alerts", async () => {
    const view = new FakeEngineView();
    const metrics = createMetrics(view, { processMetrics: false });
    try {
      orderLife(view, "o1", "BTCUSDT", 1_000);
      orderLife(view, "o2", "ETHUSDT", 2_000);
      view.emit({ type: "order.intent", ts: 3_000, clientOrderId: "o3", strategyId: "impulse", symbol: "BTCUSDT", side: "sell", orderType: "limit", qty: dec("1"), price: dec("1"), timeInForce: "POST_ONLY", reduceOnly: false, purpose: "entry" });
      view.emit({ type: "order.submitted", ts: 3_000, clientOrderId: "o3", attempt: 1 });
      view.emit({ type: "order.rejected", ts: 3_400, clientOrderId: "o3", code: "170193", reason: "post-only would take", postOnlyWouldTake: true });
      view.emit({ type: "risk.kill-switch", ts: 4_000, step: "triggered", reason: "STALE_MARKET_DATA", detail: "no book for 5 s" });
      view.emit({ type: "risk.kill-switch", ts: 4_010, step: "flat", reason: "STALE_MARKET_DATA", detail: "" });
      view.emit({ type: "command", ts: 5_000, commandId: "c1", command: "stop", source: "telegram:42", args: {} });
      view.raise({ type: "alert", ts: 5_000, severity: "critical", code: "X", message: "m", context: {} });

      const s = parseExposition(await metrics.render());
      assert.equal(value(s, 'hean_orders_submitted_total{symbol="BTCUSDT"}'), 2);
      assert.equal(value(s, 'hean_orders_accepted_total{symbol="BTCUSDT"}'), 1);
      assert.equal(value(s, 'hean_orders_rejected_total{symbol="BTCUSDT"}'), 1);
      assert.equal(value(s, 'hean_orders_filled_total{symbol="BTCUSDT"}'), 1);
      assert.equal(value(s, 'hean_orders_filled_total{symbol="ETHUSDT"}'), 1);
      assert.equal(value(s, 'hean_fills_total{symbol="BTCUSDT",liquidity="maker"}'), 1);
      assert.equal(value(s, 'hean_fills_total{symbol="BTCUSDT",liquidity="taker"}'), 1);
      assert.equal(value(s, "hean_maker_fill_ratio"), 0.5);
      assert.equal(value(s, 'hean_order_ack_latency_seconds_count{outcome="accepted"}'), 2);
      assert.ok(Math.abs(value(s, 'hean_order_ack_latency_seconds_sum{outcome="accepted"}') - 0.024) < 1e-9);
      assert.equal(value(s, 'hean_order_ack_latency_seconds_bucket{le="0.01",outcome="accepted"}'), 0);
      assert.equal(value(s, 'hean_order_ack_latency_seconds_bucket{le="0.025",outcome="accepted"}'), 2);
      assert.equal(value(s, 'hean_order_ack_latency_seconds_count{outcome="rejected"}'), 1);
      assert.equal(value(s, 'hean_kill_switch_triggers_total{reason="STALE_MARKET_DATA"}'), 1);
      assert.equal(value(s, 'hean_kill_switch_triggers_total{reason="HARD_STOP"}'), 0);
      assert.equal(value(s, 'hean_commands_total{command="stop",source="telegram"}'), 1);
      assert.equal(value(s, 'hean_alerts_total{severity="critical"}'), 1);
    } finally {
      metrics.close();
    }
    assert.equal(view.eventListenerCount, 0, "close() unsubscribes");
  });

  test("stale market data: seconds since the last book per symbol, on the engine clock", async () => {
    const view = new FakeEngineView();
    const metrics = createMetrics(view, { processMetrics: false });
    try {
      view.book("BTCUSDT", 97_000, view.now - 7_500);
      let s = parseExposition(await metrics.render());
      assert.equal(value(s, 'hean_market_data_age_seconds{symbol="BTCUSDT"}'), 7.5);
      // ETHUSDT never had a book: its age counts from the first scrape.
      view.now += 30_000;
      s = parseExposition(await metrics.render());
      assert.equal(value(s, 'hean_market_data_age_seconds{symbol="BTCUSDT"}'), 37.5);
      assert.equal(value(s, 'hean_market_data_age_seconds{symbol="ETHUSDT"}'), 30);
      view.book("BTCUSDT", 97_000, view.now);
      s = parseExposition(await metrics.render());
      assert.equal(value(s, 'hean_market_data_age_seconds{symbol="BTCUSDT"}'), 0);
    } finally {
      metrics.close();
    }
  });

  test("a failing engine view keeps the last values and counts the failure", async () => {
    const view = new FakeEngineView();
    const metrics = createMetrics(view, { processMetrics: false });
    try {
      await metrics.render();
      const equity = Number(view.status().equity);
      view.statusThrows = true;
      const s = parseExposition(await metrics.render());
      assert.equal(value(s, "hean_metrics_snapshot_errors_total"), 1);
      assert.equal(value(s, "hean_equity_quote"), equity);
    } finally {
      metrics.close();
    }
  });

  test("promtool check metrics passes on the live /metrics output", { skip: existsSync(PROMTOOL) ? false : `SKIPPED LOUDLY: ${PROMTOOL} is missing (apt-get install prometheus)` }, async () => {
    const view = new FakeEngineView();
    const server = await startControlServer({ view, port: 0 });
    try {
      orderLife(view, "o1", "BTCUSDT", 1_000);
      view.emit({ type: "command", ts: 5_000, commandId: "c1", command: "flatten", source: "api:127.0.0.1", args: {} });
      view.emit({ type: "market.status", ts: 5_000, symbol: "ETHUSDT", status: "stale", detail: "no book for 5 s" });
      const text = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(text, /^hean_process_resident_memory_bytes \d+/m);
      const run = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
      assert.equal(run.status, 0, `promtool check metrics:\n${run.stdout}${run.stderr}`);
      // Every metric has help text, and every name carries the hean_ prefix.
      for (const line of text.split("\n")) {
        const m = /^# HELP (\S+) (.*)$/.exec(line);
        if (m === null) continue;
        assert.match(m[1]!, /^hean_/);
        assert.ok(m[2]!.length > 10, `help for ${m[1]}`);
      }
    } finally {
      await server.close();
    }
  });
});

if (!existsSync(PROMTOOL)) console.warn(`\n!!! ${PROMTOOL} is missing: the promtool metrics check is SKIPPED (apt-get install prometheus)\n`);

describe("kill-switch reaction metric", () => {
  test("is the trigger-to-first-close time the engine measures, and has no sample while the last trigger has sent no close", async () => {
    const view = new FakeEngineView();
    const metrics = createMetrics(view, { processMetrics: false });
    try {
      let text = await metrics.render();
      assert.match(text, /# HELP hean_kill_switch_reaction_seconds Time from the last kill-switch trigger to its first close order handed to the venue/);
      assert.equal(value(parseExposition(text), "hean_kill_switch_reaction_seconds"), 0.042);
      // A later trigger with nothing to close: the earlier reaction must not be shown as this one's.
      view.killSwitchReactionMs = null;
      text = await metrics.render();
      assert.equal(parseExposition(text).has("hean_kill_switch_reaction_seconds"), false, text.split("\n").filter((l) => l.includes("reaction")).join("\n"));
    } finally {
      metrics.close();
    }
  });
});
