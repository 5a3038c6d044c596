/**
 * `hean fleet` on loopback, without an API token, on a redis-server of the test's own: it answers
 * only requests addressed to a loopback host, as an engine's API does. Without a token its
 * commands are open, so a web page the operator visits must not reach them (nor read the fleet)
 * by DNS rebinding.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fleetCommand } from "../../src/cli/fleet-command.ts";
import { Secret } from "../../src/core/secrets.ts";
import { keys } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { rawRequest } from "../control/http-helpers.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing();

describe("fleet server on loopback", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  const abort = new AbortController();
  let url = "";
  let tokenBefore: string | undefined;

  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
    // A registered engine that is down: a command to "all" that got through would be queued for it.
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

  it("refuses requests addressed to a foreign host on loopback (DNS rebinding), reads and commands alike", async () => {
    const read = await rawRequest(`${url}/api/fleet`, { headers: { host: "evil.example:80" } });
    assert.equal(read.status, 403, read.body);
    assert.equal(JSON.parse(read.body).error.code, "HOST_NOT_ALLOWED");
    const page = await rawRequest(`${url}/`, { headers: { host: "evil.example" } });
    assert.equal(page.status, 403);
    const body = JSON.stringify({ type: "flatten", all: true });
    const post = await rawRequest(`${url}/api/fleet/commands`, {
      method: "POST",
      headers: { host: "evil.example:80", "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      body,
    });
    assert.equal(post.status, 403, post.body);
    assert.equal(JSON.parse(post.body).error.code, "HOST_NOT_ALLOWED");
    assert.equal(await streamLength("alpha-1"), 0, "nothing was sent");
    // Addressed to the loopback host it serves as before.
    const own = await rawRequest(`${url}/api/fleet`, { headers: { host: new URL(url).host } });
    assert.equal(own.status, 200, own.body);
  });
});
