/**
 * Seeded random fault schedules for one venue (see harness.ts): `count` per CI run over `lanes`
 * lanes, each lane with its own `hean sim <venue>` process reset between schedules and a fresh
 * engine process per schedule (killed with SIGKILL and restarted mid-schedule in about a third
 * of them). Every schedule must end with the engine's report equal to the venue's record: no
 * orphan or duplicate venue order, no lost or double fill, equal positions and cash. A failure
 * names the seed: `npm run chaos -- --venue <venue> --seed S --schedules 1` replays it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type ScheduleResult, makeSchedule, runSchedule, startSim } from "./harness.ts";
import type { ChaosVenue } from "./venues.ts";

export interface ScheduleRun {
  readonly count: number;
  readonly firstSeed: number;
  readonly lanes: number;
  /** Quiet time after the faults are cleared, before the engine is stopped. */
  readonly settleMs?: number;
}

export function seededSchedules(venue: ChaosVenue, run: ScheduleRun): void {
  const { count, firstSeed, lanes } = run;
  const dir = mkdtempSync(join(tmpdir(), `hean-chaos-ci-${venue.name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test(`${venue.name}: ${count} seeded random fault schedules: zero divergences between engine and venue`, { timeout: 20 * 60_000 }, async () => {
    const results: ScheduleResult[] = [];
    /** Schedules that could not be played to the end (an engine that would not start): named, and the others still run. */
    const broken: { seed: number; error: string }[] = [];
    let next = 0;
    const lane = async (id: number): Promise<void> => {
      const sim = await startSim(firstSeed + id, venue);
      try {
        for (;;) {
          const i = next++;
          if (i >= count) return;
          try {
            results.push(await runSchedule(sim, makeSchedule(firstSeed + i, venue), dir, run.settleMs));
          } catch (e) {
            broken.push({ seed: firstSeed + i, error: (e as Error).message.slice(0, 2_000) });
          }
        }
      } finally {
        await sim.close();
      }
    };
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
    const s = (r: ScheduleResult) => r.soak;
    const diverged = results.filter((r) => r.divergences.length > 0 || s(r).orphans + s(r).duplicates + s(r).lostFills + s(r).doubleFills > 0 || !s(r).positionsEqual);
    const summary = `${results.length} schedules, ${results.reduce((n, r) => n + r.ordersExamined, 0)} orders examined, ${results.reduce((n, r) => n + r.kills, 0)} SIGKILLs`;
    // Both lists at once: a failure names every failing seed, whichever way it failed.
    assert.deepEqual(
      {
        broken,
        diverged: diverged.map((r) => ({ seed: r.seed, faults: r.schedule.steps.map((x) => x.faults), killAtMs: r.schedule.killAtMs, divergences: r.divergences, soak: r.soak })),
      },
      { broken: [], diverged: [] },
      summary,
    );
    assert.equal(results.length, count);
    // Each schedule starts its faults only once the engine has an order at the venue.
    assert.ok(results.every((r) => r.ordersExamined >= 1), `every schedule traded: ${summary}`);
    assert.ok(results.some((r) => r.kills > 0), "some schedules killed the engine");
  });
}
