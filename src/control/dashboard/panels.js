// @ts-check
/** Renders the engine's snapshots into the page. Pure functions of the data they are given. */
import { bar, byId, el, fillTable, setText } from "./dom.js";
import { clock, count, dateTime, duration, groupDigits, lag, money, percent, percentOrDash, ratio, signedMoney, trend } from "./format.js";

const RISK_CLASS = { NORMAL: "good", SOFT_BRAKE: "warn", QUARANTINE: "orange", HARD_STOP: "bad" };
const TRADING_CLASS = { active: "good", "reduce-only": "warn", halted: "bad" };

/** @param {Record<string, string>} table @param {string} key */
const tone = (table, key) => table[key] ?? "";

/** @param {any} status @param {any} risk */
export function renderHeader(status, risk) {
  setText("mode", status.mode.toUpperCase(), `badge ${status.mode === "live" ? "bad" : "info"}`);
  setText("venue", `${status.venue} · ${status.strategy} · ${status.symbols.join(" ")}`);
  setText("trading-state", status.tradingState.toUpperCase(), `badge ${tone(TRADING_CLASS, status.tradingState)}`);
  setText("risk-state", risk.state, `badge ${tone(RISK_CLASS, risk.state)}`);
  setText("ready", status.ready.ok ? "READY" : "NOT READY", `badge ${status.ready.ok ? "good" : "warn"}`);
  byId("ready").title = status.ready.ok ? "journal replayed, venue connected and reconciled" : status.ready.reasons.join("\n");
  setText("now", `${clock(status.now)} UTC · up ${duration(status.now - status.startedAt)}`);
  byId("btn-reset-hard-stop").hidden = risk.state !== "HARD_STOP";
  const banner = byId("halt-banner");
  if (risk.killSwitch.active || status.tradingState !== "active") {
    const why = risk.killSwitch.reason ?? (risk.reasons.length > 0 ? risk.reasons.join("; ") : status.tradingState);
    banner.textContent = `Trading ${status.tradingState.toUpperCase()}${risk.killSwitch.active ? " · kill switch engaged" : ""} · ${why}`;
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
}

/** @param {any} status @param {any} risk @param {readonly any[]} positions @param {readonly any[]} orders */
export function renderKpis(status, risk, positions, orders) {
  setText("kpi-equity", money(status.equity));
  setText("kpi-realized", signedMoney(status.realizedPnl), `mono ${trend(status.realizedPnl)}`);
  setText("kpi-unrealized", signedMoney(status.unrealizedPnl), `mono ${trend(status.unrealizedPnl)}`);
  setText("kpi-fees", money(status.fees));
  setText("kpi-drawdown", percent(risk.drawdownPct), `mono ${risk.drawdownPct > 0 ? "down" : ""}`);
  const open = positions.filter((p) => Number(p.qty) !== 0).length;
  setText("kpi-exposure", `${open} · ${orders.length}`);
}

/** @param {any} risk */
export function renderRisk(risk) {
  setText("risk-big", risk.state, `risk-big ${tone(RISK_CLASS, risk.state)}`);
  setText("risk-trading", `trading ${risk.tradingState}`);
  const reasons = risk.reasons.length === 0 ? [el("li", { class: "none" }, "no active risk reasons")] : risk.reasons.map((/** @type {string} */ r) => el("li", null, r));
  byId("risk-reasons").replaceChildren(...reasons);
  setText("risk-drawdown", percent(risk.drawdownPct));
  setText("risk-daily", percent(risk.dailyLossPct));
  const ks = risk.killSwitch;
  setText("risk-kill", ks.active ? `ENGAGED · ${ks.reason ?? "?"}` : "armed", `mono ${ks.active ? "down" : "up"}`);
  setText("risk-reaction", ks.reactionMs === null ? "—" : `${ks.reactionMs} ms`);
  const denials = Object.entries(risk.deniedByCode).map(([code, n]) => el("span", { class: "tag", title: "orders denied by pre-trade checks" }, `${code} ${n}`));
  byId("risk-denials").replaceChildren(...denials);
}

/** @param {any} bus */
export function renderBus(bus) {
  const rows = bus.lanes.map((/** @type {any} */ l) =>
    el(
      "tr",
      null,
      el("td", null, l.lane),
      el("td", { class: "num" }, `${count(l.depth)}/${count(l.capacity)}`),
      el("td", null, bar(l.utilisation)),
      el("td", { class: "num" }, count(l.published)),
      el("td", { class: "num" }, count(l.delivered)),
      el("td", { class: l.dropped > 0 ? "num down" : "num" }, count(l.dropped)),
      el("td", { class: "num" }, count(l.conflated)),
    ),
  );
  fillTable("lanes", rows, "no lanes");
  setText("bus-deadletters", `dead letters ${count(bus.deadLetters)}`, bus.deadLetters > 0 ? "meta down" : "meta");
  const dropped = Object.entries(bus.droppedByType).map(([type, n]) => el("span", { class: "tag", title: "market data dropped under load, by event type" }, `${type} dropped ${count(/** @type {number} */ (n))}`));
  byId("bus-dropped").replaceChildren(...dropped);
  const letters = bus.recentDeadLetters
    .slice()
    .reverse()
    .map((/** @type {any} */ d) => el("tr", null, el("td", { class: "mono" }, clock(d.ts)), el("td", null, d.eventType), el("td", null, d.handler), el("td", { class: "down" }, d.error)));
  fillTable("dead-letters", letters, "no dead letters");
  setText("lag-p50", lag(bus.eventLoopLagMs.p50));
  setText("lag-p99", lag(bus.eventLoopLagMs.p99), `mono ${bus.eventLoopLagMs.p99 > 50 ? "down" : ""}`);
  setText("lag-max", lag(bus.eventLoopLagMs.max), `mono ${bus.eventLoopLagMs.max > 200 ? "down" : ""}`);
}

/** @param {any} venue @param {any} status */
export function renderVenue(venue, status) {
  const breakerTone = venue.circuitBreaker === "closed" ? "good" : venue.circuitBreaker === "open" ? "bad" : "warn";
  setText("venue-breaker", `breaker ${venue.circuitBreaker}`, `badge ${breakerTone}`);
  const pills = [el("span", { class: `badge ${venue.connected ? "good" : "bad"}` }, venue.connected ? "connected" : "disconnected")];
  for (const [name, up] of Object.entries(venue.streams)) pills.push(el("span", { class: `badge ${up ? "good" : "bad"}` }, `${name} ws ${up ? "up" : "down"}`));
  byId("venue-streams").replaceChildren(...pills);
  setText("venue-reconciled", `${venue.reconciled ? "yes" : "NO"} · ${count(venue.reconciliationRuns)} runs`, `mono ${venue.reconciled ? "" : "down"}`);
  setText("venue-missed", count(venue.missedFills), `mono ${venue.missedFills > 0 ? "down" : ""}`);
  setText("venue-diffs", count(venue.reconciliationDifferences));
  setText("journal-events", count(status.journal.events));
  setText("journal-path", status.journal.path);
}

/**
 * @param {readonly any[]} positions @param {number} now
 * @param {{ stopLoss: (symbol: string) => void, close: (symbol: string) => void }} actions
 */
export function renderPositions(positions, now, actions) {
  const open = positions.filter((p) => Number(p.qty) !== 0);
  const rows = open.map((p) => {
    const long = Number(p.qty) > 0;
    const stopLoss = el("button", { class: "btn btn-mini", title: "set a stop-loss for this position" }, "SL");
    stopLoss.addEventListener("click", () => actions.stopLoss(p.symbol));
    const close = el("button", { class: "btn btn-mini btn-danger-outline", title: "close this position (reduce-only)" }, "CLOSE");
    close.addEventListener("click", () => actions.close(p.symbol));
    const action = el("span", { class: "actions" }, stopLoss, close);
    return el(
      "tr",
      { dataset: { symbol: p.symbol } },
      el("td", null, p.symbol),
      el("td", { class: long ? "side-long" : "side-short" }, long ? "LONG" : "SHORT"),
      el("td", { class: "num" }, p.qty.replace(/^-/, "")),
      el("td", { class: "num" }, groupDigits(p.avgPrice)),
      el("td", { class: "num" }, p.markPrice === null ? "—" : groupDigits(p.markPrice)),
      el("td", { class: `num ${trend(p.unrealizedPnl)}` }, signedMoney(p.unrealizedPnl)),
      el("td", { class: "num" }, p.openedAt === null ? "—" : duration(now - p.openedAt)),
      el("td", null, action),
    );
  });
  fillTable("positions", rows, "flat: no open positions");
  setText("positions-count", `${open.length} open`);
}

/** @param {readonly any[]} orders */
export function renderOrders(orders) {
  const rows = orders.map((o) =>
    el(
      "tr",
      null,
      el("td", null, o.symbol),
      el("td", { class: `side-${o.side}` }, o.side.toUpperCase()),
      el("td", null, o.orderType, o.reduceOnly ? el("span", { class: "tag", title: "reduce-only" }, "RO") : null),
      el("td", { class: "num" }, o.price === null ? "market" : groupDigits(o.price)),
      el("td", { class: "num" }, `${o.filledQty} / ${o.qty}`),
      el("td", null, o.status, el("span", { class: "tag", title: "why the order exists" }, o.purpose)),
    ),
  );
  fillTable("orders", rows, "no working orders");
  setText("orders-count", `${orders.length} working`);
}

/** @param {readonly any[]} fills newest first */
export function renderFills(fills) {
  const rows = fills.slice(0, 12).map((f) =>
    el(
      "tr",
      null,
      el("td", { class: "mono" }, clock(f.ts)),
      el("td", null, f.symbol),
      el("td", { class: `side-${f.side}` }, f.side.toUpperCase()),
      el("td", { class: "num" }, groupDigits(f.price)),
      el("td", { class: "num" }, f.qty),
      el("td", { class: `num ${Number(f.fee) < 0 ? "up" : ""}` }, f.fee),
      el("td", null, el("span", { class: "tag" }, f.liquidity)),
      el("td", { class: "meta mono" }, f.clientOrderId ?? "external"),
    ),
  );
  fillTable("fills", rows, "no fills yet");
  const makers = fills.filter((f) => f.liquidity === "maker").length;
  setText("maker-ratio", fills.length === 0 ? "" : `maker ${((makers / fills.length) * 100).toFixed(0)}% of last ${fills.length}`);
}

/** @param {readonly any[]} alerts newest first */
export function renderAlerts(alerts) {
  const items = alerts.slice(0, 30).map((a) =>
    el("li", { class: `sev-${a.severity}` }, el("span", { class: "t" }, clock(a.ts)), el("span", { class: "code" }, `${a.severity.toUpperCase()} ${a.code}`), el("span", { class: "msg" }, a.message)),
  );
  byId("alerts").replaceChildren(...(items.length === 0 ? [el("li", { class: "meta" }, "no alerts")] : items));
  setText("alerts-count", `${alerts.length} recent`);
}

/** Trades and win rate, profit factor, from the engine's performance report. @param {any} perf */
export function renderPerformanceKpis(perf) {
  const p = perf.performance;
  setText("kpi-trades", `${count(p.trades)} · ${percentOrDash(p.winRatePct)}`);
  setText("kpi-profit-factor", ratio(p.profitFactor), `mono ${p.profitFactor === null ? "" : p.profitFactor >= 1 ? "up" : "down"}`);
}

/** Closed trades, newest first. @param {readonly any[]} closed oldest first @param {number} total */
export function renderTrades(closed, total) {
  const rows = closed
    .slice(-100)
    .reverse()
    .map((t) =>
      el(
        "tr",
        { dataset: { n: String(t.n), symbol: t.symbol } },
        el("td", { class: "meta mono" }, String(t.n)),
        el("td", { class: "mono" }, dateTime(t.closedAt)),
        el("td", null, t.symbol),
        el("td", { class: `side-${t.direction}` }, t.direction.toUpperCase()),
        el("td", { class: "num" }, groupDigits(t.entryPrice)),
        el("td", { class: "num" }, groupDigits(t.exitPrice)),
        el("td", { class: "num" }, t.qty),
        el("td", { class: `num ${trend(t.netPnl)}` }, signedMoney(t.netPnl)),
        el("td", { class: "num" }, money(t.fees)),
        el("td", { class: "num" }, duration(t.durationMs)),
        el("td", null, el("span", { class: "tag" }, t.exitReason)),
        el("td", { class: "meta" }, t.strategyId === "" ? "—" : t.strategyId),
      ),
    );
  fillTable("trades", rows, "no closed trades yet");
  setText("trades-count", total > closed.length ? `last ${closed.length} of ${count(total)}` : `${count(total)} closed`);
}

/** Per-symbol or per-day totals. @param {string} tableId @param {readonly any[]} totals @param {"symbol" | "day"} key */
export function renderTotals(tableId, totals, key) {
  const rows = totals
    .slice()
    .reverse()
    .map((t) =>
      el(
        "tr",
        { dataset: { key: t[key] } },
        el("td", null, t[key]),
        el("td", { class: "num" }, count(t.trades)),
        el("td", { class: "num" }, percentOrDash(t.winRatePct)),
        el("td", { class: `num ${trend(t.netPnl)}` }, signedMoney(t.netPnl)),
        el("td", { class: "num" }, money(t.fees)),
        el("td", { class: "num" }, ratio(t.profitFactor)),
      ),
    );
  fillTable(tableId, rows, "no closed trades yet");
}

const STRATEGY_CLASS = { trading: "good", "in-position": "info", "reduce-only": "warn", halted: "bad", disabled: "bad", stopped: "" };

/** @param {readonly any[]} strategies */
export function renderStrategies(strategies) {
  const cards = strategies.map((s) => {
    const signal = s.lastSignal;
    const denial = s.lastDenial;
    return el(
      "div",
      { class: "strategy", dataset: { id: s.id } },
      el("div", { class: "strategy-head" }, el("b", null, s.id), el("span", { class: `badge ${tone(STRATEGY_CLASS, s.state)}` }, s.state), el("span", { class: "meta share" }, `sizes from ${(s.capitalShare * 100).toFixed(0)}% of equity`)),
      el(
        "div",
        { class: "strategy-signal" },
        signal === null
          ? el("span", { class: "meta" }, "no signal yet")
          : el(
              "span",
              null,
              el("span", { class: "mono meta" }, clock(signal.ts)),
              " ",
              el("span", { class: signal.action === "close" ? "" : `side-${signal.side}` }, `${signal.action} ${signal.action === "close" ? "" : signal.side} ${signal.symbol}`),
              el("span", { class: "meta" }, ` · conf ${signal.confidence.toFixed(2)}`),
              el("div", { class: "why" }, signal.reason),
            ),
      ),
      s.disabled === null ? null : el("div", { class: "strategy-denial down", title: s.disabled.problem }, `disabled at ${clock(s.disabled.ts)}: ${s.disabled.problem}`),
      denial === null ? null : el("div", { class: "strategy-denial down", title: denial.message }, `last denied: ${denial.code} (${denial.symbol})`),
      el(
        "div",
        { class: "meta" },
        `${count(s.signals)} signal${s.signals === 1 ? "" : "s"} · ${s.open.length} open · ${count(s.closedTrades)} closed · P&L `,
        el("span", { class: trend(s.netPnl) }, signedMoney(s.netPnl)),
      ),
    );
  });
  byId("strategies").replaceChildren(...(cards.length === 0 ? [el("p", { class: "meta" }, "no strategy running")] : cards));
  setText("strategies-count", `${strategies.filter((s) => s.state !== "stopped" && s.state !== "disabled").length} running`);
}
