// @ts-check
/**
 * The charts: equity with its drawdown below (the engine's own curve, from /api/performance),
 * and the selected symbol's candles with volume (from /api/candles), every fill marked at its
 * price (▲ buy, ▼ sell; the fills table has the quantities) and every trade exit marked with
 * its reason (●, green for a profit, red for a loss), the position's entry
 * and the working orders as price lines.
 *
 * Times are UTC seconds, as lightweight-charts wants them. Axis labels come from `axisLabel`:
 * each tick says what changed at it (seconds within a minute, minutes within an hour, days…).
 * What each chart holds is also written to its container's data attributes (`data-points`,
 * `data-markers`, …) and the labels drawn to `window.__heanAxis`, for the browser tests.
 */
import { AreaSeries, CandlestickSeries, HistogramSeries, LineStyle, createChart, createSeriesMarkers } from "/vendor/lightweight-charts.mjs";
import { axisLabel, crosshairTime } from "./format.js";

const GREEN = "#16c784";
const RED = "#f6465d";
const AMBER = "#f0b90b";

/** @type {Record<string, Map<number, string>>} tick time → label, per chart */
const axisRecord = {};
/** @type {Record<string, { chart: any, series: any }>} */
const axisCharts = {};
/**
 * The labels on a chart's axis now: the recorded ticks of times in its data and in view (the
 * library formats a tick once and caches the label, so the record also holds ticks of data gone).
 * @param {string} name @returns {[number, string][]}
 */
function axisLabelsNow(name) {
  const c = axisCharts[name];
  const record = axisRecord[name];
  if (c === undefined || record === undefined) return [];
  const times = new Set(c.series.data().map((/** @type {any} */ d) => d.time));
  const range = c.chart.timeScale().getVisibleRange();
  if (range === null) return [];
  return [...record.entries()].filter(([t]) => times.has(t) && t >= range.from && t <= range.to).sort((a, b) => a[0] - b[0]);
}
/** @type {any} */ (window).__heanAxis = axisLabelsNow;
/** What a chart shows: its visible time range and the times of its first and last point. */
/** @type {any} */ (window).__heanRange = (/** @type {string} */ name) => {
  const c = axisCharts[name];
  const data = c?.series.data() ?? [];
  return { visible: c?.chart.timeScale().getVisibleRange() ?? null, first: data[0]?.time ?? null, last: data.at(-1)?.time ?? null, bars: data.length };
};

/** @param {HTMLElement} container @param {string} name */
function baseChart(container, name) {
  axisRecord[name] = new Map();
  return createChart(container, {
    autoSize: true,
    layout: {
      background: { color: "transparent" },
      textColor: "#8a94a3",
      fontFamily: '"DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 11,
      // The TradingView link the lightweight-charts licence asks for.
      attributionLogo: true,
      panes: { separatorColor: "#2a313b" },
    },
    localization: { timeFormatter: (/** @type {number} */ t) => crosshairTime(t) },
    grid: { vertLines: { color: "#1b2129" }, horzLines: { color: "#1b2129" } },
    rightPriceScale: { borderColor: "#2a313b" },
    timeScale: {
      borderColor: "#2a313b",
      timeVisible: true,
      secondsVisible: true,
      rightOffset: 3,
      tickMarkFormatter: (/** @type {number} */ time, /** @type {number} */ type) => {
        const label = axisLabel(time, type);
        axisRecord[name]?.set(time, label);
        return label;
      },
    },
    crosshair: { vertLine: { color: "#4a5361", labelBackgroundColor: "#2a313b" }, horzLine: { color: "#4a5361", labelBackgroundColor: "#2a313b" } },
  });
}

/**
 * Keeps a chart following its data (all of it, or the newest `maxBars`) until the user zooms or
 * scrolls it; a double click makes it follow again. Without this the first fit (a few points at
 * start) would fix the bar spacing for good and the chart would show the last few seconds only.
 */
class Follow {
  /** @param {HTMLElement} container @param {any} chart @param {number} maxBars */
  constructor(container, chart, maxBars) {
    this.chart = chart;
    this.maxBars = maxBars;
    this.on = true;
    this.bars = 0;
    const stop = () => {
      this.on = false;
    };
    for (const event of ["mousedown", "wheel", "touchstart"]) container.addEventListener(event, stop, { passive: true });
    container.addEventListener("dblclick", () => {
      this.on = true;
      this.apply(this.bars);
    });
  }

  /** @param {number} bars how many points the chart holds now */
  apply(bars) {
    this.bars = bars;
    if (!this.on || bars === 0) return;
    const ts = this.chart.timeScale();
    if (bars <= this.maxBars) ts.fitContent();
    else ts.setVisibleLogicalRange({ from: bars - this.maxBars, to: bars + 2 });
  }
}

/**
 * One value per whole second (the newest sample of a second wins), ascending.
 * @template T
 * @param {readonly T[]} points @param {(p: T) => number} ms @param {(p: T) => number} value
 * @returns {{ time: number, value: number }[]}
 */
export function perSecond(points, ms, value) {
  /** @type {Map<number, number>} */
  const byTime = new Map();
  for (const p of points) {
    const v = value(p);
    if (Number.isFinite(v)) byTime.set(Math.floor(ms(p) / 1000), v);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time, value }));
}

export class EquityChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    this.chart = baseChart(container, "equity");
    this.equity = this.chart.addSeries(AreaSeries, {
      lineColor: AMBER,
      topColor: "rgba(240, 185, 11, 0.28)",
      bottomColor: "rgba(240, 185, 11, 0.02)",
      lineWidth: 2,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    this.drawdown = this.chart.addSeries(
      AreaSeries,
      {
        lineColor: RED,
        topColor: "rgba(246, 70, 93, 0.05)",
        bottomColor: "rgba(246, 70, 93, 0.35)",
        lineWidth: 1,
        title: "drawdown %",
        priceFormat: { type: "custom", formatter: (/** @type {number} */ v) => `${v.toFixed(2)}%`, minMove: 0.0001 },
      },
      1,
    );
    axisCharts["equity"] = { chart: this.chart, series: this.equity };
    const panes = this.chart.panes();
    panes[1]?.setHeight(70);
    this.follow = new Follow(container, this.chart, Number.MAX_SAFE_INTEGER);
  }

  /** @param {readonly { ts: number, equity: number, drawdownPct: number }[]} curve */
  setData(curve) {
    const equity = perSecond(curve, (p) => p.ts, (p) => p.equity);
    const drawdown = perSecond(curve, (p) => p.ts, (p) => -p.drawdownPct);
    this.equity.setData(/** @type {any} */ (equity));
    this.drawdown.setData(/** @type {any} */ (drawdown));
    this.follow.apply(equity.length);
    const d = this.container.dataset;
    d["points"] = String(equity.length);
    d["drawdownPoints"] = String(drawdown.length);
    d["last"] = String(equity.at(-1)?.value ?? "");
    d["distinct"] = String(new Set(equity.map((p) => p.value)).size);
  }
}

const INTERVAL_MS = { "1s": 1_000, "1m": 60_000, "5m": 300_000 };

export class PriceChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    this.chart = baseChart(container, "price");
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: GREEN,
      downColor: RED,
      borderVisible: false,
      wickUpColor: GREEN,
      wickDownColor: RED,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    this.volume = this.chart.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false });
    this.chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.markers = createSeriesMarkers(this.candles, []);
    axisCharts["price"] = { chart: this.chart, series: this.candles };
    this.follow = new Follow(container, this.chart, 180);
    /** @type {any[]} */
    this.lines = [];
    this.levelsKey = "";
    this.key = "";
  }

  /**
   * @param {{ symbol: string, interval: "1s" | "1m" | "5m", candles: readonly { time: number, open: number, high: number, low: number, close: number, volume: number }[] }} view
   * @param {readonly { ts: number, symbol: string, side: string, price: string, qty: string }[]} fills
   * @param {readonly { symbol: string, closedAt: number, exitPrice: string, exitReason: string, netPnl: string, direction: string }[]} trades closed trades
   */
  show(view, fills, trades) {
    const step = INTERVAL_MS[view.interval] ?? 60_000;
    const data = view.candles.map((c) => ({ time: c.time / 1000, open: c.open, high: c.high, low: c.low, close: c.close }));
    const volume = view.candles.map((c) => ({ time: c.time / 1000, value: c.volume, color: c.close >= c.open ? "rgba(22, 199, 132, 0.35)" : "rgba(246, 70, 93, 0.35)" }));
    this.candles.setData(/** @type {any} */ (data));
    this.volume.setData(/** @type {any} */ (volume));
    const first = view.candles[0]?.time ?? Infinity;
    const end = (view.candles.at(-1)?.time ?? -Infinity) + step;
    /** A marker sits on the candle its moment falls in; one outside the candles shown is left out. */
    const at = (/** @type {number} */ ts) => (ts >= first && ts < end ? (Math.floor(ts / step) * step) / 1000 : null);
    /** @type {any[]} */
    const markers = [];
    let fillMarkers = 0;
    for (const f of fills) {
      const time = f.symbol === view.symbol ? at(f.ts) : null;
      if (time === null) continue;
      const buy = f.side === "buy";
      markers.push({ time, position: buy ? "atPriceBottom" : "atPriceTop", price: Number(f.price), color: buy ? GREEN : RED, shape: buy ? "arrowUp" : "arrowDown" });
      fillMarkers++;
    }
    let exitMarkers = 0;
    for (const t of trades) {
      const time = t.symbol === view.symbol ? at(t.closedAt) : null;
      if (time === null) continue;
      const won = Number(t.netPnl) >= 0;
      markers.push({ time, position: "atPriceMiddle", price: Number(t.exitPrice), color: won ? GREEN : RED, shape: "circle", text: t.exitReason });
      exitMarkers++;
    }
    markers.sort((a, b) => a.time - b.time);
    this.markers.setMarkers(markers);
    const key = `${view.symbol}/${view.interval}`;
    if (key !== this.key) {
      this.key = key;
      this.follow.on = true;
    }
    this.follow.apply(data.length);
    const d = this.container.dataset;
    d["symbol"] = view.symbol;
    d["interval"] = view.interval;
    d["points"] = String(data.length);
    d["volumePoints"] = String(volume.length);
    d["markers"] = String(markers.length);
    d["fillMarkers"] = String(fillMarkers);
    d["exitMarkers"] = String(exitMarkers);
  }

  /**
   * Entry price of the position and the working orders, as horizontal lines.
   * @param {{ price: number, title: string, color: string, dashed: boolean }[]} levels
   */
  setLevels(levels) {
    const key = JSON.stringify(levels);
    if (key === this.levelsKey) return;
    this.levelsKey = key;
    for (const line of this.lines) this.candles.removePriceLine(line);
    this.lines = levels
      .filter((l) => Number.isFinite(l.price))
      .map((l) =>
        this.candles.createPriceLine({
          price: l.price,
          color: l.color,
          lineWidth: 1,
          lineStyle: l.dashed ? LineStyle.Dashed : LineStyle.Solid,
          axisLabelVisible: true,
          title: l.title,
        }),
      );
  }
}
