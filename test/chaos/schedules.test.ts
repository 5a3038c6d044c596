/**
 * Seeded random fault schedules (see harness.ts): at least 50 per CI run, two lanes, each lane
 * with its own `hean sim bybit` process reset between schedules and a fresh engine process per
 * schedule (killed with SIGKILL and restarted mid-schedule in about a third of them). Every
 * schedule must end with the engine's report equal to the venue's record. A failure names the
 * seed: `npm run chaos -- --seed S --schedules 1` replays it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type ScheduleResult, makeSchedule, runSchedule, startSim } from "./harness.ts";

const COUNT = Number(process.env.HEAN_CHAOS_SCHEDULES ?? 50);
const FIRST_SEED = Number(process.env.HEAN_CHAOS_SEED ?? 5000);
const LANES = 2;
const dir = mkdtempSync(join(tmpdir(), "hean-chaos-ci-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`${COUNT} seeded random fault schedules: zero divergences between engine and venue`, { timeout: 20 * 60_000 }, async () => {
  const results: ScheduleResult[] = [];
  let next = 0;
  const lane = async (id: number): Promise<void> => {
    const sim = await startSim(FIRST_SEED + id);
    try {
      for (;;) {
        const i = next++;
        if (i >= COUNT) return;
        results.push(await runSchedule(sim, makeSchedule(FIRST_SEED + i), dir));
      }
    } finally {
      await sim.close();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
  const s = (r: ScheduleResult) => r.soak;
  const diverged = results.filter((r) => r.divergences.length > 0 || s(r).orphans + s(r).duplicates + s(r).lostFills + s(r).doubleFills > 0 || !s(r).positionsEqual);
  const summary = `${results.length} schedules, ${results.reduce((n, r) => n + r.ordersExamined, 0)} orders examined, ${results.reduce((n, r) => n + r.kills, 0)} SIGKILLs`;
  assert.equal(results.length, COUNT);
  assert.deepEqual(
    diverged.map((r) => ({ seed: r.seed, faults: r.schedule.steps.map((x) => x.faults), killAtMs: r.schedule.killAtMs, divergences: r.divergences, soak: r.soak })),
    [],
    summary,
  );
  // Each schedule starts its faults only once the engine has an order at the venue.
  assert.ok(results.every((r) => r.ordersExamined >= 1), `every schedule traded: ${summary}`);
  assert.ok(results.some((r) => r.kills > 0), "some schedules killed the engine");
});
