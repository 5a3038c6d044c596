/**
 * The issue's fault scenarios for one venue, each with the engine in its own process
 * (`hean run --venue <venue> --mode live`, churn strategy) against `hean sim <venue>` in another,
 * compared at the end with the venue's own record:
 * - creations booked but unanswered, private stream cut every ~second, 5xx bursts;
 * - a 429 storm: the limiter backs off, the breaker opens, the engine alerts and adds no
 *   exposure, then it recovers by itself;
 * - an order-book sequence gap: resynced and flagged;
 * - a silent public stream while holding positions: the kill switch flattens;
 * - SIGKILL at random moments and restarts on the same journal: positions equal the venue's, no
 *   duplicate orders, no lost fills;
 * - and the venue's own (`extra`): for Binance, listen-key expiry and 418 bans.
 * scenarios.test.ts runs it for Bybit, binance-scenarios.test.ts for Binance.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { inspectJournal } from "../../src/journal/tools.ts";
import { API_SECRET, type EngineOptions, type EngineProcess, type SimProcess, compare, rng, sleep, startEngine as spawnEngine, startSim } from "./harness.ts";
import type { ChaosVenue } from "./venues.ts";

/** What a venue's own scenarios get: the shared simulator and the helpers every scenario uses. */
export interface ScenarioKit {
  sim(): SimProcess;
  readonly dir: string;
  startEngine(s: SimProcess, o: EngineOptions): Promise<EngineProcess>;
  until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, engine?: EngineProcess): Promise<T>;
  journalFacts(path: string): { types: Map<string, number>; fillIds: string[]; intents: string[] };
}

export function faultScenarios(venue: ChaosVenue, extra?: (kit: ScenarioKit) => void): void {
  let sim: SimProcess;
  const dir = mkdtempSync(join(tmpdir(), `hean-chaos-scenarios-${venue.name}-`));
  before(async () => {
    sim = await startSim(7, venue);
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Engines of the running test: one a failed test left trading would pollute every later one. */
  const running: EngineProcess[] = [];
  afterEach(async () => {
    for (const e of running.splice(0)) await e.kill();
  });
  async function startEngine(s: SimProcess, o: EngineOptions): Promise<EngineProcess> {
    const e = await spawnEngine(s, o);
    running.push(e);
    return e;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, engine?: EngineProcess): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${engine === undefined ? "" : `\n${engine.output().slice(-3000)}`}`);
      await sleep(100);
    }
  }

  /** Resolves (true) once the simulator has used up the named one-shot fault. */
  async function armed(counter: "acceptThenTimeout" | "http5xx"): Promise<true | undefined> {
    const { faults } = (await sim.control("GET", "/__sim/faults")) as { faults: Record<string, number> };
    return faults[counter] === 0 ? true : undefined;
  }

  function journalFacts(path: string): { types: Map<string, number>; fillIds: string[]; intents: string[] } {
    const j = SqliteJournal.open(path, { writer: "inline" });
    const types = new Map<string, number>();
    const fillIds: string[] = [];
    const intents: string[] = [];
    try {
      for (const { event: e } of j.read()) {
        types.set(e.type, (types.get(e.type) ?? 0) + 1);
        if (e.type === "order.filled") fillIds.push(e.fillId);
        if (e.type === "order.intent") intents.push(e.clientOrderId);
      }
    } finally {
      j.close();
    }
    return { types, fillIds, intents };
  }

  describe(`${venue.name}: fault scenarios, engine and simulator in separate processes`, () => {
    test("creations booked but unanswered, the private stream cut every second, 5xx bursts: the venue and the engine agree", async () => {
      await sim.reset(101);
      const journal = join(dir, "unanswered.db");
      const engine = await startEngine(sim, { journal, report: join(dir, "unanswered.json") });
      // The stream's news comes late, so booked-but-unanswered creates must be settled by query.
      // Each fault is a budget the engine's own traffic uses up: wait for that, however slow the
      // machine. The stream stays up meanwhile: with it cut, no new entry may go (the engine
      // would be blind to its fills), so the creates would never come. The news lags the
      // engine's 1 s request timeout by 6 s (under its 10 s pong timeout): an engine thread
      // stalled by a loaded machine still gives up on the request before the stream says
      // anything, so the outcome is UNKNOWN and settled by query, as this scenario means it to be
      // (a lag of 3 s was once overtaken in CI while two full test runs loaded the host to ~9).
      await sim.faults({ acceptThenTimeout: 3, latencyMs: { private: 7_000 } });
      await until("three creates booked but unanswered", () => armed("acceptThenTimeout"), 60_000, engine);
      await sim.faults({ http5xx: 4, latencyMs: { private: 1_500 }, dropPrivateWsEveryMs: 800 });
      await until("four 5xx answers", () => armed("http5xx"), 60_000, engine);
      await sim.faults({});
      await sleep(1_500);
      const report = await engine.stop();
      const result = compare(report, await sim.state());
      assert.deepEqual(result.divergences, [], engine.output().slice(-3000));
      const facts = journalFacts(journal);
      assert.ok((facts.types.get("order.unknown") ?? 0) >= 1, `UNKNOWN outcomes were exercised: ${JSON.stringify([...facts.types])}`);
      assert.equal(new Set(facts.fillIds).size, facts.fillIds.length, "no fill journaled twice");
      assert.ok(result.ordersExamined >= 3, `traded: ${result.ordersExamined} orders (at least the three booked creates)`);
      assert.ok(!engine.output().includes(API_SECRET), "the secret never reaches the logs");
    });

    test("a 429 storm: back off, breaker open, alerts, no new exposure while open, then recovery by itself", async () => {
      await sim.reset(102);
      const journal = join(dir, "storm.db");
      const engine = await startEngine(sim, { journal, report: join(dir, "storm.json"), tuning: { breakerMaxOpenMs: 1_000 } });
      await sleep(1_500);
      await sim.faults(venue.storm429);
      const opened = await until("the breaker to open", () => engine.alerts().find((a) => a.code === "VENUE_CIRCUIT_OPEN"), 120_000, engine);
      const closed = await until("the breaker to close by itself", () => engine.alerts().find((a) => a.code === "VENUE_CIRCUIT_CLOSED" && a.time >= opened.time), 120_000, engine);
      await sim.faults({});
      await until("an order after the breaker closed", async () => ((await sim.state()).orders.some((o) => o.receivedAt > closed.time) ? true : undefined), 60_000, engine);
      const report = await engine.stop();
      const record = await sim.state();
      const alerts = engine.alerts().map((a) => a.code);
      assert.ok(alerts.includes("VENUE_RATE_LIMITED"), "the limiter backed off, and said so");
      // Judged by when the engine decided (its intents, on its own clock), not by when an order in
      // flight happened to land: a busy machine delays the second, never the first.
      const added = inspectJournal(journal, { type: "order.intent", limit: Number.MAX_SAFE_INTEGER })
        .map((r) => ("event" in r ? (r.event as { ts: number; reduceOnly: boolean; clientOrderId: string }) : undefined))
        .filter((e) => e !== undefined && !e.reduceOnly && e.ts > opened.time && e.ts < closed.time);
      assert.deepEqual(added, [], "no new exposure while the breaker was open");
      assert.ok(record.orders.some((o) => o.receivedAt > closed.time), "trading resumed by itself");
      assert.equal(report.risk.killSwitch.active, false);
      assert.deepEqual(compare(report, record).divergences, []);
    });

    test("an order-book sequence gap: the book resyncs and the gap is flagged", async () => {
      await sim.reset(103);
      const engine = await startEngine(sim, { journal: join(dir, "gap.db"), report: join(dir, "gap.json") });
      await sleep(800);
      await sim.faults({ bookGaps: 2 });
      await until("resyncs of both books", () => {
        const symbols = new Set(engine.output().split("\n").filter((l) => l.includes('"code":"BOOK_RESYNC"')).map((l) => /"symbol":"(\w+)"/.exec(l)?.[1]));
        return symbols.has("BTCUSDT") && symbols.has("ETHUSDT") ? true : undefined;
      }, 120_000, engine);
      assert.match(engine.output(), venue.gapMessage);
      await sim.faults({});
      await sleep(1_200);
      const report = await engine.stop();
      assert.deepEqual(compare(report, await sim.state()).divergences, []);
      assert.ok(report.orders.length > 0, "it kept trading on the resynced books");
    });

    test("a silent public stream while holding positions: the kill switch flattens, verified at the venue", async () => {
      await sim.reset(104);
      const engine = await startEngine(sim, {
        journal: join(dir, "silent.db"),
        report: join(dir, "silent.json"),
        tuning: { publicIdleMs: 800 },
        args: ["--strategy", "churn", "--set", "strategy.params.intervalMs=300", "--set", "strategy.params.holdMs=600000", "--set", 'strategy.params.sides="long"', "--set", "risk.staleDataMs=2500"],
      });
      // The engine trades the default symbols; the simulator lists more (flat ones say side "").
      const traded = <P extends { symbol: string }>(positions: P[]): P[] => positions.filter((p) => p.symbol === "BTCUSDT" || p.symbol === "ETHUSDT");
      await until("positions held at the venue", async () => (traded((await sim.state()).positions).every((p) => p.side === "Buy") ? true : undefined), 120_000, engine);
      await sim.faults({ stalePublicMs: 60_000 });
      const kill = await until("the kill switch", () => engine.alerts().find((a) => a.code === "KILL_SWITCH"), 120_000, engine);
      assert.match(kill.msg, /STALE_MARKET_DATA/);
      await until("flat at the venue", async () => ((await sim.state()).positions.every((p) => dec(p.size) === 0n) ? true : undefined), 120_000, engine);
      await sleep(1_500);
      const report = await engine.stop();
      await sim.faults({});
      assert.equal(report.risk.killSwitch.active, true);
      assert.equal(report.risk.killSwitch.reason, "STALE_MARKET_DATA");
      assert.notEqual(report.risk.killSwitch.flatAt, null, "the venue confirmed flat");
      assert.ok(report.positions.every((p) => dec(p.qty) === 0n));
      assert.deepEqual(compare(report, await sim.state()).divergences, []);
    });

    test("SIGKILL at random moments, restart on the same journal: positions equal the venue's, no duplicate orders, no lost fills", async () => {
      await sim.reset(105);
      const journal = join(dir, "kills.db");
      const reportPath = join(dir, "kills.json");
      const random = rng(Number(process.env.HEAN_CHAOS_KILL_SEED ?? 4242));
      for (let round = 0; round < 4; round++) {
        const engine = await startEngine(sim, { journal, report: reportPath });
        // Faults on some rounds too: the kill may land while orders are in doubt.
        if (round % 2 === 1) await sim.faults({ acceptThenTimeout: 2, latencyMs: { private: 800 } });
        await sleep(400 + random() * 2_200);
        await engine.kill();
        await sim.faults({});
      }
      const engine = await startEngine(sim, { journal, report: reportPath });
      await sleep(1_500);
      const report = await engine.stop();
      const record = await sim.state();
      assert.deepEqual(compare(report, record).divergences, [], engine.output().slice(-3000));
      const facts = journalFacts(journal);
      assert.equal(new Set(facts.fillIds).size, facts.fillIds.length, "no fill journaled twice");
      assert.equal(new Set(facts.intents).size, facts.intents.length, "no client order id reused");
      const journaled = new Set(facts.fillIds);
      const lost = record.executions.filter((e) => !journaled.has(e.execId));
      assert.deepEqual(lost, [], "every venue execution is in the journal");
      assert.ok((facts.types.get("system.started") ?? 0) >= 5);
    });
    extra?.({ sim: () => sim, dir, startEngine, until, journalFacts });
  });
}
