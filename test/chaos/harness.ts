/**
 * Fault tests with real processes: `hean sim <venue>` in one, `hean run --venue <venue> --mode live`
 * in another, faults injected through `POST /__sim/faults`, and the engine's report compared
 * with the venue's own record (`GET /__sim/state`). What differs between venues (how to start the
 * simulator, the engine's flags and keys, the faults, the state's field names) is in venues.ts;
 * everything here takes a venue and defaults to Bybit.
 *
 * The comparison is the issue's: every venue order belongs to an engine intent, no orderLinkId
 * has two venue orders, each order's filled quantity equals the venue's executions for it, and
 * the positions are equal. Order statuses are compared too (an engine that still thinks an order
 * works while the venue has closed it has not reconciled).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Dec, ZERO, add, dec, format, neg } from "../../src/core/decimal.ts";
import { inspectJournal } from "../../src/journal/tools.ts";
import type { RunReport } from "../../src/runtime/report.ts";
import { BYBIT, type ChaosVenue } from "./venues.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HEAN = join(ROOT, "bin", "hean.js");
export const API_KEY = "chaos-key";
export const API_SECRET = "chaos-secret-0123456789";

/** Short timeouts so that a schedule of a few seconds exercises every path (see src/config/venue-config.ts; passed as --set venues.<venue>.*). */
export const CHAOS_TUNING = {
  recvWindowMs: 1_500,
  proofMarginMs: 300,
  orderTimeoutMs: 1_000,
  requestTimeoutMs: 1_000,
  reconcileOrdersMs: 2_000,
  reconcilePositionsMs: 3_000,
  executionOverlapMs: 5_000,
  publicIdleMs: 2_000,
  positionSettleMs: 1_000,
  reconnectInitialMs: 100,
  reconnectMaxMs: 1_000,
  breakerOpenMs: 500,
  rateLimitBackoffMs: 100,
  rateLimitMaxBackoffMs: 1_000,
  breakerMaxOpenMs: 4_000,
  finalReconcileMs: 2_000,
  startTimeoutMs: 5_000,
  retryBaseMs: 100,
  retryMaxMs: 500,
};

export const CHURN = [
  "--strategy",
  "churn",
  "--set",
  "strategy.params.intervalMs=400",
  "--set",
  "strategy.params.holdMs=300",
  "--set",
  'strategy.params.sides="alternate"',
  "--set",
  "execution.ttl.baseMs=400",
  "--set",
  "execution.ttl.minMs=200",
];

// ------------------------------------------------------------------ processes

export interface SimProcess {
  readonly venue: ChaosVenue;
  readonly url: string;
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
  control(method: "GET" | "POST", path: string, body?: unknown): Promise<any>;
  /** `GET /__sim/state` in the common shape (venues.ts). */
  state(): Promise<SimState>;
  reset(seed: number): Promise<void>;
  faults(spec: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startSim(seed: number, venue: ChaosVenue = BYBIT): Promise<SimProcess> {
  const child = spawn(process.execPath, [HEAN, ...venue.simArgs, "--port", "0", "--seed", String(seed), "--api-key", API_KEY, "--api-secret", API_SECRET], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const m = venue.startedLine.exec(out);
      if (m !== null) {
        clearInterval(poll);
        resolve(m[1]!);
      } else if (Date.now() - started > 120_000 || child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`simulator did not start:\n${out}`));
      }
    }, 20);
  });
  const control = async (method: "GET" | "POST", path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    venue,
    ...venue.urls(url),
    control,
    state: async () => venue.normalize(await control("GET", "/__sim/state")),
    reset: async (s) => void (await control("POST", "/__sim/reset", { seed: s })),
    faults: async (spec) => void (await control("POST", "/__sim/faults", spec)),
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

export interface EngineProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Alert codes the engine logged, in order. */
  alerts(): { code: string; time: number; msg: string }[];
  /** SIGTERM, wait for exit, read the report. */
  stop(): Promise<RunReport>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
}

export interface EngineOptions {
  readonly journal: string;
  readonly report: string;
  readonly tuning?: Record<string, unknown>;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export async function startEngine(sim: SimProcess, o: EngineOptions): Promise<EngineProcess> {
  const args = [
    HEAN,
    "run",
    "--venue",
    sim.venue.name,
    "--mode",
    "live",
    "--i-understand-live-trading",
    "--rest-url",
    sim.url,
    "--ws-public-url",
    sim.wsPublicUrl,
    "--ws-private-url",
    sim.wsPrivateUrl,
    "--journal",
    o.journal,
    "--report",
    o.report,
    "--quiet",
    ...Object.entries({ ...CHAOS_TUNING, ...o.tuning }).flatMap(([k, v]) => ["--set", `${sim.venue.tuningPrefix}.${k}=${JSON.stringify(v)}`]),
    ...(o.args ?? CHURN),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      [sim.venue.keyEnv.key]: API_KEY,
      [sim.venue.keyEnv.secret]: API_SECRET,
      ...o.env,
    },
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (out.includes('"msg":"hean started"')) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > 120_000 || child.exitCode !== null) {
        clearInterval(poll);
        // One still booting must not go on trading into the next test.
        if (child.exitCode === null) child.kill("SIGKILL");
        reject(new Error(`engine did not start (exit ${child.exitCode}):\n${out}`));
      }
    }, 20);
  });
  return {
    child,
    output: () => out,
    alerts: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => {
          try {
            return JSON.parse(l) as { code?: string; time?: string; msg?: string };
          } catch {
            return {};
          }
        })
        .filter((l): l is { code: string; time: string; msg: string } => typeof l.code === "string")
        .map((l) => ({ code: l.code, time: Date.parse(l.time), msg: l.msg })),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      if (!existsSync(o.report)) throw new Error(`no report after stop (exit ${child.exitCode}):\n${out.slice(-4000)}`);
      return JSON.parse(readFileSync(o.report, "utf8")) as RunReport;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once the venue holds an order; fails (with the engine's output) only if none comes within a minute. */
export async function waitForVenueOrder(sim: SimProcess, engine: EngineProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await sim.state()).orders.length === 0) {
    if (Date.now() > deadline || engine.child.exitCode !== null) throw new Error(`the engine placed no order:\n${engine.output().slice(-3000)}`);
    await sleep(50);
  }
}

// ------------------------------------------------------------------ comparison

/** The venue's record in the common shape (Bybit's field names; venues.ts maps the others to it). */
export interface SimState {
  orders: { orderId: string; orderLinkId: string; symbol: string; side: string; qty: string; orderStatus: string; cumExecQty: string; receivedAt: number; reduceOnly: boolean }[];
  executions: { execId: string; orderLinkId: string; symbol: string; side: string; execQty: string; execTime: string }[];
  positions: { symbol: string; side: string; size: string }[];
  /** The settlement coin's balance (fees, realised PnL and funding booked): the engine's cash must equal it. */
  wallet?: { walletBalance: string };
}

export interface Comparison {
  readonly divergences: string[];
  readonly ordersExamined: number;
  readonly venueOrders: number;
  readonly executions: number;
}

const WORKING = new Set(["PENDING_SUBMIT", "SUBMITTED", "UNKNOWN", "ACCEPTED", "PARTIALLY_FILLED", "PENDING_CANCEL"]);
/** Statuses under which an order still works at the venue: Bybit's and Binance's (their spellings never collide). */
const VENUE_OPEN = new Set(["New", "PartiallyFilled", "Untriggered", "NEW", "PARTIALLY_FILLED"]);

/** What the journal holds of a run: the whole history, where the report lists only a recent window of orders. */
export interface JournalFacts {
  readonly intents: readonly string[];
  readonly fillIds: readonly string[];
  /** Journaled filled quantity per client order id. */
  readonly filled: ReadonlyMap<string, Dec>;
}

/** Read through the read-only inspection tool, after the engine has exited. */
export function journalFacts(path: string): JournalFacts {
  const all = (type: string): Record<string, unknown>[] =>
    inspectJournal(path, { type, limit: Number.MAX_SAFE_INTEGER }).map((r) => ("event" in r ? (r.event as Record<string, unknown>) : {}));
  const intents = all("order.intent").map((e) => String(e.clientOrderId));
  const fills = all("order.filled");
  const filled = new Map<string, Dec>();
  for (const f of fills) {
    if (typeof f.clientOrderId === "string") filled.set(f.clientOrderId, add(filled.get(f.clientOrderId) ?? ZERO, dec(String(f.qty))));
  }
  return { intents, fillIds: fills.map((f) => String(f.fillId)), filled };
}

/**
 * Everything the issue asks to hold between the engine's report and the venue's record. With
 * the journal's facts, orders that left the report's window are checked against the journal.
 */
export function compare(report: RunReport, venue: SimState, journal?: JournalFacts): Comparison {
  const out: string[] = [];
  const engineOrders = new Map(report.orders.map((o) => [o.clientOrderId, o]));
  const intents = new Set(journal?.intents ?? []);
  const byLink = new Map<string, SimState["orders"]>();
  for (const o of venue.orders) {
    if (o.orderLinkId === "") out.push(`venue order ${o.orderId} has no orderLinkId`);
    if (!engineOrders.has(o.orderLinkId) && !intents.has(o.orderLinkId)) out.push(`venue order ${o.orderId} (${o.orderLinkId}) belongs to no engine intent`);
    byLink.set(o.orderLinkId, [...(byLink.get(o.orderLinkId) ?? []), o]);
  }
  for (const [link, list] of byLink) if (list.length > 1) out.push(`orderLinkId ${link} has ${list.length} venue orders`);
  const executed = new Map<string, Dec>();
  for (const e of venue.executions) executed.set(e.orderLinkId, add(executed.get(e.orderLinkId) ?? ZERO, dec(e.execQty)));
  for (const o of report.orders) {
    const venueQty = executed.get(o.clientOrderId) ?? ZERO;
    if (dec(o.filledQty) !== venueQty) out.push(`${o.clientOrderId}: engine filled ${o.filledQty}, venue executions ${format(venueQty)}`);
    const v = byLink.get(o.clientOrderId)?.[0];
    const engineWorking = WORKING.has(o.status);
    if (v === undefined) {
      if (o.status !== "REJECTED" && !(o.status === "CANCELLED" && dec(o.filledQty) === ZERO)) out.push(`${o.clientOrderId}: engine says ${o.status}, the venue never had it`);
    } else if (engineWorking !== VENUE_OPEN.has(v.orderStatus)) {
      out.push(`${o.clientOrderId}: engine says ${o.status}, venue says ${v.orderStatus}`);
    } else if (o.status === "REJECTED") {
      out.push(`${o.clientOrderId}: engine says REJECTED, venue has it (${v.orderStatus})`);
    }
  }
  for (const [link, list] of byLink) {
    // Left the report's window: terminal in the engine, so it must not be open at the venue.
    if (engineOrders.has(link) || !intents.has(link)) continue;
    const venueQty = executed.get(link) ?? ZERO;
    const journaled = journal?.filled.get(link) ?? ZERO;
    if (journaled !== venueQty) out.push(`${link}: engine filled ${format(journaled)}, venue executions ${format(venueQty)}`);
    if (VENUE_OPEN.has(list[0]!.orderStatus)) out.push(`${link}: ended in the engine, venue says ${list[0]!.orderStatus}`);
  }
  const engineQty = new Map(report.positions.map((p) => [p.symbol, dec(p.qty)]));
  for (const p of venue.positions) {
    const venueQty = p.side === "Sell" ? neg(dec(p.size)) : p.side === "Buy" ? dec(p.size) : ZERO;
    const mine = engineQty.get(p.symbol) ?? ZERO;
    if (mine !== venueQty) out.push(`${p.symbol}: engine position ${format(mine)}, venue ${format(venueQty)}`);
  }
  if (venue.wallet !== undefined && report.cash !== undefined && dec(report.cash) !== dec(venue.wallet.walletBalance)) {
    out.push(`cash: engine ${report.cash}, venue wallet ${venue.wallet.walletBalance}`);
  }
  return { divergences: out, ordersExamined: report.orders.length, venueOrders: venue.orders.length, executions: venue.executions.length };
}

/** The soak's per-schedule figures: what was traded, and each way engine and venue could disagree. */
export interface SoakFacts {
  readonly orders: number;
  readonly venueOrders: number;
  readonly fills: number;
  readonly executions: number;
  /** Venue orders no engine intent explains, or open at the venue while ended in the engine. */
  readonly orphans: number;
  /** orderLinkIds with more than one venue order, plus client order ids with more than one intent. */
  readonly duplicates: number;
  /** Venue executions the journal does not hold. */
  readonly lostFills: number;
  /** Fill ids journaled more than once, plus orders the engine filled beyond the venue's executions. */
  readonly doubleFills: number;
  readonly positionsEqual: boolean;
  readonly divergences: number;
  readonly killSwitch: RunReport["risk"]["killSwitch"];
}

export function soakFacts(report: RunReport, venue: SimState, journal: JournalFacts, divergences: number): SoakFacts {
  const intents = new Set(journal.intents);
  const ended = new Map(report.orders.map((o) => [o.clientOrderId, !WORKING.has(o.status)]));
  let orphans = 0;
  const perLink = new Map<string, number>();
  for (const o of venue.orders) {
    perLink.set(o.orderLinkId, (perLink.get(o.orderLinkId) ?? 0) + 1);
    const known = intents.has(o.orderLinkId) || ended.has(o.orderLinkId);
    // An order that left the report's window has ended in the engine.
    if (!known || (VENUE_OPEN.has(o.orderStatus) && (ended.get(o.orderLinkId) ?? true))) orphans++;
  }
  const duplicates = [...perLink.values()].filter((n) => n > 1).length + (journal.intents.length - intents.size);
  const journaled = new Set(journal.fillIds);
  const lostFills = venue.executions.filter((e) => !journaled.has(e.execId)).length;
  const executed = new Map<string, Dec>();
  for (const e of venue.executions) executed.set(e.orderLinkId, add(executed.get(e.orderLinkId) ?? ZERO, dec(e.execQty)));
  let overfilled = 0;
  for (const [id, qty] of journal.filled) if (qty > (executed.get(id) ?? ZERO)) overfilled++;
  const engineQty = new Map(report.positions.map((p) => [p.symbol, dec(p.qty)]));
  const positionsEqual = venue.positions.every((p) => {
    const venueQty = p.side === "Sell" ? neg(dec(p.size)) : p.side === "Buy" ? dec(p.size) : ZERO;
    return (engineQty.get(p.symbol) ?? ZERO) === venueQty;
  });
  return {
    orders: journal.intents.length,
    venueOrders: venue.orders.length,
    fills: journal.fillIds.length,
    executions: venue.executions.length,
    orphans,
    duplicates,
    lostFills,
    doubleFills: journal.fillIds.length - journaled.size + overfilled,
    positionsEqual,
    divergences,
    killSwitch: report.risk.killSwitch,
  };
}

// ------------------------------------------------------------------ random fault schedules

/** A small seeded PRNG (mulberry32): a failing schedule is replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Step {
  readonly faults: Record<string, unknown>;
  readonly ms: number;
}

export interface Schedule {
  readonly seed: number;
  readonly steps: readonly Step[];
  /** Kill the engine with SIGKILL this long after the schedule starts (then restart it). */
  readonly killAtMs: number | undefined;
}

const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Schedule `seed` of `venue`: its steps draw from the venue's faults (venues.ts). */
export function makeSchedule(seed: number, venue: ChaosVenue = BYBIT): Schedule {
  const FAULTS = venue.faults;
  const r = rng(seed);
  const steps: Step[] = [];
  const n = int(r, 2, 3);
  for (let i = 0; i < n; i++) {
    const faults: Record<string, unknown> = {};
    const k = int(r, 1, 3);
    for (let j = 0; j < k; j++) Object.assign(faults, FAULTS[int(r, 0, FAULTS.length - 1)]!(r));
    steps.push({ faults, ms: int(r, venue.stepMs[0], venue.stepMs[1]) });
  }
  const total = steps.reduce((s, x) => s + x.ms, 0);
  const killAtMs = r() < 0.3 ? int(r, 200, total - 100) : undefined;
  return { seed, steps, killAtMs };
}

export interface ScheduleResult extends Comparison {
  readonly seed: number;
  readonly schedule: Schedule;
  readonly kills: number;
  readonly elapsedMs: number;
  /** Where the time went: reset + engine start, fault steps, settle, stop. */
  readonly phases: { readonly startMs: number; readonly stepsMs: number; readonly settleMs: number; readonly stopMs: number };
  readonly engineOutput: string;
  readonly soak: SoakFacts;
}

/**
 * One schedule on a (shared) simulator: reset, start the engine on a fresh journal, play the
 * fault steps (killing and restarting the engine once if the schedule says so), clear the
 * faults, let it settle, stop it cleanly and compare its report with the venue.
 */
export async function runSchedule(sim: SimProcess, schedule: Schedule, dir: string, settleMs = 1_200): Promise<ScheduleResult> {
  const started = Date.now();
  await sim.reset(schedule.seed);
  const journal = join(dir, `chaos-${schedule.seed}.db`);
  const report = join(dir, `chaos-${schedule.seed}.json`);
  let engine = await startEngine(sim, { journal, report });
  const startMs = Date.now() - started;
  let output = "";
  let kills = 0;
  const t0 = Date.now();
  let killed = schedule.killAtMs === undefined;
  try {
    // The faults must meet trading: wait for the engine's first order at the venue, not for time.
    await waitForVenueOrder(sim, engine);
    for (const step of schedule.steps) {
      await sim.faults(step.faults);
      const stepEnd = Date.now() + step.ms;
      while (Date.now() < stepEnd) {
        if (!killed && Date.now() - t0 >= schedule.killAtMs!) {
          killed = true;
          await engine.kill();
          kills++;
          output += engine.output();
          engine = await startEngine(sim, { journal, report });
        }
        await sleep(Math.min(50, Math.max(1, stepEnd - Date.now())));
      }
    }
  } catch (e) {
    // A schedule cut short leaves no engine trading on the shared simulator.
    await engine.kill();
    await sim.faults({});
    throw e;
  }
  await sim.faults({});
  const stepsMs = Date.now() - t0;
  await sleep(settleMs);
  const stopAt = Date.now();
  let final: RunReport;
  try {
    final = await engine.stop();
  } finally {
    output += engine.output();
  }
  const stopMs = Date.now() - stopAt;
  const venue = await sim.state();
  const facts = journalFacts(journal);
  const comparison = compare(final, venue, facts);
  return {
    ...comparison,
    seed: schedule.seed,
    schedule,
    kills,
    elapsedMs: Date.now() - started,
    phases: { startMs, stepsMs, settleMs, stopMs },
    engineOutput: output,
    soak: soakFacts(final, venue, facts, comparison.divergences.length),
  };
}
