/**
 * `hean sim <venue>` arguments (the same for every simulated venue):
 *   --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET [--balance N]
 *   [--host H] [fault flags: --latency-ms N, --latency-rest-ms N, --latency-public-ms N,
 *   --latency-private-ms N, --jitter-ms N (and per channel), --accept-then-timeout N,
 *   --accept-then-timeout-reset-ms N, --http5xx N, --http429 N, --drop-private-ws-every-ms N,
 *   --stale-public-ms N, --duplicate-private N, --reorder-private N, --book-gaps N,
 *   --faults JSON]
 */
import { HeanError } from "../../core/errors.ts";
import { CHANNELS, parseFaults, type FaultSpec } from "./faults.ts";

export interface SimCliOptions {
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly scenario: string | undefined;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly startingBalance: string | undefined;
  readonly faults: FaultSpec | undefined;
}

const FAULT_COUNT_FLAGS: Readonly<Record<string, string>> = {
  "--accept-then-timeout": "acceptThenTimeout",
  "--accept-then-timeout-reset-ms": "acceptThenTimeoutResetMs",
  "--http5xx": "http5xx",
  "--http429": "http429",
  "--drop-private-ws-every-ms": "dropPrivateWsEveryMs",
  "--stale-public-ms": "stalePublicMs",
  "--duplicate-private": "duplicatePrivate",
  "--reorder-private": "reorderPrivate",
  "--book-gaps": "bookGaps",
};


function integer(usage: (m: string) => HeanError, flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw usage(`${flag} needs an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * Parse argv (without the `sim <venue>` words). Throws CLI_USAGE with the venue's usage line on
 * bad input.
 */
export function parseSimCliArgs(argv: readonly string[], usageLine: string): SimCliOptions {
  const usage = (message: string): HeanError => new HeanError("CLI_USAGE", `${message}\n${usageLine}`, {});
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw usage(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const [flag, value] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, argv[++i]];
    if (value === undefined) throw usage(`${flag} needs a value`);
    if (values.has(flag)) throw usage(`${flag} given twice`);
    values.set(flag, value);
  }
  const faultInput: Record<string, unknown> = {};
  const latency: Record<string, number> = {};
  const jitter: Record<string, number> = {};
  const known = new Set(["--host", "--port", "--seed", "--scenario", "--api-key", "--api-secret", "--balance", "--faults"]);
  for (const [flag, value] of values) {
    const count = FAULT_COUNT_FLAGS[flag];
    if (count !== undefined) {
      faultInput[count] = integer(usage, flag, value, 0, 1_000_000);
      continue;
    }
    const channelFlag = /^--(latency|jitter)(?:-(rest|public|private))?-ms$/.exec(flag);
    if (channelFlag !== null) {
      const target = channelFlag[1] === "latency" ? latency : jitter;
      const n = integer(usage, flag, value, 0, 600_000);
      for (const c of channelFlag[2] === undefined ? CHANNELS : [channelFlag[2]]) target[c] = n;
      continue;
    }
    if (!known.has(flag)) throw usage(`unknown flag ${flag}`);
  }
  if (values.has("--faults")) {
    let extra: unknown;
    try {
      extra = JSON.parse(values.get("--faults")!);
    } catch {
      throw usage("--faults needs a JSON object");
    }
    if (typeof extra !== "object" || extra === null || Array.isArray(extra)) throw usage("--faults needs a JSON object");
    Object.assign(faultInput, extra);
  }
  if (Object.keys(latency).length > 0) faultInput["latencyMs"] = latency;
  if (Object.keys(jitter).length > 0) faultInput["jitterMs"] = jitter;
  let faults: FaultSpec | undefined;
  if (Object.keys(faultInput).length > 0) {
    const parsed = parseFaults(faultInput);
    if (!parsed.ok) throw usage(parsed.error);
    faults = parsed.spec;
  }
  const apiKey = values.get("--api-key");
  const apiSecret = values.get("--api-secret");
  if (apiKey === undefined || apiKey === "") throw usage("--api-key is required");
  if (apiSecret === undefined || apiSecret === "") throw usage("--api-secret is required");
  const balance = values.get("--balance");
  if (balance !== undefined && !/^\d+(\.\d+)?$/.test(balance)) throw usage(`--balance needs a decimal, got ${JSON.stringify(balance)}`);
  if (!values.has("--port")) throw usage("--port is required");
  if (!values.has("--seed")) throw usage("--seed is required");
  return {
    host: values.get("--host") ?? "127.0.0.1",
    port: integer(usage, "--port", values.get("--port"), 0, 65535),
    seed: integer(usage, "--seed", values.get("--seed"), 0, 2 ** 32 - 1),
    scenario: values.get("--scenario"),
    apiKey,
    apiSecret,
    startingBalance: balance,
    faults,
  };
}
