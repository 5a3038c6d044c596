/**
 * Backtest progress for a person: on a terminal a bar redrawn a few times a second with events/s
 * and the ETA; elsewhere (CI, logs, pipes) one plain line every few seconds. The fraction is
 * data time over the span when `--to` bounds it, else the input bytes read over the files' size.
 */
import { duration } from "../../control/report-text.ts";
import type { BacktestProgress } from "./backtest.ts";

export interface ProgressOptions {
  readonly out: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** Data time the run ends at (`--to`); without it the input read gives the bar and the ETA. */
  readonly endTs: number | undefined;
  readonly now?: () => number;
  /** Plain lines at most this often (ms). */
  readonly plainEveryMs?: number;
}

const BAR = 24;

export function progressLine(p: BacktestProgress, elapsedMs: number, endTs: number | undefined): { line: string; fraction: number | undefined } {
  const rate = p.events / Math.max(0.001, elapsedMs / 1000);
  const span = endTs === undefined ? undefined : endTs - p.firstTs;
  const fraction = span === undefined || span <= 0 ? p.fraction : Math.min(1, Math.max(0, (p.ts - p.firstTs) / span));
  const eta = fraction === undefined || fraction <= 0 || p.done ? undefined : (elapsedMs / fraction) * (1 - fraction);
  // Most wanted first: a terminal narrower than the line cuts its end.
  const parts = [
    // Whole seconds up: an ETA under a second still says 1s.
    p.done ? "done" : eta === undefined ? "ETA ?" : `ETA ${duration(Math.ceil(eta / 1000) * 1000)}`,
    `${p.events.toLocaleString("en-US")} events`,
    `${Math.round(rate).toLocaleString("en-US")} events/s`,
    `data at ${new Date(p.ts).toISOString().slice(0, 19)}Z`,
  ];
  return { line: parts.join(", "), fraction };
}

export function progressPrinter(options: ProgressOptions): (p: BacktestProgress) => void {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = options.out.isTTY === true;
  const every = tty ? 200 : (options.plainEveryMs ?? 5_000);
  let last = -Infinity;
  return (p) => {
    const t = now();
    if (!p.done && t - last < every) return;
    last = t;
    const { line, fraction } = progressLine(p, t - started, options.endTs);
    if (!tty) {
      options.out.write(`backtest: ${line}\n`);
      return;
    }
    const filled = fraction === undefined ? 0 : Math.round(fraction * BAR);
    const bar = fraction === undefined ? "" : `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    const width = (options.out.columns ?? 120) - 1;
    options.out.write(`\r${`${bar}${line}`.slice(0, width).padEnd(width)}${p.done ? "\n" : ""}`);
  };
}
