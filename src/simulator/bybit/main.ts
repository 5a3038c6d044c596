/**
 * Entry point of the Bybit V5 simulator.
 *
 *   hean sim bybit --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET [--balance N] [fault flags]
 *   node src/simulator/bybit/main.ts --port PORT --seed SEED ...   (the same, standalone)
 *
 * `startBybitSimulator(options)` starts one in-process (port 0 picks a free port);
 * `runBybitSimCli(argv)` runs one until SIGINT/SIGTERM and resolves with the exit code.
 */
import { parseSimCliArgs, USAGE } from "./cli-args.ts";
import { runIfMain, runUntilSignal } from "../shared/sim-base.ts";
import { startBybitSimulator } from "./server.ts";

export { startBybitSimulator } from "./server.ts";
export type { BybitSimulator, BybitSimulatorOptions, SimAccountOptions } from "./server.ts";
export type { FaultSpec } from "../shared/faults.ts";
export { parseFaults, NO_FAULTS } from "../shared/faults.ts";

export async function runBybitSimCli(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parseSimCliArgs(argv);
  const sim = await startBybitSimulator({
    host: options.host,
    port: options.port,
    seed: options.seed,
    scenario: options.scenario,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    startingBalance: options.startingBalance,
    faults: options.faults,
  });
  process.stdout.write(
    `bybit simulator listening: rest ${sim.url}  public ${sim.wsPublicUrl}  private ${sim.wsPrivateUrl}  trade ${sim.wsTradeUrl}\n`,
  );
  return runUntilSignal("bybit", () => sim.close());
}

runIfMain(import.meta.url, runBybitSimCli);
