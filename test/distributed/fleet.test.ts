/**
 * `hean fleet` against a real redis-server: the fleet risk process (sums, trip, latch, reset) on
 * heartbeats, and the fleet API/dashboard over a running engine.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fleetCommand } from "../../src/cli/fleet-command.ts";
import { ctlCommand } from "../../src/cli/fleet-commands.ts";
import { DEFAULT_REDIS_CONFIG } from "../../src/config/redis-config.ts";
import { Secret } from "../../src/core/secrets.ts";
import { FleetRisk, fleetTotals, judgeFleet } from "../../src/distributed/fleet-risk.ts";
import type { EngineBeat } from "../../src/distributed/heartbeat.ts";
import { keys } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { toEntries } from "../../src/distributed/stream-reply.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startDistributed } from "../../src/runtime/distributed.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { startTestRuntime, tempJournal } from "../runtime/helpers.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing();

function beat(engineId: string, equity: string, tradingState: string, positions: { symbol: string; qty: string; markPrice: string }[] = []): EngineBeat {
  return {
    engineId,
    host: "test",
    pid: 1,
    ts: Date.now(),
    apiUrl: null,
    journalSeq: 1,
    publishedSeq: 1,
    status: { equity, tradingState, mode: "paper", venue: "sim", riskState: "NORMAL" } as unknown as EngineBeat["status"],
    positions: positions.map((p) => ({ ...p, avgPrice: p.markPrice, unrealizedPnl: "0", realizedPnl: "0", openedAt: null })),
  };
}

describe("fleet risk, pure", () => {
  it("sums equity and gross exposure and judges both limits", () => {
    const t = fleetTotals([beat("a", "10000", "active", [{ symbol: "BTCUSDT", qty: "-0.5", markPrice: "60000" }]), beat("b", "8000", "active")], 1, 20_000);
    assert.equal(t.equity, 18_000);
    assert.equal(t.grossExposure, 30_000);
    assert.equal(t.highWaterMark, 20_000);
    assert.ok(Math.abs(t.drawdown - 0.1) < 1e-12);
    assert.equal(judgeFleet(t, { maxDrawdown: 0.15, maxGrossExposure: undefined }).breach, false);
    assert.match((judgeFleet(t, { maxDrawdown: 0.05, maxGrossExposure: undefined }) as { reason: string }).reason, /drawdown 10\.00%/);
    assert.match((judgeFleet(t, { maxDrawdown: undefined, maxGrossExposure: 25_000 }) as { reason: string }).reason, /gross exposure 30000\.00/);
  });
});

describe("hean fleet on Redis", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
  });
  after(async () => {
    await link.close();
    await redis.stop();
  });

  const put = async (b: EngineBeat): Promise<void> => {
    await link.send(["HSET", keys.heartbeat(b.engineId), "beat", JSON.stringify(b), "ts", Date.now()]);
    await link.send(["ZADD", keys.registry, Date.now(), b.engineId]);
  };
  const stops = async (engineId: string): Promise<number> =>
    toEntries(await link.send(["XRANGE", keys.commands(engineId), "-", "+"])).filter((e) => e.fields["type"] === "stop" && e.fields["source"] === "fleet-risk").length;

  it("stops every engine when the fleet drawdown crosses its limit, keeps them stopped while latched, and resets", async () => {
    await link.send(["FLUSHALL"]);
    const risk = new FleetRisk(link, { maxDrawdown: 0.1, maxGrossExposure: undefined });
    await put(beat("r-a", "10000", "active"));
    await put(beat("r-b", "10000", "active"));
    await link.send(["ZADD", keys.registry, 1, "r-down"]);
    assert.equal((await risk.check()).tripped, undefined);
    assert.equal((await risk.check()).totals?.highWaterMark, 20_000);
    await put(beat("r-a", "9500", "active"));
    await put(beat("r-b", "8400", "active"));
    const tripped = await risk.check();
    assert.ok(tripped.tripped !== undefined);
    assert.match(tripped.tripped.reason, /fleet drawdown 10\.50%/);
    for (const id of ["r-a", "r-b", "r-down"]) assert.equal(await stops(id), 1, id);
    // A new fleet process (restart) finds the latch and the peak in Redis.
    const again = new FleetRisk(link, { maxDrawdown: 0.1, maxGrossExposure: undefined });
    await put(beat("r-a", "9500", "halted"));
    await put(beat("r-b", "8400", "active"));
    const latched = await again.check();
    assert.ok(latched.tripped !== undefined);
    assert.equal(await stops("r-a"), 1, "a halted engine is left alone");
    assert.equal(await stops("r-b"), 2, "an engine trading again while latched is stopped again");
    await again.reset();
    await put(beat("r-b", "8400", "halted"));
    const after = await again.check();
    assert.equal(after.tripped, undefined);
    assert.equal(after.totals?.highWaterMark, 17_900);
  });

  it("counts an engine that went down at its last equity: one of two restarting is no drawdown, a real loss still trips", async () => {
    await link.send(["FLUSHALL"]);
    const risk = new FleetRisk(link, { maxDrawdown: 0.1, maxGrossExposure: undefined });
    await put(beat("d-a", "10000", "active"));
    await put(beat("d-b", "10000", "active"));
    assert.equal((await risk.check()).totals?.highWaterMark, 20_000);
    // d-b's process stops (a crash, a restart): its heartbeat goes, its registration stays.
    await link.send(["DEL", keys.heartbeat("d-b")]);
    const down = await risk.check();
    assert.equal(down.tripped, undefined, JSON.stringify(down.totals));
    assert.deepEqual([down.totals?.enginesUp, down.totals?.enginesDown, down.totals?.equity, down.totals?.equityOfDown, down.totals?.drawdown], [1, 1, 20_000, 10_000, 0]);
    assert.equal(await stops("d-a"), 0, "nobody was stopped");
    // A loss of the engine that is up is still a fleet drawdown, against the same peak.
    await put(beat("d-a", "7900", "active"));
    const lost = await risk.check();
    assert.match(lost.tripped?.reason ?? "", /fleet drawdown 10\.50% above 10\.00% \(equity 17900\.00, peak 20000\.00\)/);
    // A reset re-bases on the equity of now, d-b still counted at its own.
    await risk.reset();
    await put(beat("d-a", "7900", "halted"));
    const after = await risk.check();
    assert.equal(after.tripped, undefined);
    assert.deepEqual([after.totals?.equity, after.totals?.highWaterMark], [17_900, 17_900]);
  });

  it("hean ctl status names a strategy an engine disabled, and reads an engine's beat from before the list", async () => {
    await link.send(["FLUSHALL"]);
    const withList = beat("s-new", "10000", "active");
    await put({ ...withList, status: { ...withList.status, strategies: [{ id: "impulse", disabled: false }, { id: "mine", disabled: true }] } });
    await put(beat("s-old", "10000", "active"));
    const lines: string[] = [];
    assert.equal(await ctlCommand(["status", "--redis-url", redis.url], (l) => lines.push(l)), 0);
    assert.match(lines.find((l) => l.startsWith("s-new:")) ?? "", /^s-new: up paper\/sim active risk NORMAL equity 10000 \| strategy mine DISABLED \| flat \|/);
    assert.match(lines.find((l) => l.startsWith("s-old:")) ?? "", /^s-old: up paper\/sim active risk NORMAL equity 10000 \| flat \|/);
  });

  it("serves the fleet's engines, their events and commands over HTTP", async () => {
    await link.send(["FLUSHALL"]);
    const j = tempJournal();
    const t = await startTestRuntime({ journalPath: j.path });
    const view = new RuntimeView(t.rt);
    const d = startDistributed(t.rt, view, createLogger({ level: "silent" }), { url: new Secret(redis.url), config: { ...DEFAULT_REDIS_CONFIG, engineId: "web-1", heartbeatMs: 100 } });
    const abort = new AbortController();
    let url = "";
    const started = new Promise<void>((resolve) => {
      void fleetCommand(["--port", "0", "--redis-url", redis.url, "--max-gross-exposure", "1000000000"], abort.signal, (u) => {
        url = u;
        resolve();
      });
    });
    try {
      await started;
      let fleet: { engines: { engineId: string; up: boolean }[]; risk: unknown } = { engines: [], risk: null };
      for (let i = 0; i < 200 && !fleet.engines.some((e) => e.engineId === "web-1" && e.up); i++) {
        fleet = (await (await fetch(`${url}/api/fleet`)).json()) as typeof fleet;
        if (!fleet.engines.some((e) => e.up)) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(fleet.engines.some((e) => e.engineId === "web-1" && e.up), JSON.stringify(fleet));
      assert.ok(fleet.risk !== null);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /hean fleet/);
      const res = await fetch(`${url}/api/fleet/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ engine: "web-1", type: "stop", reason: "web test" }) });
      const out = (await res.json()) as { engines: { engineId: string; state: string; ok: boolean }[] };
      assert.equal(res.status, 200, JSON.stringify(out));
      assert.deepEqual(out.engines.map((e) => [e.engineId, e.state, e.ok]), [["web-1", "applied", true]]);
      assert.equal(t.rt.killSwitch.active, true);
      const bad = await fetch(`${url}/api/fleet/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ engine: "web-1", type: "explode" }) });
      assert.equal(bad.status, 422);
      await t.rt.engine.flush();
      let events: { seq: number; type: string }[] = [];
      for (let i = 0; i < 200 && !events.some((e) => e.type === "command"); i++) {
        events = (await (await fetch(`${url}/api/fleet/events?engine=web-1&from=1&limit=1000`)).json()) as typeof events;
        if (!events.some((e) => e.type === "command")) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(events[0]?.seq, 1);
      assert.ok(events.some((e) => e.type === "command"));
    } finally {
      abort.abort();
      await t.stop();
      await d.close();
      j.cleanup();
    }
  });

  it("asks for the API token on every API route when one is set, and refuses to bind off loopback without one", async () => {
    const abort = new AbortController();
    let url = "";
    const token = "fleet-test-token-0123456789abcdef";
    const before = process.env.HEAN_API_TOKEN;
    process.env.HEAN_API_TOKEN = token;
    try {
      await new Promise<void>((resolve) => {
        void fleetCommand(["--port", "0", "--redis-url", redis.url], abort.signal, (u) => {
          url = u;
          resolve();
        });
      });
      assert.equal((await fetch(`${url}/api/fleet`)).status, 401);
      const post = await fetch(`${url}/api/fleet/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ all: true, type: "stop" }) });
      assert.equal(post.status, 401);
      assert.equal((await fetch(`${url}/api/fleet`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      abort.abort();
      if (before === undefined) delete process.env.HEAN_API_TOKEN;
      else process.env.HEAN_API_TOKEN = before;
    }
    delete process.env.HEAN_API_TOKEN;
    await assert.rejects(fleetCommand(["--host", "0.0.0.0", "--port", "0", "--redis-url", redis.url]), /without an API token/);
    if (before !== undefined) process.env.HEAN_API_TOKEN = before;
  });
});
