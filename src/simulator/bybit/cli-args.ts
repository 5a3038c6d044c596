/**
 * `hean sim bybit` arguments: the shared simulator flags (src/simulator/shared/cli-args.ts)
 * with Bybit's usage line.
 */
import { parseSimCliArgs as parseShared, type SimCliOptions } from "../shared/cli-args.ts";

export type { SimCliOptions } from "../shared/cli-args.ts";

export const USAGE =
  "usage: hean sim bybit --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET " +
  "[--balance USDT] [--host 127.0.0.1] [--latency-ms N] [--jitter-ms N] [--accept-then-timeout N] [--http5xx N] " +
  "[--http429 N] [--drop-private-ws-every-ms N] [--stale-public-ms N] [--duplicate-private N] [--reorder-private N] " +
  "[--book-gaps N] [--faults JSON]";

export const parseSimCliArgs = (argv: readonly string[]): SimCliOptions => parseShared(argv, USAGE);
