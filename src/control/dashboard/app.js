// @ts-check
/**
 * The dashboard: loads the engine's state from the JSON API, then follows the live stream
 * (/api/stream, Server-Sent Events). The EventSource reconnects on its own; every reconnect
 * starts with a full snapshot, so nothing drifts.
 *
 * The charts and the trade tables read the engine's own report (/api/performance: the same
 * curve, trades and figures as the exit report) and candles (/api/candles), refreshed whenever
 * the stream says something changed, at most once a second: the chart and the figure above it
 * are one number, never a client-side copy that drifts.
 */
import { EquityChart, PriceChart } from "./charts.js";
import { setupCommands, toast } from "./commands.js";
import { byId, el, setText } from "./dom.js";
import {
  renderAlerts,
  renderBus,
  renderFills,
  renderHeader,
  renderKpis,
  renderOrders,
  renderPerformanceKpis,
  renderPositions,
  renderRisk,
  renderStrategies,
  renderTotals,
  renderTrades,
  renderVenue,
} from "./panels.js";
import { groupDigits, money } from "./format.js";

/** @param {string} path */
async function getJson(path) {
  const res = await fetch(path, { cache: "no-store", credentials: "omit" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

const REFRESH_MS = 1_000;
/** Candles fetched per interval: 30 minutes of seconds, a day of minutes, a week of 5 minutes. */
const CANDLE_LIMIT = { "1s": 1_800, "1m": 1_440, "5m": 2_016 };

const state = {
  /** @type {any} */ snapshot: null,
  /** @type {any} */ performance: null,
  performanceAt: 0,
  newFills: false,
  alertsDue: false,
  /** @type {any[]} newest first */ fills: [],
  /** @type {any[]} newest first */ alerts: [],
  symbol: "",
  /** @type {"1s" | "1m" | "5m"} */ interval: "1m",
  /** @type {Map<string, number>} */ lastPrice: new Map(),
  /** When the charts and tables were last refreshed, and whether another refresh is due. */
  refreshedAt: 0,
  refreshing: false,
  due: false,
  /** @type {ReturnType<typeof setTimeout> | undefined} */ timer: undefined,
};

const equityChart = new EquityChart(byId("equity-chart"));
const priceChart = new PriceChart(byId("price-chart"));
const commands = setupCommands({ toast });

function render() {
  const s = state.snapshot;
  if (s === null) return;
  renderHeader(s.status, s.risk);
  renderKpis(s.status, s.risk, s.positions, s.orders);
  renderRisk(s.risk);
  renderBus(s.bus);
  renderVenue(s.venue, s.status);
  renderPositions(s.positions, s.status.now, { stopLoss: commands.openStopLoss, close: commands.openClose });
  renderOrders(s.orders);
  renderLevels();
  renderTabs();
}

/** Entry price and working orders of the charted symbol as price lines. */
function renderLevels() {
  const s = state.snapshot;
  if (s === null) return;
  const levels = [];
  const position = s.positions.find((/** @type {any} */ p) => p.symbol === state.symbol && Number(p.qty) !== 0);
  if (position !== undefined) {
    levels.push({ price: Number(position.avgPrice), title: `entry ${Number(position.qty) > 0 ? "long" : "short"}`, color: "#f0b90b", dashed: false });
  }
  for (const o of s.orders) {
    if (o.symbol !== state.symbol || o.price === null) continue;
    levels.push({ price: Number(o.price), title: `${o.side} ${o.qty}`, color: o.side === "buy" ? "#16c784" : "#f6465d", dashed: true });
  }
  priceChart.setLevels(levels);
}

function renderTabs() {
  const symbols = state.snapshot?.status.symbols ?? [];
  const tabs = symbols.map((/** @type {string} */ symbol) => {
    const price = state.lastPrice.get(symbol);
    const tab = el("button", { class: symbol === state.symbol ? "tab active" : "tab", dataset: { symbol } }, symbol, price === undefined ? null : el("span", { class: "px" }, groupDigits(price.toFixed(2))));
    tab.addEventListener("click", () => {
      state.symbol = symbol;
      renderTabs();
      renderLevels();
      void refresh(true);
    });
    return tab;
  });
  byId("symbol-tabs").replaceChildren(...tabs);
}

/** The equity curve, trades, totals, strategies and the selected candles, from the engine. */
async function load() {
  // The report grows with the run (curve and trades): a long run's is fetched less often, so the
  // engine does not serialise a large report every second; a new fill fetches it at once.
  const perfDue = state.performance === null || state.newFills || Date.now() - state.performanceAt >= Math.min(10_000, Math.max(REFRESH_MS, state.performance.curve.length));
  if (perfDue) state.newFills = false;
  const [performance, candles, strategies, fills] = await Promise.all([
    perfDue ? getJson("/api/performance") : state.performance,
    getJson(`/api/candles?symbol=${encodeURIComponent(state.symbol)}&interval=${state.interval}&limit=${CANDLE_LIMIT[state.interval]}`),
    getJson("/api/strategies"),
    getJson("/api/fills?limit=1000"),
  ]);
  if (perfDue) state.performanceAt = Date.now();
  if (state.alertsDue) {
    // After a (re)connect: the engine's list, so an alert raised while the stream was down shows.
    state.alertsDue = false;
    state.alerts = (await getJson("/api/alerts?limit=100")).slice().reverse();
    renderAlerts(state.alerts);
  }
  state.performance = performance;
  // The engine's list is the record; the stream's pushes only make fills show sooner. A fill
  // between the first load and the stream's start (or during a reconnect) is never lost.
  mergeFills(fills);
  equityChart.setData(performance.curve);
  setText("equity-range", `now ${money(performance.equity)} · max drawdown ${performance.performance.maxDrawdownPct.toFixed(2)}%`);
  renderPerformanceKpis(performance);
  renderTrades(performance.trades.closed, performance.performance.trades);
  renderTotals("by-symbol", performance.trades.bySymbol, "symbol");
  renderTotals("by-day", performance.trades.byDay, "day");
  renderStrategies(strategies);
  // Only draw candles that still belong to the selection (a click may have changed it meanwhile).
  if (candles.symbol === state.symbol && candles.interval === state.interval) {
    const last = candles.candles.at(-1);
    if (last !== undefined) state.lastPrice.set(candles.symbol, last.close);
    priceChart.show(candles, state.fills, performance.trades.closed);
    byId("price-meta").textContent = `${candles.source === "mid" ? "candles from book mids (no trades yet)" : "candles from trades"} · ▲ buy ▼ sell ● exit · UTC`;
  }
  document.body.dataset["loads"] = String(Number(document.body.dataset["loads"] ?? "0") + 1);
}

/**
 * Refreshes now if nothing is loading and a second has passed, otherwise once the current load is
 * done or the second is up: at most one request set in flight and one a second.
 * @param {boolean} [now] a user's click: do not wait out the second
 */
async function refresh(now = false) {
  state.due = true;
  if (state.refreshing) return;
  const wait = now ? 0 : state.refreshedAt + REFRESH_MS - Date.now();
  if (wait > 0) {
    if (state.timer === undefined) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        void refresh();
      }, wait);
    }
    return;
  }
  state.refreshing = true;
  state.due = false;
  try {
    await load();
  } catch (e) {
    console.warn(`dashboard refresh failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    state.refreshedAt = Date.now();
    state.refreshing = false;
  }
  if (state.due) void refresh();
}

/** Adds fills not yet known (by fillId), newest first, the latest 1000. @param {readonly any[]} fills */
function mergeFills(fills) {
  const known = new Set(state.fills.map((f) => f.fillId));
  const fresh = fills.filter((f) => !known.has(f.fillId));
  if (fresh.length === 0) return;
  state.fills = [...fresh, ...state.fills].sort((a, b) => b.ts - a.ts).slice(0, 1000);
  renderFills(state.fills);
}

function setupViews() {
  for (const button of document.querySelectorAll("[data-view]")) {
    button.addEventListener("click", () => {
      const view = /** @type {HTMLElement} */ (button).dataset["view"];
      for (const b of document.querySelectorAll("[data-view]")) b.classList.toggle("active", b === button);
      byId("view-trading").hidden = view !== "trading";
      byId("view-engine").hidden = view !== "engine";
    });
  }
  for (const button of document.querySelectorAll("[data-interval]")) {
    button.addEventListener("click", () => {
      state.interval = /** @type {any} */ (/** @type {HTMLElement} */ (button).dataset["interval"]);
      for (const b of document.querySelectorAll("[data-interval]")) b.classList.toggle("active", b === button);
      void refresh(true);
    });
  }
}

function connect() {
  const conn = byId("conn");
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => {
    state.alertsDue = true;
    conn.textContent = "live";
    conn.className = "conn conn-live";
  });
  source.addEventListener("error", () => {
    conn.textContent = "reconnecting";
    conn.className = "conn conn-down";
  });
  source.addEventListener("snapshot", (e) => {
    state.snapshot = JSON.parse(/** @type {MessageEvent} */ (e).data);
    render();
    void refresh();
  });
  source.addEventListener("price", (e) => {
    const p = JSON.parse(/** @type {MessageEvent} */ (e).data);
    state.lastPrice.set(p.symbol, p.price);
    void refresh();
  });
  source.addEventListener("fills", (e) => {
    mergeFills(JSON.parse(/** @type {MessageEvent} */ (e).data));
    state.newFills = true;
    void refresh();
  });
  source.addEventListener("alerts", (e) => {
    const alerts = JSON.parse(/** @type {MessageEvent} */ (e).data);
    state.alerts = [...alerts.slice().reverse(), ...state.alerts].slice(0, 100);
    renderAlerts(state.alerts);
    for (const a of alerts) if (a.severity === "critical") toast(`${a.code}: ${a.message}`, "bad");
  });
  source.addEventListener("command", (e) => {
    const r = JSON.parse(/** @type {MessageEvent} */ (e).data);
    if (!r.commandId.startsWith("dash-")) toast(`command ${r.commandId}: ${r.ok ? "done" : "refused"} · ${r.message}`, r.ok ? "info" : "bad");
  });
}

async function start() {
  setupViews();
  const [status, alerts] = await Promise.all([getJson("/api/status"), getJson("/api/alerts?limit=100")]);
  state.alerts = alerts.slice().reverse();
  state.symbol = status.symbols[0] ?? "";
  renderFills(state.fills);
  renderAlerts(state.alerts);
  await refresh(true);
  connect();
}

start().catch((e) => toast(`could not load the dashboard: ${e instanceof Error ? e.message : String(e)}`, "bad"));
