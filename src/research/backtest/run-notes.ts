/**
 * What a reader of a backtest's report must know besides its figures: what was replayed,
 * malformed rows, records that could not be replayed, the longest silence in the data and, when
 * trading stopped early, why (nobody resets a backtest's kill switch or quarantine). Shown above
 * the tables on the terminal and above the charts in the HTML page.
 */
import { type Dec, dec, format } from "../../core/decimal.ts";
import { count, denialsNote, duration } from "../../report/print.ts";
import { disabledNote } from "../../runtime/strategy-slot.ts";
import type { BacktestReport } from "./backtest.ts";

/** A fee rate ("0.00055") as a percentage ("0.055%"), exactly. */
const percent = (rate: string): string => `${format((dec(rate) * 100n) as Dec)}%`;

/** Problems shown per file; the report's JSON keeps them all. */
const PROBLEMS_SHOWN = 5;

export interface BacktestNotes {
  readonly headline: string;
  readonly notes: readonly string[];
}

export function backtestNotes(report: BacktestReport): BacktestNotes {
  const d = report.backtest.data;
  const headline = `backtest ${report.backtest.strategy} on ${report.backtest.symbols.join(", ")}: ${count(d.events, "event")} from ${count(d.files.length, "file")}, ${count(d.skipped, "malformed row")} skipped, ${d.ignored.toLocaleString("en-US")} not replayed${d.interrupted ? ", INTERRUPTED before the data ended" : ""}`;
  const notes: string[] = [];
  // The rules decide fills and fees: built-in ones are Bybit's, and the data may be another venue's.
  for (const r of report.backtest.rules) notes.push(`rules: ${r.symbol} tick ${r.tickSize}, lot ${r.lotSize}, fees maker ${percent(r.makerFee)} / taker ${percent(r.takerFee)}`);
  // A recording replays exactly by the rules of its first line; without it the rules are others, and only this says so.
  for (const f of d.withoutHeader) {
    notes.push(`${f}: a hean recording without its first line (#hean-market {…}): the venue and rules it was recorded with are unknown, so it traded by the rules above (restore the line, or give the recorded venue's rules with --instruments FILE)`);
  }
  // A symbol in the headline that the data never mentioned was not traded at all: its empty rows are not a result.
  if (d.withoutData.length > 0) {
    notes.push(`no market data for ${d.withoutData.join(", ")}: no trade, book or kline of it in the data${d.interrupted ? " replayed before the stop" : " (within --from/--to)"}, so it was never traded (check --symbols and --data)`);
  }
  for (const f of d.files) for (const p of f.problems.slice(0, PROBLEMS_SHOWN)) notes.push(`${f.file}:${p.line}: ${p.reason}`);
  if (d.offGrid > 0) {
    notes.push(`off the instrument's tick or lot: ${d.offGrid} of the ${d.ignored} records not replayed (sizes below its lot, or another venue's grid: --instruments gives the rules of the data's venue)`);
  }
  if (d.bars.length > 0) {
    notes.push(
      `klines replayed as trades for ${d.bars.join(", ")} (open, the nearer extreme, the other, close, at each bar's close): fills are approximate; trades data makes them exact. ` +
        "A passive order fills only on a later bar's prints: a maker leg's time to live must outlast a bar (execution.ttl's minMs, baseMs and maxMs above the bar's length)",
    );
  }
  // A perpetual's carry: without funding data a multi-day hold looks cheaper or dearer than it was.
  if (report.performance.trades + report.trades.open.length > 0 && !d.files.some((f) => f.format === "binance-fundingRate")) {
    notes.push("funding: none in the data, so none was settled (hean data download --kind fundingRate fetches Binance's or Bybit's)");
  }
  if (d.fundingOutside > 0) {
    notes.push(`funding: ${d.fundingOutside} funding record(s) before the first or after the last trade, book or kline were not settled (the run covers the market data's period only)`);
  }
  // A gap in the data is where the last touch stood (trades) or the feed went silent (book data).
  const q = d.longestSilence;
  if (q !== null) notes.push(`longest silence in the data: ${q.symbol}, ${duration(q.ms)} from ${new Date(q.from).toISOString()}`);
  for (const s of report.disabled) notes.push(disabledNote(s));
  const { risk } = report;
  const refused = denialsNote(risk.denials);
  if (refused !== undefined) notes.push(refused);
  if (risk.state !== "NORMAL") notes.push(`risk state at the end: ${risk.state}${risk.reasons.length > 0 ? ` (${risk.reasons.join("; ")})` : ""}`);
  const k = risk.killSwitch;
  if (k.triggeredAtIso !== null) {
    notes.push(`kill switch: ${k.reason ?? "?"} at ${k.triggeredAtIso}${k.flatAtIso === null ? "" : `, flat at ${k.flatAtIso}`}${k.active ? "; still active at the end: no entries after it" : ""}`);
  }
  return { headline, notes };
}
