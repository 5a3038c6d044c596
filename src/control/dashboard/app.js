// @ts-check
/**
 * The dashboard: loads the engine's state from the JSON API, then follows the live stream
 * (/api/stream, Server-Sent Events). The EventSource reconnects on its own; every reconnect
 * starts with a full snapshot, so nothing drifts.
 */
import { EquityChart, PriceChart } from "./charts.js";
import { setupCommands, toast } from "./commands.js";
import { byId, el, setText } from "./dom.js";
import { renderAlerts, renderBus, renderFills, renderHeader, renderKpis, renderOrders, renderPositions, renderRisk, renderVenue } from "./panels.js";
import { groupDigits, money } from "./format.js";

/** @param {string} path */
async function getJson(path) {
  const res = await fetch(path, { cache: "no-store", credentials: "omit" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

const state = {
  /** @type {any} */ snapshot: null,
  /** @type {any[]} newest first */ fills: [],
  /** @type {any[]} newest first */ alerts: [],
  symbol: "",
  /** @type {Map<string, number>} */ lastPrice: new Map(),
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
  renderPositions(s.positions, s.status.now, commands.openStopLoss);
  renderOrders(s.orders);
  renderLevels();
  renderTabs();
}

/** Entry price and working orders of the charted symbol as price lines. */
function renderLevels() {
  const s = state.snapshot;
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
  const tabs = state.snapshot.status.symbols.map((/** @type {string} */ symbol) => {
    const price = state.lastPrice.get(symbol);
    const tab = el("button", { class: symbol === state.symbol ? "tab active" : "tab", dataset: { symbol } }, symbol, price === undefined ? null : el("span", { class: "px" }, groupDigits(price.toFixed(2))));
    tab.addEventListener("click", () => void selectSymbol(symbol));
    return tab;
  });
  byId("symbol-tabs").replaceChildren(...tabs);
}

/** @param {string} symbol */
async function selectSymbol(symbol) {
  state.symbol = symbol;
  const prices = await getJson(`/api/prices?symbol=${encodeURIComponent(symbol)}`);
  const last = prices.at(-1);
  if (last !== undefined) state.lastPrice.set(symbol, last.price);
  const fills = state.fills.filter((f) => f.symbol === symbol).reverse();
  priceChart.show(prices, fills);
  if (state.snapshot !== null) {
    renderLevels();
    renderTabs();
  }
}

function connect() {
  const conn = byId("conn");
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => {
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
  });
  source.addEventListener("price", (e) => {
    const p = JSON.parse(/** @type {MessageEvent} */ (e).data);
    state.lastPrice.set(p.symbol, p.price);
    if (p.symbol === state.symbol) priceChart.push(p);
  });
  source.addEventListener("equity", (e) => {
    const p = JSON.parse(/** @type {MessageEvent} */ (e).data);
    equityChart.push(p);
    setText("equity-range", `last ${money(p.equity)}`);
  });
  source.addEventListener("fills", (e) => {
    const fills = JSON.parse(/** @type {MessageEvent} */ (e).data);
    const known = new Set(state.fills.map((f) => f.fillId));
    const fresh = fills.filter((/** @type {any} */ f) => !known.has(f.fillId));
    state.fills = [...fresh.slice().reverse(), ...state.fills].slice(0, 200);
    renderFills(state.fills);
    priceChart.addFills(fresh.filter((/** @type {any} */ f) => f.symbol === state.symbol));
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
  const [status, equity, fills, alerts] = await Promise.all([getJson("/api/status"), getJson("/api/equity"), getJson("/api/fills?limit=200"), getJson("/api/alerts?limit=100")]);
  state.fills = fills.slice().reverse();
  state.alerts = alerts.slice().reverse();
  renderFills(state.fills);
  renderAlerts(state.alerts);
  equityChart.setData(equity);
  const last = equity.at(-1);
  if (last !== undefined) setText("equity-range", `last ${money(last.equity)}`);
  await selectSymbol(status.symbols[0] ?? "");
  connect();
}

start().catch((e) => toast(`could not load the dashboard: ${e instanceof Error ? e.message : String(e)}`, "bad"));
