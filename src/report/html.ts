/**
 * The report as one self-contained HTML page: equity, drawdown, and each symbol's price with the
 * entries and exits marked, drawn as inline SVG, with the summary and trade tables beside them.
 * Inline CSS and a few lines of inline JS (marker tooltips); nothing is fetched, so the page
 * opens offline and can be mailed as it is.
 */
import type { PerformanceReport } from "./run-performance.ts";
import { amount, count, iso, type ReportTable, reportTables, summaryRows } from "./print.ts";

export interface ChartSeries {
  /** Equity over time (quote currency, as numbers: drawing only). */
  readonly equity: readonly { readonly ts: number; readonly value: number }[];
  /** Mid price per symbol over time. */
  readonly prices: Readonly<Record<string, readonly { readonly ts: number; readonly value: number }[]>>;
}

const W = 960;
const H = 220;
const PAD = 48;
/** Room on the left for the value labels (a price like 95001.56 is ≈ 55 px at the axis' font). */
const LEFT = 72;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Scale {
  x(ts: number): number;
  y(v: number): number;
}

function scale(points: readonly { ts: number; value: number }[], t0: number, t1: number): Scale {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.value);
    hi = Math.max(hi, p.value);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const span = Math.max(1, t1 - t0);
  return { x: (ts) => LEFT + ((ts - t0) / span) * (W - LEFT - PAD), y: (v) => H - PAD / 2 - ((v - lo) / (hi - lo)) * (H - PAD) };
}

/** UTC to the minute, or to the second when the minute would read the same at both ends (a short run). */
const utc = (ms: number, other: number): string => {
  const minutes = (t: number): string => iso(t).slice(0, 16);
  return `${iso(ms).slice(0, minutes(ms) === minutes(other) ? 19 : 16)} UTC`;
};

/** The highest and lowest value on the left; the period's start and end (UTC) below. */
function axis(lo: string, hi: string, t0: number, t1: number): string {
  const text = (x: number, y: number, anchor: "start" | "end", label: string): string => `<text x="${x}" y="${y}" text-anchor="${anchor}" class="ax">${esc(label)}</text>`;
  return [text(LEFT - 6, PAD / 2 + 4, "end", hi), text(LEFT - 6, H - PAD / 2, "end", lo), text(LEFT, H - 4, "start", utc(t0, t1)), text(W - PAD, H - 4, "end", utc(t1, t0))].join("");
}

function line(id: string, title: string, points: readonly { ts: number; value: number }[], t0: number, t1: number, extra = ""): string {
  const s = scale(points, t0, t1);
  const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${s.x(p.ts).toFixed(1)},${s.y(p.value).toFixed(1)}`).join("");
  const values = points.map((p) => p.value);
  const lo = values.length === 0 ? "" : Math.min(...values).toFixed(2);
  const hi = values.length === 0 ? "" : Math.max(...values).toFixed(2);
  return `<section><h2>${esc(title)}</h2><svg id="${id}" viewBox="0 0 ${W} ${H}" width="100%">${axis(lo, hi, t0, t1)}<path class="line" d="${d}"/>${extra}</svg></section>`;
}

function drawdown(equity: readonly { ts: number; value: number }[]): { ts: number; value: number }[] {
  let peak = -Infinity;
  return equity.map((p) => {
    peak = Math.max(peak, p.value);
    return { ts: p.ts, value: peak > 0 ? ((p.value - peak) / peak) * 100 : 0 };
  });
}

/** A report table as the terminal shows it: the same columns, text on the left, figures on the right. */
function htmlTable(t: ReportTable): string {
  const title = `<h2>${esc(t.title)}</h2>`;
  if (t.rows.length === 0) return `${title}<p>(none)</p>`;
  const cell = (tag: "th" | "td", text: string, i: number): string => `<${tag}${t.align[i] === "l" ? ' class="l"' : ""}>${esc(text)}</${tag}>`;
  const row = (cells: readonly string[], tag: "th" | "td"): string => `<tr>${cells.map((c, i) => cell(tag, c, i)).join("")}</tr>`;
  return `${title}<table id="${t.id}">${row(t.headers, "th")}${t.rows.map((r) => row(r, "td")).join("")}</table>`;
}

/** `notes`: lines a reader must see before the figures (what was replayed, why trading stopped). */
export function htmlReport(
  report: PerformanceReport & { readonly backtest?: { readonly strategy: string; readonly symbols: readonly string[] } },
  charts: ChartSeries,
  notes: readonly string[] = [],
): string {
  const p = report.performance;
  const t0 = p.from;
  const t1 = Math.max(p.to, t0 + 1);
  const sections: string[] = [];
  sections.push(line("equity", "Equity", charts.equity, t0, t1));
  sections.push(line("drawdown", "Drawdown (%)", drawdown(charts.equity), t0, t1));
  for (const [symbol, prices] of Object.entries(charts.prices).sort(([a], [b]) => a.localeCompare(b))) {
    const s = scale(prices, t0, t1);
    const marks = report.trades.closed
      .filter((t) => t.symbol === symbol)
      .flatMap((t) => {
        const entry = Number(t.entryPrice);
        const exit = Number(t.exitPrice);
        const tip = (what: string, ts: number, px: string): string => esc(`#${t.n} ${what} ${t.direction} ${t.qty} @ ${px} ${new Date(ts).toISOString()} net ${amount(t.netPnl)}`);
        return [
          `<circle class="marker entry" cx="${s.x(t.openedAt).toFixed(1)}" cy="${s.y(entry).toFixed(1)}" r="5" data-tip="${tip("entry", t.openedAt, t.entryPrice)}"/>`,
          `<rect class="marker exit" x="${(s.x(t.closedAt) - 4).toFixed(1)}" y="${(s.y(exit) - 4).toFixed(1)}" width="8" height="8" data-tip="${tip("exit", t.closedAt, t.exitPrice)}"/>`,
        ];
      })
      .join("");
    // A position still open at the end has an entry to show too.
    const opened = report.trades.open
      .filter((t) => t.symbol === symbol)
      .map((t) => `<circle class="marker entry" cx="${s.x(t.openedAt).toFixed(1)}" cy="${s.y(Number(t.entryPrice)).toFixed(1)}" r="5" data-tip="${esc(`open ${t.direction} ${t.qty} @ ${t.entryPrice} ${new Date(t.openedAt).toISOString()}`)}"/>`)
      .join("");
    // The report keeps the most recent closed trades only (run-performance.ts): say so when that is not all of them.
    const kept = report.trades.closed.length;
    const of = kept < p.trades ? ` of the last ${count(kept, "trade")} (${p.trades.toLocaleString("en-US")} in all)` : "";
    sections.push(line(`price-${symbol}`, `${symbol} price, entries (●) and exits (■)${of}`, prices, t0, t1, marks + opened));
  }
  const summary = summaryRows(p)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("");
  // Every closed trade the report keeps (the terminal shows the last 20).
  const tables = reportTables(report, Infinity).map(htmlTable).join("\n");
  const title = report.backtest === undefined ? "hean report" : `hean backtest: ${report.backtest.strategy} on ${report.backtest.symbols.join(", ")}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px}h2{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:2px 8px;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}th{font-weight:600}
#summary th,.l{text-align:left}
svg{background:#fafafa;border:1px solid #ddd}.line{fill:none;stroke:#2563eb;stroke-width:1.5}.ax{font-size:11px;fill:#666}
.entry{fill:#16a34a}.exit{fill:#dc2626}.marker{cursor:pointer}#tip{position:fixed;display:none;background:#111;color:#fff;padding:4px 8px;font-size:12px;border-radius:4px;pointer-events:none}
</style></head><body>
<h1>${esc(title)}</h1>
${notes.length === 0 ? "" : `<ul id="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`}
<table id="summary">${summary}</table>
${sections.join("\n")}
${tables}
<div id="tip"></div>
<script>
const tip = document.getElementById("tip");
for (const m of document.querySelectorAll(".marker")) {
  m.addEventListener("mouseenter", (e) => { tip.textContent = m.dataset.tip; tip.style.display = "block"; tip.style.left = e.clientX + 12 + "px"; tip.style.top = e.clientY + 12 + "px"; });
  m.addEventListener("mouseleave", () => { tip.style.display = "none"; });
}
document.body.dataset.ready = "1";
</script>
</body></html>
`;
}
