/**
 * Plain-text renderings for Telegram (no Markdown: engine text can contain any character, and a
 * stray underscore must not turn a status message into a parse error).
 */
import type { AlertEvent } from "../../core/events.ts";
import type { CommandOutcome, PositionView, RiskView, StatusView, StrategyStateView, VenueHealthView } from "../engine-view.ts";
import { money, signed, when } from "../report-text.ts";

/** Telegram refuses messages longer than 4096 characters. */
export const MAX_MESSAGE_LENGTH = 4000;

export function formatStatus(status: StatusView, risk: RiskView, venue: VenueHealthView, strategies: readonly StrategyStateView[]): string {
  const lines = [
    `hean · ${status.mode} · ${status.venue} · ${status.strategy}`,
    `trading: ${status.tradingState.toUpperCase()} · risk: ${risk.state}`,
  ];
  // Its alert was pushed once, when it happened; the status keeps saying it.
  for (const s of strategies) if (s.disabled !== null) lines.push(`strategy ${s.id} DISABLED at ${when(s.disabled.ts)}: ${s.disabled.problem}`);
  if (risk.reasons.length > 0) lines.push(`reasons: ${risk.reasons.join("; ")}`);
  lines.push(
    `equity ${money(status.equity)} · cash ${money(status.cash)}`,
    `P&L realised ${signed(status.realizedPnl)} · unrealised ${signed(status.unrealizedPnl)} · fees ${money(status.fees)}`,
    `drawdown ${risk.drawdownPct.toFixed(2)}% · daily loss ${risk.dailyLossPct.toFixed(2)}%`,
  );
  if (risk.killSwitch.active) lines.push(`kill switch: ENGAGED (${risk.killSwitch.reason ?? "unknown reason"})`);
  const streams = Object.entries(venue.streams)
    .map(([name, up]) => `${name} ${up ? "up" : "DOWN"}`)
    .join(", ");
  lines.push(`venue: ${venue.connected ? "connected" : "DISCONNECTED"}${streams === "" ? "" : ` (${streams})`} · breaker ${venue.circuitBreaker}`);
  lines.push(status.ready.ok ? "ready: yes" : `ready: NO (${status.ready.reasons.join("; ")})`);
  return lines.join("\n");
}

export function formatPositions(positions: readonly PositionView[]): string {
  const open = positions.filter((p) => Number(p.qty) !== 0);
  if (open.length === 0) return "no open positions";
  return open
    .map((p) => {
      const side = Number(p.qty) > 0 ? "LONG" : "SHORT";
      const mark = p.markPrice === null ? "" : ` · mark ${p.markPrice}`;
      return `${p.symbol} ${side} ${p.qty.replace(/^-/, "")} @ ${p.avgPrice}${mark} · uPnL ${signed(p.unrealizedPnl)}`;
    })
    .join("\n");
}

export function formatOutcome(command: string, outcome: CommandOutcome): string {
  const verdict = outcome.ok ? "done" : "REFUSED";
  const again = outcome.duplicate ? " (already received: earlier outcome)" : "";
  return `${command}: ${verdict}${again}\n${outcome.message}`;
}

const SEVERITY_MARK: Readonly<Record<string, string>> = { critical: "🔴 CRITICAL", warning: "🟠 WARNING", info: "ℹ️ info" };

export function formatAlert(alert: AlertEvent): string {
  const time = new Date(alert.ts).toISOString().slice(11, 19);
  return `${SEVERITY_MARK[alert.severity] ?? alert.severity} ${alert.code} ${time}Z\n${alert.message}`;
}

/** Joins messages, keeping under Telegram's limit and saying how many were left out. */
export function joinWithinLimit(parts: readonly string[]): string {
  let text = "";
  let used = 0;
  for (const part of parts) {
    const next = text === "" ? part : `${text}\n\n${part}`;
    if (next.length > MAX_MESSAGE_LENGTH - 40) break;
    text = next;
    used += 1;
  }
  if (used === 0 && parts.length > 0) {
    text = parts[0]!.slice(0, MAX_MESSAGE_LENGTH - 40);
    used = 1;
  }
  return used < parts.length ? `${text}\n\n… and ${parts.length - used} more` : text;
}

export const HELP_TEXT = [
  "hean commands:",
  "/status: trading and risk state, equity, venue",
  "/positions: open positions",
  "/balance: cash, equity and positions",
  "/profit: P&L, win rate, profit factor, drawdown",
  "/trades [N]: the last N closed trades (default 10)",
  "/daily [N]: P&L per UTC day, last N days (default 7)",
  "/performance: P&L per symbol",
  "/stop: halt new exposure (kill switch)",
  "/flatten: halt and close every position",
  "/cancel_all: cancel working orders",
  "/resume: resume trading",
  "/set_stoploss SYMBOL PCT: stop-loss at PCT percent from entry (e.g. /set_stoploss BTCUSDT 2)",
].join("\n");
