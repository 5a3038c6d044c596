/**
 * `hean fleet [--port 8090] [--host 127.0.0.1] [--max-drawdown-pct P] [--max-gross-exposure Q]`:
 * one dashboard/API over every engine in Redis and, when a limit is given, the fleet risk
 * process (stops every engine when the fleet's drawdown or gross exposure crosses it).
 * Runs until SIGINT/SIGTERM. Redis from --redis-url or HEAN_REDIS_URL.
 */
import { HeanError, describeError } from "../core/errors.ts";
import { checkControlServerAccess } from "../control/http/server.ts";
import { readSecret } from "../core/secrets.ts";
import { FleetRisk } from "../distributed/fleet-risk.ts";
import { startFleetServer } from "../distributed/fleet-server.ts";
import { RedisLink } from "../distributed/redis-link.ts";
import { redisUrlOf } from "./fleet-commands.ts";
import { integerFlag, parseFlags, secondsFlag, textFlag } from "./flags.ts";

const DECIMAL = /^\d+(\.\d+)?$/;

function positive(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0 && n <= max)) throw new HeanError("CLI_USAGE", `--${flag} must be a number above 0 and at most ${max}, got ${JSON.stringify(text)}`, {});
  return n;
}

export async function fleetCommand(argv: readonly string[], signal?: AbortSignal, onStarted?: (url: string) => void): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    port: { type: "string" },
    host: { type: "string" },
    "redis-url": { type: "string" },
    "max-drawdown-pct": { type: "string" },
    "max-gross-exposure": { type: "string" },
    "risk-interval": { type: "string" },
    "command-timeout": { type: "string" },
  });
  if (positionals.length > 0) throw new HeanError("CLI_USAGE", `hean fleet: unexpected argument ${JSON.stringify(positionals[0])}`, {});
  const port = integerFlag("port", values.port, 0, 65_535) ?? 8090;
  const host = textFlag("host", values.host) ?? "127.0.0.1";
  const maxDrawdownPct = positive("max-drawdown-pct", values["max-drawdown-pct"], 100);
  const maxGrossExposure = positive("max-gross-exposure", values["max-gross-exposure"], 1e15);
  const riskIntervalMs = Math.max(100, secondsFlag("risk-interval", values["risk-interval"]) ?? 1_000);
  const commandTimeoutMs = secondsFlag("command-timeout", values["command-timeout"]) ?? 10_000;
  const token = readSecret("HEAN_API_TOKEN");
  checkControlServerAccess(host, token);
  const url = redisUrlOf(values["redis-url"]);
  const link = await RedisLink.connect({ url, name: "hean-fleet" }, 5_000);
  const waitLink = await RedisLink.connect({ url, name: "hean-fleet-wait" }, 5_000);
  const risk = maxDrawdownPct !== undefined || maxGrossExposure !== undefined
    ? new FleetRisk(link, { maxDrawdown: maxDrawdownPct === undefined ? undefined : maxDrawdownPct / 100, maxGrossExposure }, (line) => process.stderr.write(`hean fleet: ${line}\n`))
    : undefined;
  const server = await startFleetServer({ link, waitLink, host, port, token, risk, commandTimeoutMs });
  process.stderr.write(`hean fleet: dashboard and API on ${server.url}${risk !== undefined ? " (fleet risk on)" : ""}\n`);
  onStarted?.(server.url);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  signal?.addEventListener("abort", onSignal);
  try {
    while (!stop.signal.aborted) {
      if (risk !== undefined && link.up) {
        try {
          await risk.check();
        } catch (e) {
          process.stderr.write(`hean fleet: fleet risk check failed: ${describeError(e).message}\n`);
        }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, riskIntervalMs);
        stop.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await server.close();
    await Promise.all([link.close(), waitLink.close()]);
  }
}
