/** The `redis` config block, the engine id, and the fleet CLI's refusals: clear errors, nothing started. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { decodeCommandEntry, encodeCommandEntry, expired } from "../../src/distributed/command-entry.ts";
import { defaultEngineId, planDistributed } from "../../src/runtime/distributed.ts";
import { hean } from "../cli/cli-helpers.ts";
import { freePort } from "./redis-server.ts";

describe("redis configuration", () => {
  it("is off by default and takes a URL, an engine id and its tuning", () => {
    assert.equal(loadConfig({}).redis.url, null);
    assert.equal(planDistributed(loadConfig({}).redis, {}), undefined);
    const c = loadConfig({ overrides: ["redis.url=redis://:pw1234@host:6380/1", "redis.engineId=eng.1", "redis.claimIdleMs=500"] });
    assert.equal(c.redis.engineId, "eng.1");
    assert.equal(c.redis.claimIdleMs, 500);
    const plan = planDistributed(c.redis, { HEAN_REDIS_URL: "redis://other:6379" });
    assert.equal(plan?.url.reveal(), "redis://other:6379", "the environment wins");
    assert.equal(String(plan?.url), "[redacted]");
  });

  it("refuses bad values with the key, never echoing a URL", () => {
    assert.throws(() => loadConfig({ overrides: ["redis.url=http://user:secretpw@x"] }), (e: Error) => /redis\.url/.test(e.message) && !e.message.includes("secretpw"));
    assert.throws(() => loadConfig({ overrides: ["redis.engineId=a:b"] }), /redis\.engineId/);
    assert.throws(() => loadConfig({ overrides: ["redis.maxDeliveries=0"] }), /redis\.maxDeliveries/);
    assert.throws(() => loadConfig({ overrides: ["redis.bogus=1"] }), /unknown config key "redis\.bogus"/);
  });

  it("derives a stable engine id from the journal id", () => {
    assert.equal(defaultEngineId("3f2a9c1e-77aa-4b1e-9d7e-000000000000"), "engine-3f2a9c1e");
  });
});

describe("command entries", () => {
  it("round-trip, and every malformed shape is a reason, not a throw", () => {
    const fields = encodeCommandEntry({ commandId: "c-1", command: "set-stoploss", args: { symbol: "BTCUSDT", pct: 2 }, source: "ctl@h", ttlMs: 1000 });
    const ok = decodeCommandEntry(fields, ["BTCUSDT"]);
    assert.ok(ok.ok);
    assert.deepEqual(ok.command.args, { symbol: "BTCUSDT", pct: 2 });
    for (const bad of [
      {},
      { commandId: "c", type: "stop", source: "x", args: "[]" },
      { commandId: "c", type: "stop", source: "" },
      { commandId: "c", type: "stop", source: "x", ttlMs: "-1" },
      { commandId: "c", type: "stop", source: "x", args: '{"type":"flatten"}' },
      { commandId: "bad id!", type: "stop", source: "x" },
      { commandId: "c", type: "set-stoploss", source: "x", args: '{"symbol":"NOPE","pct":2}' },
    ]) {
      const r = decodeCommandEntry(bad, ["BTCUSDT"]);
      assert.equal(r.ok, false, JSON.stringify(bad));
    }
  });

  it("lets risk-reducing commands through at any age, risk-adding ones only within their TTL", () => {
    const c = (command: "stop" | "resume") => ({ commandId: "x", command, args: {}, source: "s", ttlMs: undefined });
    assert.equal(expired(c("stop"), 1e12, 1000), false);
    assert.equal(expired(c("resume"), 999, 1000), false);
    assert.equal(expired(c("resume"), 1001, 1000), true);
  });
});

describe("fleet CLI refusals", () => {
  it("needs a Redis, an engine or --all, and says so", async () => {
    const noRedis = hean(["ctl", "--all", "stop"], { env: { HEAN_REDIS_URL: "" } });
    assert.equal(noRedis.status, 2);
    assert.match(noRedis.stderr, /CLI_USAGE: no Redis/);
    const noTarget = hean(["ctl", "stop", "--redis-url", "redis://127.0.0.1:1"]);
    assert.equal(noTarget.status, 2);
    assert.match(noTarget.stderr, /name the engine \(--engine ID\) or --all/);
    const port = await freePort();
    const down = hean(["ctl", "status", "--redis-url", `redis://127.0.0.1:${port}`]);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /REDIS_UNAVAILABLE/);
    const badRun = hean(["run", "--redis-url", "http://nope", "--duration", "0"]);
    assert.equal(badRun.status, 2);
    assert.match(badRun.stderr, /redis\.url/);
  });
});
