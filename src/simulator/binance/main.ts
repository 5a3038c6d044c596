/**
 * Entry point of the Binance USD-M simulator.
 *
 *   hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET [--balance N] [fault flags]
 *   node src/simulator/binance/main.ts --port PORT --seed SEED ...   (the same, standalone)
 */
import { parseSimCliArgs } from "../shared/cli-args.ts";
import { runIfMain, runUntilSignal } from "../shared/sim-base.ts";
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

runIfMain(import.meta.url, runBinanceSimCli);
