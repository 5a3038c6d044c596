/**
 * Parameter sweeps: `hean backtest --sweep key=v1,v2 … --workers N --rank METRIC [--walk-forward K]`.
 *
 * The grid is every combination of the swept values, each a set of `--set` overrides; every run
 * is a whole backtest (the real runtime) in a worker thread, N at a time. With `--walk-forward K`
 * the period is cut into K equal windows: each combination runs on every window and is ranked by
 * its own mean over windows 2…K. That ranking chooses on the figures it shows, so its top row is
 * not out-of-sample; the walk-forward path is: for each window k ≥ 2 it takes the combination
 * that ranked best on window k−1 and reports how it then did on window k.
 * Results are in grid order before ranking, and ties keep grid order: the same sweep ranks the same.
 */
import { Worker } from "node:worker_threads";
import { HeanError } from "../../core/errors.ts";
import { MIN_RETURNS, type Performance } from "../../report/performance.ts";
import { duration, table } from "../../report/print.ts";
import type { BacktestLatency } from "./backtest-venue.ts";
import type { FillModel } from "./replay-market.ts";
import type { ReadAs } from "../data/file-report.ts";

export const RANK_METRICS = ["totalReturnPct", "sharpe", "sortino", "calmar", "profitFactor", "winRatePct", "expectancy", "maxDrawdownPct"] as const;
export type RankMetric = (typeof RANK_METRICS)[number];
/** Metrics where less is better. */
const LOWER_IS_BETTER: ReadonlySet<RankMetric> = new Set(["maxDrawdownPct"]);

export interface SweepAxis {
  readonly key: string;
  readonly values: readonly string[];
}

/** `key=v1,v2,…` (repeatable) into axes; a key twice or an empty value is refused. */
export function parseSweeps(specs: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const key = eq < 0 ? "" : spec.slice(0, eq).trim();
    const values = eq < 0 ? [] : spec.slice(eq + 1).split(",").map((v) => v.trim());
    if (!/^[A-Za-z][\w.]*$/.test(key) || values.length === 0 || values.some((v) => v === "")) {
      throw new HeanError("CLI_USAGE", `--sweep must be key=v1,v2,… (a config key and its values), got ${JSON.stringify(spec)}`, { sweep: spec });
    }
    if (axes.some((a) => a.key === key)) throw new HeanError("CLI_USAGE", `--sweep ${key} is given twice: list all its values in one --sweep`, { key });
    axes.push({ key, values });
  }
  return axes;
}

/** Every combination, the first axis varying slowest; each as `key=value` overrides. */
export function grid(axes: readonly SweepAxis[]): string[][] {
  let out: string[][] = [[]];
  for (const axis of axes) out = out.flatMap((combo) => axis.values.map((v) => [...combo, `${axis.key}=${v}`]));
  return out;
}

/** K equal windows of [from, to). */
export function windows(from: number, to: number, k: number): { from: number; to: number }[] {
  const span = to - from;
  return Array.from({ length: k }, (_, i) => ({ from: from + Math.floor((span * i) / k), to: i === k - 1 ? to : from + Math.floor((span * (i + 1)) / k) }));
}

/**
 * Walk-forward windows must each hold data: an empty one can only fail, once per combination,
 * after the runs before it. The span is only known once the data is read (`hean backtest` reads it
 * once for that), so the check rides on that one pass: every record's time goes through `add`, and
 * the silences between records that could hold a whole window are kept. A window is at least
 * ⌊span/K⌋ long, and the span so far only grows, so a silence no longer than ⌊(time so far)/K⌋
 * can never hold one: few are kept (each longer than a K-th of the time before it).
 */
export class WindowCheck {
  readonly #k: number;
  /** Where the windows start: --from, or the first record's time. */
  #start: number | undefined;
  #first: number | undefined;
  #last: number | undefined;
  /** [last record before, first record after] of each silence kept. */
  readonly #gaps: [number, number][] = [];

  constructor(k: number, from: number | undefined) {
    this.#k = k;
    this.#start = from;
  }

  add(ts: number): void {
    const last = this.#last;
    if (last === undefined) {
      this.#start ??= ts;
      this.#first = ts;
    } else if (ts - last > Math.floor((ts - this.#start!) / this.#k)) {
      this.#gaps.push([last, ts]);
    }
    this.#last = ts;
  }

  /**
   * Refuse, before any run, windows (`windows` of [from, to)) that would hold no record: the
   * message says the data's span, K and how long each window would be.
   */
  check(spans: readonly { readonly from: number; readonly to: number }[]): void {
    const first = this.#first;
    const last = this.#last;
    if (first === undefined || last === undefined || spans.length === 0) return;
    // Empty: no time at all, wholly before the first record or after the last, or inside a silence.
    const empty = spans
      .map((w, i) => ({ ...w, n: i + 1 }))
      .filter((w) => w.to <= w.from || w.to <= first || w.from > last || this.#gaps.some(([before, after]) => before < w.from && after >= w.to));
    if (empty.length === 0) return;
    const from = spans[0]!.from;
    const to = spans.at(-1)!.to;
    const length = (ms: number): string => (ms < 1000 ? `${ms} ms` : duration(ms));
    const lengths = spans.map((w) => w.to - w.from);
    const [shortest, longest] = [length(Math.min(...lengths)), length(Math.max(...lengths))];
    const iso = (t: number): string => new Date(t).toISOString();
    const named = empty.slice(0, 3).map((w) => `window ${w.n}: ${iso(w.from)} to ${iso(w.to)}`);
    if (empty.length > 3) named.push(`… ${empty.length - 3} more`);
    throw new HeanError(
      "CLI_USAGE",
      `--walk-forward ${this.#k} cuts the data's ${length(to - from)} (${iso(from)} to ${iso(to)}) into ${this.#k} windows of ${shortest === longest ? shortest : `${shortest} to ${longest}`} each, ` +
        `and ${empty.length} of them would hold no market data (${named.join("; ")}): choose fewer windows, or a period the data covers throughout (--from/--to)`,
      { walkForward: this.#k, from, to, empty: empty.map((w) => w.n) },
    );
  }
}

/** What a worker is asked to run. */
export interface SweepJob {
  readonly id: number;
  /** The combination (and window) in words, for errors about the run. */
  readonly label: string;
  readonly files: readonly string[];
  readonly readAs: ReadAs;
  readonly configFile: string | undefined;
  readonly cli: Readonly<Record<string, string | number | undefined>>;
  readonly overrides: readonly string[];
  readonly from: number | undefined;
  readonly to: number | undefined;
  readonly strict: boolean;
  readonly fill: FillModel;
  readonly latency: BacktestLatency;
  /** `--instruments FILE`, read again in the worker. */
  readonly instrumentsFile: string | undefined;
}

export type SweepJobResult = { readonly id: number; readonly ok: true; readonly performance: Performance } | { readonly id: number; readonly ok: false; readonly error: string };

/** What a run stopped by Ctrl-C (or never started because of it) shows instead of a figure. */
export const NOT_RUN = "not run: the sweep was stopped (Ctrl-C)";

/**
 * Run jobs on `workers` threads; results in job order. A worker that ends before it answered
 * (a strategy calling process.exit, an uncaught error) fails its job alone: a new worker takes
 * the rest. Once `signal` aborts, no job starts, running workers are terminated and every job
 * without a result is NOT_RUN.
 */
export async function runJobs(jobs: readonly SweepJob[], workers: number, onDone?: (done: number, total: number) => void, signal?: AbortSignal): Promise<SweepJobResult[]> {
  const results: SweepJobResult[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const finish = (r: SweepJobResult): void => {
    results[r.id] = r;
    onDone?.(++done, jobs.length);
  };
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = new Worker(new URL("./sweep-worker.ts", import.meta.url));
      let current: SweepJob | undefined;
      let thrown: string | undefined;
      const stop = (): void => void worker.terminate();
      signal?.addEventListener("abort", stop, { once: true });
      const feed = (): void => {
        current = signal?.aborted === true || next >= jobs.length ? undefined : jobs[next++];
        if (current === undefined) void worker.terminate();
        else worker.postMessage(current);
      };
      worker.on("message", (r: SweepJobResult) => {
        current = undefined;
        finish(r);
        feed();
      });
      // An uncaught error is followed by 'exit': the job fails there, with this as its reason.
      worker.on("error", (e) => (thrown = e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
      worker.on("exit", (code) => {
        signal?.removeEventListener("abort", stop);
        const job = current;
        if (job !== undefined && signal?.aborted !== true) {
          const why = thrown === undefined ? `exited with code ${code}` : `threw ${thrown}`;
          const error = new HeanError("SWEEP_WORKER_DIED", `the worker running ${job.label} ${why} before it answered`, { job: job.label, code });
          finish({ id: job.id, ok: false, error: error.message });
          // The jobs left need a worker in its place.
          if (next < jobs.length) {
            void one().then(resolve);
            return;
          }
        }
        resolve();
      });
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, one));
  for (const job of jobs) results[job.id] ??= { id: job.id, ok: false, error: NOT_RUN };
  return results;
}

export function metricOf(p: Performance, metric: RankMetric): number | null {
  const v = p[metric];
  if (v === null) return null;
  return typeof v === "string" ? Number(v) : v;
}

/**
 * The figure a run is ranked by. A ratio with nothing on its losing side is missing from the
 * report (null) but is the best there is: no losing trade among winners (profitFactor), a gain
 * without a losing return (sortino) or without a drawdown (calmar) rank as +∞. A null for want
 * of data (no closed trade, under MIN_RETURNS returns, under a day, a flat run) stays null.
 */
export function rankFigure(p: Performance, metric: RankMetric): number | null {
  const v = metricOf(p, metric);
  if (v !== null) return v;
  const gained = p.totalReturnPct > 0;
  if (metric === "profitFactor") return p.trades > 0 && (p.winRatePct ?? 0) > 0 ? Infinity : null;
  if (metric === "sortino") return p.returnCount >= MIN_RETURNS && gained ? Infinity : null;
  if (metric === "calmar") return p.annualisedReturnPct !== null && p.maxDrawdownPct === 0 && gained ? Infinity : null;
  return null;
}

/** When a metric's missing figure is +∞ rather than unknown (see rankFigure). */
const UNBOUNDED_WHEN: Partial<Record<RankMetric, string>> = {
  profitFactor: "winning trades and no losing one",
  sortino: `a gain without one losing return (of ${MIN_RETURNS} or more)`,
  calmar: "a gain over a day or more without a drawdown",
};

/** Higher is better after this (null ranks last, +∞ first). */
const score = (v: number | null, metric: RankMetric): number => (v === null || Number.isNaN(v) ? -Infinity : LOWER_IS_BETTER.has(metric) ? -v : v);

export interface RankedEntry {
  readonly rank: number;
  readonly overrides: readonly string[];
  /** The ranked figure: the whole period, or the mean over windows 2…K. Infinity (null in JSON, with `unbounded`): see rankFigure. */
  readonly value: number | null;
  /** The figure is +∞ (a ratio with no loss to divide by): ranked first. */
  readonly unbounded?: true;
  readonly totalReturnPct: number | null;
  /** Null, as the figures beside it, when a run it counts failed: never a 0 that reads as a figure. */
  readonly maxDrawdownPct: number | null;
  readonly trades: number | null;
  readonly sharpe: number | null;
  /** Per window (walk-forward), in time order; the first is in-sample only. */
  readonly windows?: readonly (number | null)[];
  readonly error?: string;
}

export interface WalkForwardStep {
  readonly window: number;
  /** Chosen on the window before. */
  readonly chosen: readonly string[];
  readonly value: number | null;
  readonly unbounded?: true;
  /** The chosen combination's run on this window failed: why. */
  readonly error?: string;
}

export interface SweepReport {
  readonly rank: RankMetric;
  readonly walkForward: number | null;
  readonly axes: readonly SweepAxis[];
  readonly ranked: readonly RankedEntry[];
  readonly walkForwardPath: readonly WalkForwardStep[];
  /** Stopped by Ctrl-C: the runs that had not finished show NOT_RUN. */
  readonly interrupted: boolean;
}

const mean = (xs: readonly (number | null)[]): number | null => {
  const ok = xs.filter((x): x is number => x !== null && !Number.isNaN(x));
  return ok.length === 0 || ok.length < xs.length ? null : Number((ok.reduce((s, x) => s + x, 0) / ok.length).toFixed(6));
};

/** Rank the grid from the jobs' results: `perCombo[c][w]` is combo c on window w (one window without walk-forward). */
export function rankSweep(combos: readonly (readonly string[])[], perCombo: readonly (readonly SweepJobResult[])[], metric: RankMetric, walkForward: number | null, axes: readonly SweepAxis[], interrupted = false): SweepReport {
  const figures = perCombo.map((runs) => runs.map((r) => (r.ok ? rankFigure(r.performance, metric) : null)));
  const entries = combos.map((overrides, c) => {
    const runs = perCombo[c]!;
    const failed = runs.find((r) => !r.ok);
    const value = walkForward === null ? figures[c]![0]! : mean(figures[c]!.slice(1));
    const last = runs.at(-1);
    const counted = runs.slice(walkForward === null ? 0 : 1);
    const counts = counted.every((r) => r.ok);
    const whole = walkForward === null && last?.ok === true ? last.performance : undefined;
    return {
      overrides,
      value,
      ...(value === Infinity ? { unbounded: true as const } : {}),
      totalReturnPct: whole?.totalReturnPct ?? (walkForward === null ? null : mean(runs.slice(1).map((r) => (r.ok ? r.performance.totalReturnPct : null)))),
      maxDrawdownPct: whole?.maxDrawdownPct ?? (walkForward === null || !counts ? null : Math.max(...counted.map((r) => (r.ok ? r.performance.maxDrawdownPct : 0)))),
      trades: counts ? counted.reduce((s, r) => s + (r.ok ? r.performance.trades : 0), 0) : null,
      sharpe: whole?.sharpe ?? null,
      ...(walkForward === null ? {} : { windows: figures[c]! }),
      ...(failed !== undefined && !failed.ok ? { error: failed.error } : {}),
      order: c,
    };
  });
  const sorted = [...entries].sort((a, b) => score(b.value, metric) - score(a.value, metric) || a.order - b.order);
  const ranked: RankedEntry[] = sorted.map(({ order: _order, ...e }, i) => ({ rank: i + 1, ...e }));
  const path: WalkForwardStep[] = [];
  if (walkForward !== null) {
    for (let w = 1; w < walkForward; w++) {
      let best = 0;
      for (let c = 1; c < combos.length; c++) if (score(figures[c]![w - 1]!, metric) > score(figures[best]![w - 1]!, metric)) best = c;
      const value = figures[best]![w]!;
      const run = perCombo[best]![w]!;
      path.push({ window: w + 1, chosen: combos[best]!, value, ...(value === Infinity ? { unbounded: true as const } : {}), ...(run.ok ? {} : { error: run.error }) });
    }
  }
  return { rank: metric, walkForward, axes, ranked, walkForwardPath: path, interrupted };
}

/** Why a metric can be missing from a run that did not fail. */
const MISSING_WHY: Partial<Record<RankMetric, string>> = {
  sharpe: `Sharpe needs ${MIN_RETURNS} periodic returns: a run of 30 minutes or more`,
  sortino: `Sortino needs ${MIN_RETURNS} periodic returns, some of them losses`,
  calmar: "Calmar needs a run of a day or more, with a drawdown",
  profitFactor: "a profit factor needs a losing trade",
  winRatePct: "a win rate needs a closed trade",
  expectancy: "an expectancy needs a closed trade",
};

export function printSweep(r: SweepReport): string {
  const fmt = (v: number | null): string => (v === null ? "-" : v === Infinity ? "∞" : v.toFixed(4));
  const rows = r.ranked.map((e) => [String(e.rank), e.overrides.join(" "), fmt(e.value), fmt(e.totalReturnPct), fmt(e.maxDrawdownPct), e.trades === null ? "-" : String(e.trades), e.error ?? ""]);
  const headers = ["#", "parameters", `${r.rank}${r.walkForward === null ? "" : ` (mean, windows 2…${r.walkForward})`}`, "return %", "max DD %", "trades", "error"];
  const stopped = r.interrupted ? "; STOPPED by Ctrl-C: only the combinations whose runs all finished are ranked" : "";
  const out = [
    `== Sweep: ${r.ranked.length} combinations ranked by ${r.rank}${r.walkForward === null ? "" : `, walk-forward over ${r.walkForward} windows (each combination's own mean over windows 2…${r.walkForward}: chosen on the same windows, so the top row is not out-of-sample; the path below is)`}${stopped} ==`,
    table(headers, "rlrrrrl", rows),
  ];
  if (r.ranked.length > 1 && r.ranked.every((e) => e.value === null)) {
    out.push(`No combination has a ${r.rank} figure (${MISSING_WHY[r.rank] ?? "each has a failed run"}): the order above is the grid's, not a ranking.`);
  }
  const unbounded = UNBOUNDED_WHEN[r.rank];
  if (unbounded !== undefined) out.push(`A ${r.rank} missing for ${unbounded} is ∞ and ranks first; one missing for want of data (-) ranks last.`);
  if (r.walkForwardPath.length > 0) {
    out.push("", "== Walk-forward path, out-of-sample (chosen on the window before, measured on this one) ==");
    for (const s of r.walkForwardPath) out.push(`window ${s.window}: ${s.chosen.join(" ")} → ${s.error === undefined ? `${r.rank} ${fmt(s.value)}` : `failed: ${s.error}`}`);
  }
  return `${out.join("\n")}\n`;
}
