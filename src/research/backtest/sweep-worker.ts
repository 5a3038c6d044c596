/**
 * One sweep worker thread: runs whole backtests one at a time as the parent hands them out.
 */
import { parentPort } from "node:worker_threads";
import { describeError } from "../../core/errors.ts";
import { loadConfig } from "../../config/config.ts";
import { runBacktest } from "./backtest.ts";
import { readFileSync } from "node:fs";
import { instrumentsFromJson } from "../record/market-recorder.ts";
import type { SweepJob, SweepJobResult } from "./sweep.ts";

parentPort?.on("message", (job: SweepJob) => {
  void (async (): Promise<SweepJobResult> => {
    try {
      const config = loadConfig({ file: job.configFile, overrides: job.overrides, cli: { ...job.cli } });
      const instruments = job.instrumentsFile === undefined ? undefined : instrumentsFromJson(JSON.parse(readFileSync(job.instrumentsFile, "utf8")));
      const { report } = await runBacktest({ files: job.files, readAs: job.readAs, config, from: job.from, to: job.to, strict: job.strict, fill: job.fill, latency: job.latency, instruments });
      // A run whose strategy broke part-way is not a result to rank.
      const broken = report.disabled[0];
      if (broken !== undefined) return { id: job.id, ok: false, error: `strategy ${broken.strategyId} disabled at ${broken.atIso}: ${broken.problem}` };
      return { id: job.id, ok: true, performance: report.performance };
    } catch (e) {
      return { id: job.id, ok: false, error: describeError(e).message };
    }
  })().then((r) => parentPort?.postMessage(r));
});
