/**
 * An engine whose Redis does not answer from the start (nobody listening, a refused password) is
 * in a Redis outage as much as one whose Redis went away later: it raises REDIS_DOWN, with the
 * reason and never the URL's password, and `hean ctl` says why it could not connect. Before, only
 * a link that had been up could go "down": such an engine logged 'distributed mode: … on Redis'
 * and then nothing at all, and ctl said Redis 'did not answer' when it had refused the password.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ctlCommand } from "../../src/cli/fleet-commands.ts";
import { DEFAULT_REDIS_CONFIG } from "../../src/config/redis-config.ts";
import type { AlertEvent } from "../../src/core/events.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { Secret } from "../../src/core/secrets.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startDistributed } from "../../src/runtime/distributed.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { startTestRuntime, tempJournal } from "../runtime/helpers.ts";
import { freePort, redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing();
const PASSWORD = "redis-pw-never-logged-0123";

/** Starts an engine in distributed mode on `url` and resolves with its first REDIS_DOWN alert. */
async function firstRedisDown(url: string, engineId: string): Promise<AlertEvent> {
  const j = tempJournal();
  const t = await startTestRuntime({ journalPath: j.path, overrides: ["strategy.name=none"] });
  const view = new RuntimeView(t.rt);
  const down = new Promise<AlertEvent>((resolve) => view.onAlert((a) => a.code === "REDIS_DOWN" && resolve(a)));
  const d = startDistributed(t.rt, view, createLogger({ level: "silent" }), { url: new Secret(url), config: { ...DEFAULT_REDIS_CONFIG, engineId } });
  try {
    const alert = await down;
    assert.equal(d.up(), false);
    return alert;
  } finally {
    await d.close();
    await t.stop();
    j.cleanup();
  }
}

describe("a Redis that never answers", { skip }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await TestRedis.start();
    const link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
    await link.send(["CONFIG", "SET", "requirepass", PASSWORD]);
    await link.close();
  });
  after(async () => {
    await redis.stop();
  });

  it("nobody listening at start: REDIS_DOWN with the reason", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const alert = await firstRedisDown(`redis://127.0.0.1:${port}`, "unreachable-1");
    assert.equal(alert.severity, "warning");
    assert.match(alert.message, /Redis cannot be reached \(.*ECONNREFUSED.*\): trading goes on/);
  });

  it("a refused password: REDIS_DOWN naming the refusal, not the password", { timeout: 60_000 }, async () => {
    const alert = await firstRedisDown(`redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`, "wrongpass-1");
    assert.match(alert.message, /WRONGPASS/);
    assert.doesNotMatch(JSON.stringify(alert), new RegExp(PASSWORD));
  });

  it("hean ctl says Redis refused the password rather than that it did not answer", { timeout: 60_000 }, async () => {
    await assert.rejects(
      ctlCommand(["--redis-url", `redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`, "status"], () => undefined),
      (e) => isHeanError(e, "REDIS_UNAVAILABLE") && /WRONGPASS/.test(e.message) && !e.message.includes(PASSWORD),
    );
  });
});
