/**
 * `npm run chaos [-- --schedules N --seed S --lanes L]`: seeded random fault schedules against
 * `hean sim bybit`, each with the engine in its own process (see test/chaos/harness.ts). Prints
 * every divergence with the seed that reproduces it, and a summary: schedules, divergences
 * (target 0) and orders examined. Exits 1 when anything diverged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ScheduleResult, makeSchedule, runSchedule, startSim } from "../test/chaos/harness.ts";

const { values } = parseArgs({
  options: {
    schedules: { type: "string", default: "200" },
    seed: { type: "string", default: "1000" },
    lanes: { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
});
const count = Number(values.schedules);
const firstSeed = Number(values.seed);
const lanes = Math.max(1, Math.min(8, Number(values.lanes)));
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(firstSeed) || firstSeed < 0) {
  process.stderr.write("usage: npm run chaos -- [--schedules N] [--seed S] [--lanes L]\n");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "hean-chaos-"));
const results: ScheduleResult[] = [];
let next = 0;
const started = Date.now();

async function lane(id: number): Promise<void> {
  const sim = await startSim(firstSeed + id);
  try {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const schedule = makeSchedule(firstSeed + i);
      let r: ScheduleResult;
      try {
        r = await runSchedule(sim, schedule, dir);
      } catch (e) {
        r = { seed: schedule.seed, schedule, kills: 0, elapsedMs: 0, phases: { startMs: 0, stepsMs: 0, settleMs: 0, stopMs: 0 }, engineOutput: "", divergences: [`harness error: ${(e as Error).message.slice(0, 500)}`], ordersExamined: 0, venueOrders: 0, executions: 0 };
      }
      results.push(r);
      const mark = r.divergences.length === 0 ? "ok " : "DIVERGED";
      process.stdout.write(
        `${mark} seed ${r.seed}: ${r.ordersExamined} orders, ${r.executions} executions, ${r.kills} kill(s), ${r.elapsedMs} ms (start ${r.phases.startMs}, stop ${r.phases.stopMs})  ${JSON.stringify(r.schedule.steps.map((s) => s.faults))}\n`,
      );
      for (const d of r.divergences) process.stdout.write(`    ${d}\n`);
    }
  } finally {
    await sim.close();
  }
}

await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
const divergences = results.reduce((n, r) => n + r.divergences.length, 0);
const orders = results.reduce((n, r) => n + r.ordersExamined, 0);
const diverged = results.filter((r) => r.divergences.length > 0).map((r) => r.seed);
process.stdout.write(
  `\nchaos: ${results.length} schedules, ${divergences} divergences${diverged.length > 0 ? ` (seeds ${diverged.join(", ")})` : ""}, ${orders} orders examined, ` +
    `${results.reduce((n, r) => n + r.kills, 0)} SIGKILLs, ${Math.round((Date.now() - started) / 1000)} s\n`,
);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
process.exit(divergences === 0 ? 0 : 1);
