/**
 * Entry point of the Binance USD-M simulator.
 *
 *   hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET [--balance N] [fault flags]
 *   node src/simulator/binance/main.ts --port PORT --seed SEED ...   (the same, standalone)
 */
import { HeanError } from "../../core/errors.ts";
import { parseSimCliArgs } from "../shared/cli-args.ts";
import { runIfMain, runUntilSignal } from "../shared/sim-base.ts";
import { startBinanceSimulator } from "./server.ts";

export { startBinanceSimulator } from "./server.ts";
export type { BinanceSimulator, BinanceSimulatorOptions } from "./server.ts";

export const USAGE =
  "usage: hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET " +
  "[--balance USDT] [--host 127.0.0.1] [--latency-ms N] [--jitter-ms N] [--accept-then-timeout N] [--http5xx N] " +
  "[--http429 N] [--drop-private-ws-every-ms N] [--stale-public-ms N] [--duplicate-private N] [--reorder-private N] " +
  "[--book-gaps N] [--faults JSON] [--hedge-mode true|false]";

export async function runBinanceSimCli(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // --hedge-mode is Binance's own; the rest are every simulator's.
  const at = argv.findIndex((a) => a === "--hedge-mode" || a.startsWith("--hedge-mode="));
  let hedgeMode = false;
  let rest = argv;
  if (at >= 0) {
    const inline = argv[at]!.includes("=");
    const value = inline ? argv[at]!.slice("--hedge-mode=".length) : argv[at + 1];
    if (value !== "true" && value !== "false") throw new HeanError("CLI_USAGE", `--hedge-mode needs true or false, got ${JSON.stringify(value)}\n${USAGE}`, {});
    hedgeMode = value === "true";
    rest = [...argv.slice(0, at), ...argv.slice(at + (inline ? 1 : 2))];
  }
  const options = parseSimCliArgs(rest, USAGE);
  const sim = await startBinanceSimulator({ ...options, hedgeMode });
  process.stdout.write(`binance simulator listening: rest ${sim.url}/fapi  streams ${sim.wsUrl}/ws  ${sim.wsUrl}/stream\n`);
  return runUntilSignal("binance", () => sim.close());
}

runIfMain(import.meta.url, runBinanceSimCli);
