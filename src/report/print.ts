/**
 * The run report as tables for a terminal: what `hean backtest` and `hean run` print on exit.
 * One printer over the one report (`PerformanceReport`), so paper, live and backtest read alike.
 * Plain text, fixed column widths, no colour: it goes to logs and CI output as well.
 *
 * Amounts of money are shown to the cent, for people; prices and quantities as they are (they sit
 * on the instrument's grid). The JSON report (`--report`) keeps every digit of every figure.
 */
import { dec, format, roundToStep, tryDec } from "../core/decimal.ts";
import { MIN_RETURNS, type Performance } from "./performance.ts";
import type { PerformanceReport, SerialisedTotals } from "./run-performance.ts";

/** Closed trades listed one by one; the rest are counted. */
const TRADES_SHOWN = 20;

/**
 * `align` has one letter per column: `l` for text (left), `r` for figures (right, so that their
 * digits line up).
 */
export function table(headers: readonly string[], align: string, rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (align[i] === "l" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * To two decimals; a non-zero figure too small for them keeps two significant digits
 * (`-0.0012`), so that a tiny loss reads neither as nothing nor as "-0.00".
 */
function fixed2(n: number): string {
  const text = n.toFixed(2);
  return n !== 0 && Number(text) === 0 ? String(Number(n.toPrecision(2))) : text;
}

const pct = (x: number | null): string => (x === null ? "-" : `${fixed2(x)}%`);
const num = (x: number | null): string => (x === null ? "-" : fixed2(x));
/** Decimals an average price is shown to (`price`). */
const PRICE_STEP = dec("0.00000001");

/**
 * A trade's price: as the venue wrote it, or, for the average of several fills, rounded to 8
 * decimals (its 18 say nothing more, and would widen the column for every trade).
 */
export function price(x: string): string {
  const d = tryDec(x);
  return d === undefined ? x : format(roundToStep(d, PRICE_STEP, "half-even"));
}

/** `1 file`, `2,000 events`. */
export const count = (n: number, noun: string): string => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
/**
 * Entries the pre-trade check refused, by code (`risk.denials` in the report), or undefined when
 * none was: a refused entry is a trade the figures do not have, so the report says so.
 */
export function denialsNote(denials: Readonly<Record<string, number>>): string | undefined {
  const codes = Object.entries(denials).sort(([a], [b]) => a.localeCompare(b));
  const total = codes.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return undefined;
  return `${count(total, "order")} refused by the pre-trade check (${codes.map(([code, n]) => `${code} ${n.toLocaleString("en-US")}`).join(", ")})`;
}
/** Sharpe or Sortino; when a short run has too few returns for one, the row says so. */
const ratio = (x: number | null, p: Performance): string =>
  x === null && p.returnCount < MIN_RETURNS ? `- (${count(p.returnCount, `${p.returnPeriod} return`)}, needs ${MIN_RETURNS})` : num(x);

/**
 * An amount of money (a decimal string) to the cent: `-0.41629565` → `-0.42`. One too small to
 * show a cent keeps two significant digits (`0.00041`) rather than reading as nothing.
 */
export function amount(x: string | null): string {
  if (x === null) return "-";
  const n = Number(x);
  return Number.isFinite(n) ? fixed2(n) : x;
}

/** 1d 02:03:04 / 02:03:04 / 3.2s */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  const hms = [Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, "0")).join(":");
  return s >= 86_400 ? `${Math.floor(s / 86_400)}d ${hms}` : hms;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");

export function summaryRows(p: Performance): [string, string][] {
  return [
    ["period", `${iso(p.from)} → ${iso(p.to)} (${duration(p.to - p.from)})`],
    ["equity", `${amount(p.startEquity)} → ${amount(p.endEquity)}`],
    ["net P&L", amount(p.netPnl)],
    ["total return", pct(p.totalReturnPct)],
    ["annualised return", pct(p.annualisedReturnPct)],
    ["buy & hold", pct(p.buyAndHoldPct)],
    ["max drawdown", `${pct(p.maxDrawdownPct)} over ${duration(p.maxDrawdownDurationMs)}`],
    [`sharpe (${p.returnPeriod})`, ratio(p.sharpe, p)],
    ["sortino", ratio(p.sortino, p)],
    ["calmar", num(p.calmar)],
    ["trades", String(p.trades)],
    ["win rate", pct(p.winRatePct)],
    ["profit factor", num(p.profitFactor)],
    ["expectancy", amount(p.expectancy)],
    ["average win / loss", `${amount(p.averageWin)} / ${amount(p.averageLoss)}`],
    ["exposure", pct(p.exposurePct)],
    ["maker share", pct(p.makerSharePct)],
    ["fees", amount(p.fees)],
    ["funding", amount(p.funding)],
  ];
}

/** One of the report's tables, rendered as text here and as HTML by html.ts (the same columns in both). */
export interface ReportTable {
  readonly id: "trades" | "open" | "by-symbol" | "by-day";
  readonly title: string;
  readonly headers: readonly string[];
  /** One letter per column, as `table` takes it. */
  readonly align: string;
  readonly rows: readonly (readonly string[])[];
}

/**
 * A funding column after the fees, only where some row has funding (perpetuals with funding data):
 * without it the column would be zeros on every line.
 */
function withFunding(table: ReportTable, funding: readonly string[]): ReportTable {
  if (funding.every((f) => Number(f) === 0)) return table;
  const at = table.headers.indexOf("fees") + 1;
  const insert = <T,>(xs: readonly T[], x: T): T[] => [...xs.slice(0, at), x, ...xs.slice(at)];
  return {
    ...table,
    headers: insert(table.headers, "funding"),
    align: insert([...table.align], "r").join(""),
    rows: table.rows.map((r, i) => insert(r, amount(funding[i]!))),
  };
}

function totalsTable(id: "by-symbol" | "by-day", title: string, key: string, rows: readonly SerialisedTotals[]): ReportTable {
  const table: ReportTable = {
    id,
    title,
    headers: [key, "trades", "win rate", "net P&L", "fees", "profit factor"],
    align: "lrrrrr",
    rows: rows.map((t) => ["symbol" in t ? t.symbol : t.day, String(t.trades), pct(t.winRatePct), amount(t.netPnl), amount(t.fees), num(t.profitFactor)]),
  };
  return withFunding(table, rows.map((t) => t.funding));
}

/** The report's tables below the summary: the last `tradesShown` closed trades, open positions (when any), per symbol, per day. */
export function reportTables(report: PerformanceReport, tradesShown: number): ReportTable[] {
  const total = report.performance.trades;
  const shown = report.trades.closed.slice(-tradesShown);
  const trades: ReportTable = {
    id: "trades",
    title: `Round-trip trades (${total}${shown.length < total ? `, last ${shown.length} shown` : ""})`,
    headers: ["#", "symbol", "dir", "opened", "closed", "held", "qty", "entry", "exit", "fees", "net P&L", "exit reason"],
    align: "rllllrrrrrrl",
    rows: shown.map((t) => [String(t.n), t.symbol, t.direction, iso(t.openedAt), iso(t.closedAt), duration(t.durationMs), t.qty, price(t.entryPrice), price(t.exitPrice), amount(t.fees), amount(t.netPnl), t.exitReason]),
  };
  const tables = [withFunding(trades, shown.map((t) => t.funding))];
  const open = report.trades.open;
  if (open.length > 0) {
    const table: ReportTable = {
      id: "open",
      title: "Open positions",
      headers: ["symbol", "dir", "opened", "qty", "entry", "fees"],
      align: "lllrrr",
      rows: open.map((t) => [t.symbol, t.direction, iso(t.openedAt), t.qty, price(t.entryPrice), amount(t.fees)]),
    };
    tables.push(withFunding(table, open.map((t) => t.funding)));
  }
  tables.push(totalsTable("by-symbol", "By symbol", "symbol", report.trades.bySymbol));
  tables.push(totalsTable("by-day", "By day (UTC)", "day", report.trades.byDay));
  return tables;
}

/** The whole report as text, ending with a newline. */
export function printReport(report: PerformanceReport, title = "Performance"): string {
  const p = report.performance;
  const out: string[] = [];
  out.push(`== ${title} ==`);
  const rows = summaryRows(p);
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out.push(`${k.padEnd(w)}  ${v}`);
  for (const t of reportTables(report, TRADES_SHOWN)) out.push("", `== ${t.title} ==`, t.rows.length === 0 ? "(none)" : table(t.headers, t.align, t.rows));
  return `${out.join("\n")}\n`;
}
