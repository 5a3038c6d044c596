// @ts-check
/**
 * The two charts: equity (area) and the selected symbol's mid price (line) with the engine's
 * fills as markers, the position's entry and the working orders as price lines.
 * Times are whole UTC seconds, as lightweight-charts wants them (one point per second: the
 * newest sample of a second wins).
 */
import { AreaSeries, LineSeries, LineStyle, createChart, createSeriesMarkers } from "/vendor/lightweight-charts.mjs";

const GREEN = "#16c784";
const RED = "#f6465d";

/** @param {HTMLElement} container */
function baseChart(container) {
  return createChart(container, {
    autoSize: true,
    layout: {
      background: { color: "transparent" },
      textColor: "#8a94a3",
      fontFamily: '"DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 11,
      // The TradingView link the lightweight-charts licence asks for.
      attributionLogo: true,
    },
    grid: { vertLines: { color: "#1b2129" }, horzLines: { color: "#1b2129" } },
    rightPriceScale: { borderColor: "#2a313b" },
    timeScale: { borderColor: "#2a313b", timeVisible: true, secondsVisible: false, rightOffset: 3 },
    crosshair: { vertLine: { color: "#4a5361", labelBackgroundColor: "#2a313b" }, horzLine: { color: "#4a5361", labelBackgroundColor: "#2a313b" } },
  });
}

/**
 * @template {Record<string, number>} P
 * @param {readonly P[]} points @param {keyof P} key
 * @returns {{ time: number, value: number }[]}
 */
function toSeconds(points, key) {
  /** @type {Map<number, number>} */
  const byTime = new Map();
  for (const p of points) {
    const value = p[key];
    if (typeof value === "number" && Number.isFinite(value)) byTime.set(Math.floor(p["ts"] / 1000), value);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time, value }));
}

export class EquityChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.chart = baseChart(container);
    this.series = this.chart.addSeries(AreaSeries, {
      lineColor: "#f0b90b",
      topColor: "rgba(240, 185, 11, 0.28)",
      bottomColor: "rgba(240, 185, 11, 0.02)",
      lineWidth: 2,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    this.lastTime = 0;
  }

  /** @param {readonly { ts: number, equity: number }[]} points */
  setData(points) {
    const data = toSeconds(points, "equity");
    this.series.setData(/** @type {any} */ (data));
    this.lastTime = data.at(-1)?.time ?? 0;
    this.chart.timeScale().fitContent();
  }

  /** @param {{ ts: number, equity: number }} point */
  push(point) {
    const time = Math.floor(point.ts / 1000);
    if (time < this.lastTime || !Number.isFinite(point.equity)) return;
    this.series.update(/** @type {any} */ ({ time, value: point.equity }));
    this.lastTime = time;
  }
}

export class PriceChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.chart = baseChart(container);
    this.series = this.chart.addSeries(LineSeries, { color: "#4c8dff", lineWidth: 2, priceFormat: { type: "price", precision: 2, minMove: 0.01 } });
    this.markers = createSeriesMarkers(this.series, []);
    /** @type {any[]} */
    this.markerList = [];
    /** @type {any[]} */
    this.lines = [];
    this.lastTime = 0;
    this.levelsKey = "";
  }

  /**
   * @param {readonly { ts: number, price: number }[]} prices
   * @param {readonly { ts: number, side: string, price: string, qty: string }[]} fills
   */
  show(prices, fills) {
    // A fill between two samples gets a point of its own, so its marker sits where it happened.
    const points = [...prices, ...fills.map((f) => ({ ts: f.ts, price: Number(f.price) }))].sort((a, b) => a.ts - b.ts);
    const data = toSeconds(points, "price");
    this.series.setData(/** @type {any} */ (data));
    this.lastTime = data.at(-1)?.time ?? 0;
    this.markerList = [];
    this.addFills(fills);
    this.chart.timeScale().fitContent();
  }

  /** @param {{ ts: number, price: number }} point */
  push(point) {
    const time = Math.floor(point.ts / 1000);
    if (time < this.lastTime || !Number.isFinite(point.price)) return;
    this.series.update(/** @type {any} */ ({ time, value: point.price }));
    this.lastTime = time;
  }

  /** @param {readonly { ts: number, side: string, price: string, qty: string }[]} fills */
  addFills(fills) {
    for (const f of fills) {
      const buy = f.side === "buy";
      this.markerList.push({
        time: Math.floor(f.ts / 1000),
        position: buy ? "belowBar" : "aboveBar",
        color: buy ? GREEN : RED,
        shape: buy ? "arrowUp" : "arrowDown",
        text: `${buy ? "B" : "S"} ${f.qty}`,
      });
    }
    this.markerList.sort((a, b) => a.time - b.time);
    this.markers.setMarkers(this.markerList);
  }

  /**
   * Entry price of the position and the working orders, as horizontal lines.
   * @param {{ price: number, title: string, color: string, dashed: boolean }[]} levels
   */
  setLevels(levels) {
    const key = JSON.stringify(levels);
    if (key === this.levelsKey) return;
    this.levelsKey = key;
    for (const line of this.lines) this.series.removePriceLine(line);
    this.lines = levels
      .filter((l) => Number.isFinite(l.price))
      .map((l) =>
        this.series.createPriceLine({
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
