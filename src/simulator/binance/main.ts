/**
 * Entry point of the Binance USD-M simulator.
 *
 *   hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET [--balance N] [fault flags]
 *   node src/simulator/binance/main.ts --port PORT --seed SEED ...   (the same, standalone)
 */
import { pathToFileURL } from "node:url";
import { describeError } from "../../core/errors.ts";
import { parseSimCliArgs } from "../shared/cli-args.ts";
import { runUntilSignal } from "../shared/sim-base.ts";
import { startBinanceSimulator } from "./server.ts";

export { startBinanceSimulator } from "./server.ts";
export type { BinanceSimulator, BinanceSimulatorOptions } from "./server.ts";

export const USAGE =
  "usage: hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET " +
  "[--balance USDT] [--host 127.0.0.1] [--latency-ms N] [--jitter-ms N] [--accept-then-timeout N] [--http5xx N] " +
  "[--http429 N] [--drop-private-ws-every-ms N] [--stale-public-ms N] [--duplicate-private N] [--reorder-private N] " +
  "[--book-gaps N] [--faults JSON]";

export async function runBinanceSimCli(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parseSimCliArgs(argv, USAGE);
  const sim = await startBinanceSimulator(options);
  process.stdout.write(`binance simulator listening: rest ${sim.url}/fapi  streams ${sim.wsUrl}/ws  ${sim.wsUrl}/stream\n`);
  return runUntilSignal("binance", () => sim.close());
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runBinanceSimCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${describeError(e).message}\n`);
      process.exit(2);
    },
  );
}
