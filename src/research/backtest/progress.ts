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

/** `ETA 12m03s`, rounded up to whole seconds (an ETA under a second still says 1s); `ETA ?` when unknown. */
const etaText = (ms: number | undefined): string => (ms === undefined ? "ETA ?" : `ETA ${duration(Math.ceil(ms / 1000) * 1000)}`);

export function progressLine(p: BacktestProgress, elapsedMs: number, endTs: number | undefined): { line: string; fraction: number | undefined } {
  const rate = p.events / Math.max(0.001, elapsedMs / 1000);
  const span = endTs === undefined ? undefined : endTs - p.firstTs;
  const fraction = span === undefined || span <= 0 ? p.fraction : Math.min(1, Math.max(0, (p.ts - p.firstTs) / span));
  const eta = fraction === undefined || fraction <= 0 || p.done ? undefined : (elapsedMs / fraction) * (1 - fraction);
  // Most wanted first: a terminal narrower than the line cuts its end.
  const parts = [
    p.done ? "done" : etaText(eta),
    `${p.events.toLocaleString("en-US")} events`,
    `${Math.round(rate).toLocaleString("en-US")} events/s`,
    `data at ${new Date(p.ts).toISOString().slice(0, 19)}Z`,
  ];
  return { line: parts.join(", "), fraction };
}

/** Progress at a pace fit for where it goes: redrawn on a terminal every 200 ms, else a plain line every few seconds; the last always. */
function throttledWriter(options: Omit<ProgressOptions, "endTs">, label: string): { readonly elapsed: () => number; readonly write: (line: string, fraction: number | undefined, done: boolean) => void } {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = options.out.isTTY === true;
  const every = tty ? 200 : (options.plainEveryMs ?? 5_000);
  let last = -Infinity;
  return {
    elapsed: () => now() - started,
    write(line, fraction, done) {
      const t = now();
      if (!done && t - last < every) return;
      last = t;
      if (!tty) {
        options.out.write(`${label}: ${line}\n`);
        return;
      }
      const filled = fraction === undefined ? 0 : Math.round(fraction * BAR);
      const bar = fraction === undefined ? "" : `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      const width = (options.out.columns ?? 120) - 1;
      options.out.write(`\r${`${bar}${line}`.slice(0, width).padEnd(width)}${done ? "\n" : ""}`);
    },
  };
}

export function progressPrinter(options: ProgressOptions): (p: BacktestProgress) => void {
  const out = throttledWriter(options, "backtest");
  return (p) => {
    const { line, fraction } = progressLine(p, out.elapsed(), options.endTs);
    out.write(line, fraction, p.done);
  };
}

/** A sweep's progress: runs done of the grid, the ETA from the pace so far. */
export function sweepProgressPrinter(options: Omit<ProgressOptions, "endTs">): (done: number, total: number) => void {
  const out = throttledWriter(options, "sweep");
  return (done, total) => {
    const finished = done >= total;
    const eta = done === 0 ? undefined : (out.elapsed() / done) * (total - done);
    out.write(`${finished ? "done" : etaText(eta)}, ${done}/${total} runs`, done / total, finished);
  };
}
