/**
 * `hean context --venue bybit|binance --symbols A,B [--rest-url URL] [--interval S] [--once]`:
 * the built-in context producer. Every interval it asks the venue's public REST for funding
 * rate, open interest and mark price and publishes what it got on `hean:context:<symbol>`
 * (Redis from --redis-url or HEAN_REDIS_URL). A venue call that fails publishes nothing for
 * that symbol this round: engines see the fields age, never a made-up value.
 */
import { HeanError, describeError } from "../core/errors.ts";
import { publishContext } from "../distributed/context-feed.ts";
import { RedisLink } from "../distributed/redis-link.ts";
import { CONTEXT_VENUES, marketContextSource } from "../venues/market-context.ts";
import { redisUrlOf } from "./fleet-commands.ts";
import { choiceFlag, parseFlags, secondsFlag, textFlag } from "./flags.ts";

export async function contextCommand(argv: readonly string[], signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    venue: { type: "string" },
    symbols: { type: "string" },
    "rest-url": { type: "string" },
    "redis-url": { type: "string" },
    interval: { type: "string" },
    once: { type: "boolean" },
  });
  if (positionals.length > 0) throw new HeanError("CLI_USAGE", `hean context: unexpected argument ${JSON.stringify(positionals[0])}`, {});
  const venue = choiceFlag("venue", values.venue, CONTEXT_VENUES);
  if (venue === undefined) throw new HeanError("CLI_USAGE", "hean context --venue bybit|binance --symbols A,B", {});
  const symbols = (textFlag("symbols", values.symbols) ?? "BTCUSDT,ETHUSDT").split(",").map((s) => s.trim().toUpperCase());
  for (const s of symbols) if (!/^[A-Z0-9]{2,30}$/.test(s)) throw new HeanError("CLI_USAGE", `--symbols: ${JSON.stringify(s)} is not a symbol`, {});
  const source = marketContextSource(venue);
  const restUrl = textFlag("rest-url", values["rest-url"]) ?? source.defaultRestUrl;
  if (!/^https?:\/\/\S+$/.test(restUrl)) throw new HeanError("CLI_USAGE", "--rest-url must be an http(s) URL", {});
  const intervalMs = Math.max(100, secondsFlag("interval", values.interval) ?? 5_000);
  const link = await RedisLink.connect({ url: redisUrlOf(values["redis-url"]), name: `hean-context-${venue}` }, 5_000);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  signal?.addEventListener("abort", onSignal);
  let failures = 0;
  try {
    while (!stop.signal.aborted) {
      failures = 0;
      await Promise.all(
        symbols.map(async (symbol) => {
          try {
            const fields = await source.fetch(restUrl, symbol, Math.min(intervalMs, 5_000));
            if (Object.keys(fields).length > 0 && link.up) await publishContext(link, symbol, venue, fields, Date.now());
          } catch (e) {
            failures++;
            process.stderr.write(`hean context: ${symbol} on ${venue}: ${describeError(e).message}\n`);
          }
        }),
      );
      if (values.once === true) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        stop.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    return values.once === true && failures > 0 ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await link.close();
  }
}
