/**
 * `npm run chaos -- [--venue bybit|binance] [--schedules N] [--seed S] [--concurrency C] [--report FILE] [--keep]`:
 * seeded random fault schedules against `hean sim <venue>` (default bybit), each with the engine
 * in its own process (see test/chaos/harness.ts and venues.ts); schedule i uses seed S + i, so a
 * failing one is replayed with `--venue <venue> --seed <its seed> --schedules 1`.
 *
 * The soak: `npm run chaos -- --schedules 1000 --report soak.json`. One schedule at a time by
 * default (each holds a simulator and an engine process); `--concurrency` runs more side by side.
 * After every schedule the report file is rewritten (atomically) with that schedule's orders,
 * fills, divergences and kill-switch timings and the running totals: zero orphans, duplicates,
 * lost or double fills, and equal positions are the target. Re-running with the same report
 * continues after the schedules it already holds. Ctrl-C (or SIGTERM) lets the schedules in
 * progress finish and saves; a second one aborts at once. Progress goes to stdout: schedules
 * done of the total, the rate and the time left.
 *
 * Exit status: 0 when every schedule passed; 1 when any failed; 2 on bad arguments or a report
 * that belongs to another seed; 130 when interrupted before the end (the report can be resumed).
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ScheduleResult, type SoakFacts, makeSchedule, runSchedule, startSim } from "../test/chaos/harness.ts";
import { CHAOS_VENUES, chaosVenue } from "../test/chaos/venues.ts";

interface ScheduleEntry extends SoakFacts {
  readonly seed: number;
  readonly ok: boolean;
  readonly faults: readonly Record<string, unknown>[];
  readonly killAtMs: number | null;
  readonly sigkills: number;
  readonly elapsedMs: number;
  readonly divergenceList: readonly string[];
  readonly finishedAt: string;
  /** The end of the engine's output, for failed schedules only. */
  readonly engineOutputTail?: string;
}

interface SoakReport {
  readonly version: 1;
  /** Absent in reports written before Binance: those are Bybit's. */
  readonly venue?: string;
  readonly firstSeed: number;
  schedules: number;
  readonly results: ScheduleEntry[];
  totals: ReturnType<typeof totalsOf>;
}

function usage(message: string): never {
  process.stderr.write(`chaos: ${message}\nusage: npm run chaos -- [--venue bybit|binance] [--schedules N] [--seed S] [--concurrency C] [--report FILE] [--keep]\n`);
  process.exit(2);
}

function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      venue: { type: "string" },
      schedules: { type: "string" },
      seed: { type: "string" },
      concurrency: { type: "string" },
      lanes: { type: "string" },
      report: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
} catch (e) {
  usage((e as Error).message);
}
const { values } = parsed;
const venue = chaosVenue(values.venue ?? "bybit") ?? usage(`--venue must be one of ${Object.keys(CHAOS_VENUES).join(", ")}, got ${JSON.stringify(values.venue)}`);
const count = whole("schedules", values.schedules, 200, 1);
const concurrency = Math.min(whole("concurrency", values.concurrency ?? values.lanes, 1, 1), 8);
const previous = values.report !== undefined && existsSync(values.report) ? loadReport(values.report) : undefined;
const firstSeed = whole("seed", values.seed, previous?.firstSeed ?? 1000, 0);
if (previous !== undefined && previous.firstSeed !== firstSeed) {
  usage(`${values.report} holds the soak from seed ${previous.firstSeed}, not ${firstSeed}: pick another report file or that seed`);
}
if (previous !== undefined && (previous.venue ?? "bybit") !== venue.name) {
  usage(`${values.report} holds a ${previous.venue ?? "bybit"} soak, not ${venue.name}: pick another report file or that venue`);
}

const soak: SoakReport = previous ?? { version: 1, venue: venue.name, firstSeed, schedules: count, results: [], totals: totalsOf([]) };
soak.schedules = count;
const done = new Set(soak.results.map((r) => r.seed));
const todo = Array.from({ length: count }, (_, i) => firstSeed + i).filter((seed) => !done.has(seed));
if (previous !== undefined) process.stdout.write(`resuming ${values.report}: ${done.size} of ${count} schedules already done\n`);

const dir = mkdtempSync(join(tmpdir(), "hean-chaos-"));
const started = Date.now();
let ranNow = 0;
let stopping = false;
const onSignal = (): void => {
  if (stopping) process.exit(130);
  stopping = true;
  process.stdout.write("\nstopping after the schedules in progress (again to abort at once)\n");
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

async function lane(id: number): Promise<void> {
  const sim = await startSim(firstSeed + id, venue);
  try {
    while (!stopping) {
      const seed = todo.shift();
      if (seed === undefined) return;
      const schedule = makeSchedule(seed, venue);
      let entry: ScheduleEntry;
      try {
        entry = entryOf(await runSchedule(sim, schedule, dir));
      } catch (e) {
        entry = harnessFailure(seed, schedule, (e as Error).message);
      }
      if (stopping && !entry.ok) {
        // A Ctrl-C reaches the simulator and the engine too: a schedule it cut short proves nothing.
        process.stdout.write(`seed ${seed} was interrupted: not recorded, a resumed run does it again\n`);
        return;
      }
      record(entry);
    }
  } finally {
    await sim.close();
  }
}

function record(entry: ScheduleEntry): void {
  soak.results.push(entry);
  soak.results.sort((a, b) => a.seed - b.seed);
  soak.totals = totalsOf(soak.results);
  if (values.report !== undefined) save(values.report, soak);
  ranNow++;
  const elapsedS = (Date.now() - started) / 1000;
  const perMin = (ranNow / elapsedS) * 60;
  const left = count - soak.results.length;
  const eta = left === 0 ? "done" : `ETA ${duration((left / perMin) * 60)}`;
  process.stdout.write(
    `[${soak.results.length}/${count}] ${entry.ok ? "ok      " : "FAILED  "} seed ${entry.seed}: ${entry.orders} orders, ${entry.fills} fills, ` +
      `${entry.sigkills} SIGKILL(s), ${entry.elapsedMs} ms | ${perMin.toFixed(1)}/min, ${eta}\n`,
  );
  for (const d of entry.divergenceList) process.stdout.write(`    ${d}\n`);
}

function entryOf(r: ScheduleResult): ScheduleEntry {
  const ok = r.divergences.length === 0 && r.soak.orphans === 0 && r.soak.duplicates === 0 && r.soak.lostFills === 0 && r.soak.doubleFills === 0 && r.soak.positionsEqual;
  return {
    seed: r.seed,
    ok,
    faults: r.schedule.steps.map((s) => s.faults),
    killAtMs: r.schedule.killAtMs ?? null,
    sigkills: r.kills,
    elapsedMs: r.elapsedMs,
    ...r.soak,
    divergenceList: r.divergences,
    finishedAt: new Date().toISOString(),
    ...(ok ? {} : { engineOutputTail: r.engineOutput.slice(-3000) }),
  };
}

function harnessFailure(seed: number, schedule: ReturnType<typeof makeSchedule>, message: string): ScheduleEntry {
  return {
    seed,
    ok: false,
    faults: schedule.steps.map((s) => s.faults),
    killAtMs: schedule.killAtMs ?? null,
    sigkills: 0,
    elapsedMs: 0,
    orders: 0,
    venueOrders: 0,
    fills: 0,
    executions: 0,
    orphans: 0,
    duplicates: 0,
    lostFills: 0,
    doubleFills: 0,
    positionsEqual: false,
    divergences: 1,
    killSwitch: { active: false, reason: null, triggeredAt: null, flatAt: null, reactionMs: null, triggeredAtIso: null, flatAtIso: null },
    divergenceList: [`harness error: ${message.slice(0, 500)}`],
    finishedAt: new Date().toISOString(),
  };
}

function totalsOf(results: readonly ScheduleEntry[]) {
  const sum = (f: (r: ScheduleEntry) => number): number => results.reduce((n, r) => n + f(r), 0);
  const reactions = results.map((r) => r.killSwitch.reactionMs).filter((x): x is number => x !== null);
  return {
    schedules: results.length,
    failed: results.filter((r) => !r.ok).map((r) => r.seed),
    orders: sum((r) => r.orders),
    venueOrders: sum((r) => r.venueOrders),
    fills: sum((r) => r.fills),
    executions: sum((r) => r.executions),
    divergences: sum((r) => r.divergences),
    orphans: sum((r) => r.orphans),
    duplicates: sum((r) => r.duplicates),
    lostFills: sum((r) => r.lostFills),
    doubleFills: sum((r) => r.doubleFills),
    positionMismatches: results.filter((r) => !r.positionsEqual).length,
    sigkills: sum((r) => r.sigkills),
    killSwitchTriggers: results.filter((r) => r.killSwitch.triggeredAt !== null).length,
    killSwitchReactionMs: reactions.length === 0 ? null : { count: reactions.length, max: Math.max(...reactions), mean: reactions.reduce((a, b) => a + b, 0) / reactions.length },
  };
}

function loadReport(path: string): SoakReport {
  let r: SoakReport;
  try {
    r = JSON.parse(readFileSync(path, "utf8")) as SoakReport;
  } catch (e) {
    usage(`${path} is not a soak report: ${(e as Error).message}`);
  }
  if (r?.version !== 1 || !Number.isSafeInteger(r.firstSeed) || !Array.isArray(r.results)) usage(`${path} is not a soak report (version 1)`);
  return r;
}

/** Write then rename: an interruption leaves the previous report or the new one, never half of one. */
function save(path: string, report: SoakReport): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(report, null, 2) + "\n");
  renameSync(tmp, path);
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, (_, i) => lane(i)));
const t = soak.totals;
const complete = soak.results.length >= count;
process.stdout.write(
  `\nchaos (${venue.name}): ${t.schedules} of ${count} schedules, ${t.failed.length} failed${t.failed.length > 0 ? ` (seeds ${t.failed.join(", ")})` : ""}; ` +
    `${t.orders} orders, ${t.fills} fills; ${t.orphans} orphans, ${t.duplicates} duplicates, ${t.lostFills} lost and ${t.doubleFills} double fills, ` +
    `${t.positionMismatches} position mismatches, ${t.divergences} divergences; ${t.sigkills} SIGKILLs; ${Math.round((Date.now() - started) / 1000)} s` +
    (values.report !== undefined ? `; report ${values.report}` : "") +
    "\n",
);
if (values.keep) process.stdout.write(`journals and reports kept in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });
process.exit(t.failed.length > 0 ? 1 : complete ? 0 : 130);
