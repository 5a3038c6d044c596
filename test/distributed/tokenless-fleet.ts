/**
 * `hean fleet` on loopback without an API token, on a redis-server of the test's own, with one
 * registered engine ("alpha-1") that is down: a command that gets through to it is queued on its
 * stream, which `streamLength` reads.
 */
import { fleetCommand } from "../../src/cli/fleet-command.ts";
import { Secret } from "../../src/core/secrets.ts";
import { keys } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { TestRedis } from "./redis-server.ts";

export interface TokenlessFleet {
  readonly redis: TestRedis;
  /** The fleet server's base URL. */
  readonly url: string;
  /** Commands queued on an engine's stream. */
  streamLength(engineId: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startTokenlessFleet(): Promise<TokenlessFleet> {
  const redis = await TestRedis.start();
  const link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
  await link.send(["ZADD", keys.registry, 1, "alpha-1"]);
  const tokenBefore = process.env.HEAN_API_TOKEN;
  delete process.env.HEAN_API_TOKEN;
  const abort = new AbortController();
  const url = await new Promise<string>((resolve) => {
    void fleetCommand(["--port", "0", "--redis-url", redis.url], abort.signal, resolve);
  });
  return {
    redis,
    url,
    streamLength: async (engineId) => Number(await link.send(["XLEN", keys.commands(engineId)])),
    stop: async () => {
      abort.abort();
      if (tokenBefore !== undefined) process.env.HEAN_API_TOKEN = tokenBefore;
      await link.close();
      await redis.stop();
    },
  };
}
