/**
 * The run's performance as plain text, for people: Telegram's `/trades`, `/profit`, `/daily`,
 * `/performance` and `/balance`, fill and exit pushes, and the summary `hean run` prints when it
 * stops. Everything here reads the `PerformanceReport` (src/report/run-performance.ts) that the
 * exit report, the HTTP API and the dashboard serve, so every surface tells the same numbers.
 *
 * Plain text, no Markdown: symbols and reasons may hold characters Markdown would eat.
 */
import type { FillView, PositionView, StatusView } from "./engine-view.ts";
import type { PerformanceReport, SerialisedTrip } from "../report/run-performance.ts";

/** `12345.678` → `12,345.68` (money is shown in cents; the JSON keeps every digit). */
export function money(text: string): string {
  const n = Number(text);
  return Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : text;
}

/** Money with its sign: `+1.20`, `-0.35`, `0.00`. */
export function signed(text: string): string {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && money(text) !== "0.00" ? `+${money(text)}` : money(text);
}

const pct = (x: number | null, places = 2): string => (x === null ? "n/a" : `${x > 0 ? "+" : ""}${x.toFixed(places)}%`);
/** A share (win rate): no sign. */
const share = (x: number | null, places = 2): string => (x === null ? "n/a" : `${x.toFixed(places)}%`);
const ratio = (x: number | null): string => (x === null ? "n/a" : x.toFixed(2));

/** `45s`, `3m12s`, `2h05m`, `3d04h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

/** `2026-12-05 05:12:03Z`: ISO-8601 without the milliseconds, readable at a glance. */
export const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;

/** One closed trade on one line. */
export function tripLine(t: SerialisedTrip): string {
  return (
    `#${t.n} ${t.symbol} ${t.direction} ${t.qty} ${t.entryPrice} → ${t.exitPrice} ${signed(t.netPnl)}` +
    ` (fees ${money(t.fees)}, ${duration(t.durationMs)}, exit: ${t.exitReason}) ${when(t.closedAt)}`
  );
}

/** `/trades [N]`: the most recent closed trades, newest first. */
export function tradesText(report: PerformanceReport, limit = 10): string {
  const closed = report.trades.closed;
  if (closed.length === 0) return "no closed trades yet";
  const shown = closed.slice(-limit).reverse();
  const head = `last ${shown.length} closed trades (of ${report.performance.trades}):`;
  return [head, ...shown.map(tripLine)].join("\n");
}

/** `/profit`: the run's figures, as Freqtrade's /profit shows them. */
export function profitText(report: PerformanceReport): string {
  const p = report.performance;
  const closed = report.trades.closed;
  const lines = [
    `net P&L ${signed(p.netPnl)} (${pct(p.totalReturnPct)}) · equity ${money(p.startEquity)} → ${money(p.endEquity)}`,
    `since ${when(p.from)} (${duration(p.to - p.from)})`,
  ];
  if (p.trades === 0) {
    lines.push("closed trades: none yet");
  } else {
    const wins = closed.filter((t) => Number(t.netPnl) > 0).length;
    const losses = closed.filter((t) => Number(t.netPnl) < 0).length;
    const avgMs = closed.reduce((sum, t) => sum + t.durationMs, 0) / Math.max(1, closed.length);
    const best = [...report.trades.bySymbol].sort((a, b) => Number(b.netPnl) - Number(a.netPnl))[0];
    lines.push(
      `closed trades ${p.trades} · win rate ${share(p.winRatePct)}${closed.length === p.trades ? ` (${wins} wins, ${losses} losses)` : ""}`,
      `profit factor ${ratio(p.profitFactor)} · expectancy ${p.expectancy === null ? "n/a" : signed(p.expectancy)} · avg win ${p.averageWin === null ? "n/a" : signed(p.averageWin)} · avg loss ${p.averageLoss === null ? "n/a" : signed(p.averageLoss)}`,
      `first trade ${when(closed[0]!.openedAt)} · latest ${when(closed.at(-1)!.closedAt)} · avg duration ${duration(avgMs)}`,
    );
    if (best !== undefined) lines.push(`best: ${best.symbol} ${signed(best.netPnl)} (${best.trades} trades)`);
  }
  // Funding only where a perpetual paid or received some: a zero would read as a figure.
  lines.push(`fees ${money(p.fees)}${Number(p.funding) === 0 ? "" : ` · funding ${signed(p.funding)}`} · max drawdown ${p.maxDrawdownPct.toFixed(2)}% · exposure ${p.exposurePct.toFixed(1)}% · buy & hold ${pct(p.buyAndHoldPct)}`);
  if (report.trades.open.length > 0) lines.push(`open trades ${report.trades.open.length}: ${report.trades.open.map((t) => `${t.symbol} ${t.direction} ${t.qty}`).join(", ")}`);
  return lines.join("\n");
}

/** `/daily [N]`: P&L per UTC day, the last N days newest first (days without a trade show 0). */
export function dailyText(report: PerformanceReport, days = 7, now = report.performance.to): string {
  const byDay = new Map(report.trades.byDay.map((d) => [d.day, d]));
  const lines = [`daily P&L (UTC), last ${days} days:`];
  const end = new Date(Math.max(now, report.performance.to));
  const today = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
  for (let i = 0; i < days; i++) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    const d = byDay.get(day);
    lines.push(d === undefined ? `${day}  ${signed("0")}  0 trades` : `${day}  ${signed(d.netPnl)}  ${d.trades} trades · win ${share(d.winRatePct, 0)} · fees ${money(d.fees)}`);
  }
  return lines.join("\n");
}

/** `/performance`: P&L per symbol, best first. */
export function performanceText(report: PerformanceReport): string {
  const rows = [...report.trades.bySymbol].sort((a, b) => Number(b.netPnl) - Number(a.netPnl));
  if (rows.length === 0) return "no closed trades yet";
  return [
    "performance by symbol:",
    ...rows.map((r, i) => `${i + 1}. ${r.symbol} ${signed(r.netPnl)} · ${r.trades} trades · win ${share(r.winRatePct, 0)} · PF ${ratio(r.profitFactor)} · fees ${money(r.fees)}`),
  ].join("\n");
}

/** `/balance`: cash, equity and what the positions hold. */
export function balanceText(status: StatusView, positions: readonly PositionView[]): string {
  const open = positions.filter((p) => Number(p.qty) !== 0);
  const lines = [
    `equity ${money(status.equity)} · cash ${money(status.cash)}`,
    `realised ${signed(status.realizedPnl)} · unrealised ${signed(status.unrealizedPnl)} · fees ${money(status.fees)}`,
  ];
  if (open.length === 0) lines.push("positions: none");
  for (const p of open) {
    const value = p.markPrice === null ? "" : ` · value ${money(String(Math.abs(Number(p.qty)) * Number(p.markPrice)))}`;
    lines.push(`${p.symbol} ${Number(p.qty) > 0 ? "LONG" : "SHORT"} ${p.qty.replace(/^-/, "")} @ ${p.avgPrice}${value} · uPnL ${signed(p.unrealizedPnl)}`);
  }
  return lines.join("\n");
}

/** A fill as it happens. */
export function fillText(f: FillView): string {
  return `${f.side === "buy" ? "🟢 BUY" : "🔴 SELL"} ${f.qty} ${f.symbol} @ ${f.price} (${f.liquidity}, fee ${f.fee}) ${when(f.ts)}`;
}

/** A closed trade as it happens. */
export function exitText(t: SerialisedTrip): string {
  return `${Number(t.netPnl) >= 0 ? "✅" : "❌"} closed ${tripLine(t)}`;
}
