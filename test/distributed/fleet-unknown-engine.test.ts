/**
 * A command to an engine id this Redis has never registered (a typo) is refused, by `hean ctl`
 * and by the fleet API, on a redis-server of the test's own, and nothing is put on any command
 * stream: it is not "queued" for an engine that will never read it while the one meant trades on.
 * An engine registered and down still gets its command queued.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fleetCommand } from "../../src/cli/fleet-command.ts";
import { ctlCommand } from "../../src/cli/fleet-commands.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { Secret } from "../../src/core/secrets.ts";
import { keys } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing();

describe("commands to an unknown engine", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  const abort = new AbortController();
  let url = "";
  let tokenBefore: string | undefined;

  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
    // A registered engine that is down: commands to it are queued, as documented.
    await link.send(["ZADD", keys.registry, 1, "alpha-1"]);
    tokenBefore = process.env.HEAN_API_TOKEN;
    delete process.env.HEAN_API_TOKEN;
    url = await new Promise<string>((resolve) => {
      void fleetCommand(["--port", "0", "--redis-url", redis.url], abort.signal, resolve);
    });
  });
  after(async () => {
    abort.abort();
    if (tokenBefore !== undefined) process.env.HEAN_API_TOKEN = tokenBefore;
    await link.close();
    await redis.stop();
  });

  const streamLength = async (engineId: string): Promise<number> => Number(await link.send(["XLEN", keys.commands(engineId)]));

  it("hean ctl refuses an engine id nobody registered, naming the one it may be a typo of, and sends nothing", async () => {
    const lines: string[] = [];
    await assert.rejects(
      ctlCommand(["--redis-url", redis.url, "--engine", "alpha-l", "stop"], (l) => lines.push(l)),
      (e: unknown) => isHeanError(e, "CLI_USAGE") && /no engine "alpha-l" registered/.test(e.message) && /did you mean "alpha-1"/.test(e.message) && /nothing was sent/.test(e.message),
    );
    assert.deepEqual(lines, []);
    assert.equal(await streamLength("alpha-l"), 0);
    // The registered engine that is down still gets it queued.
    const queued: string[] = [];
    assert.equal(await ctlCommand(["--redis-url", redis.url, "--engine", "alpha-1", "stop", "--timeout", "1"], (l) => queued.push(l)), 0);
    assert.match(queued.join("\n"), /^alpha-1: queued \(engine down\)/);
    assert.equal(await streamLength("alpha-1"), 1);
  });

  it("the fleet API refuses an engine id nobody registered (404) and sends nothing", async () => {
    const res = await fetch(`${url}/api/fleet/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "stop", engine: "alpha-2" }) });
    const out = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, 404, JSON.stringify(out));
    assert.equal(out.error.code, "NOT_FOUND");
    assert.match(out.error.message, /no engine "alpha-2" registered.*did you mean "alpha-1"/);
    assert.equal(await streamLength("alpha-2"), 0);
  });
});
