/**
 * The command bus and the event stream against a real redis-server (started here, on a free
 * port): commands queued while the engine is down, reused commandIds, poison entries, TTLs, and
 * a Redis killed and restarted mid-run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULT_REDIS_CONFIG } from "../../src/config/redis-config.ts";
import { Secret } from "../../src/core/secrets.ts";
import { encodeCommandEntry } from "../../src/distributed/command-entry.ts";
import { ensureCommandGroup } from "../../src/distributed/command-consumer.ts";
import { sendCommand, waitOutcomes } from "../../src/distributed/command-sender.ts";
import { keys, seqOfEventStreamId } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { flatFields, toEntries } from "../../src/distributed/stream-reply.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createMetrics } from "../../src/control/metrics/metrics.ts";
import { tailCommand } from "../../src/cli/fleet-commands.ts";
import { type DistributedHandle, startDistributed } from "../../src/runtime/distributed.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { startTestRuntime, tempJournal, type TestRuntime } from "../runtime/helpers.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing();
const logger = createLogger({ level: "silent" });

describe("command bus and event stream on Redis", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await link.close();
    await redis.stop();
  });

  async function engine(engineId: string, journalPath: string, overrides: Partial<typeof DEFAULT_REDIS_CONFIG> = {}): Promise<{ t: TestRuntime; d: DistributedHandle; view: RuntimeView }> {
    const t = await startTestRuntime({ journalPath });
    const view = new RuntimeView(t.rt);
    const d = startDistributed(t.rt, view, logger, { url: new Secret(redis.url), config: { ...DEFAULT_REDIS_CONFIG, engineId, claimIdleMs: 200, ...overrides } });
    return { t, d, view };
  }

  function journaled(t: TestRuntime, type: string, commandId: string): number {
    let n = 0;
    for (const r of t.rt.engine.journal.read()) if (r.event.type === type && (r.event as { commandId?: string }).commandId === commandId) n++;
    return n;
  }

  const send = (engineId: string, commandId: string, command: "stop" | "flatten" | "resume" | "cancel-all", ttlMs?: number) =>
    sendCommand(link, engineId, { commandId, command, args: {}, source: "test", ttlMs });

  async function outcome(engineId: string, commandId: string) {
    const got = await waitOutcomes(link, new Map([[engineId, commandId]]), "0-0", 60_000);
    const o = got.get(engineId);
    assert.ok(o !== undefined, `no outcome for ${commandId} on ${engineId}`);
    return o;
  }

  it("applies a stop added while the engine was down exactly once after it starts (and not again on the next start)", async () => {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    const stopEntry = await send("down-1", "stop-while-down", "stop");
    const first = await engine("down-1", j.path);
    const o = await outcome("down-1", "stop-while-down");
    assert.equal(o.ok, true);
    assert.equal(o.duplicate, false);
    assert.equal(first.t.rt.killSwitch.active, true);
    assert.equal(journaled(first.t, "command", "stop-while-down"), 1);
    assert.equal(journaled(first.t, "command.result", "stop-while-down"), 1);
    await first.t.stop();
    await first.d.close();

    const second = await engine("down-1", j.path);
    cleanups.push(() => second.t.stop());
    // Commands apply in stream order: once this one is answered, a redelivery of the stop would have been too.
    await send("down-1", "after-restart", "cancel-all");
    assert.equal((await outcome("down-1", "after-restart")).ok, true);
    assert.equal(journaled(second.t, "command", "stop-while-down"), 1);
    const results = toEntries(await link.send(["XRANGE", keys.results("down-1"), "-", "+"])).filter((e) => e.fields["commandId"] === "stop-while-down");
    assert.equal(results.length, 1, JSON.stringify(results));
    // The stop's entry was acknowledged by the first run (the cancel-all's own XACK may still be on its way).
    const pending = (await link.send(["XPENDING", keys.commands("down-1"), "engine", "-", "+", 100])) as [string, ...unknown[]][];
    assert.ok(!pending.some((p) => p[0] === stopEntry), JSON.stringify(pending));
  });

  it("refuses a reused commandId with another payload, and changes nothing", async () => {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    const e = await engine("conflict-1", j.path);
    cleanups.push(() => e.t.stop());
    await send("conflict-1", "same-id", "cancel-all");
    assert.equal((await outcome("conflict-1", "same-id")).ok, true);
    const since = String(await link.send(["XADD", keys.results("conflict-1"), "*", "marker", "1"]));
    await send("conflict-1", "same-id", "flatten");
    const got = await waitOutcomes(link, new Map([["conflict-1", "same-id"]]), since, 60_000);
    const refused = got.get("conflict-1");
    assert.ok(refused !== undefined);
    assert.equal(refused.ok, false);
    assert.equal(refused.code, "COMMAND_CONFLICT");
    assert.equal(e.t.rt.killSwitch.active, false, "the flatten under the reused id must not run");
    assert.equal(journaled(e.t, "command", "same-id"), 1);
  });

  it("moves a poison entry to the dead stream with its reason and keeps the bus moving", async () => {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    await ensureCommandGroup(link, "poison-1");
    await link.send(["XADD", keys.commands("poison-1"), "*", "commandId", "bad-1", "type", "explode", "args", "{not json", "source", "test"]);
    await link.send(["XADD", keys.commands("poison-1"), "*", "garbage", "\u0000\u0001"]);
    const e = await engine("poison-1", j.path);
    cleanups.push(() => e.t.stop());
    await send("poison-1", "good-after-poison", "cancel-all");
    assert.equal((await outcome("poison-1", "good-after-poison")).ok, true);
    const dead = toEntries(await link.send(["XRANGE", keys.deadCommands("poison-1"), "-", "+"]));
    assert.equal(dead.length, 2);
    assert.match(dead[0]!.fields["reason"]!, /malformed: "args" is not JSON/);
    assert.match(dead[1]!.fields["reason"]!, /malformed: unknown field/);
    const badOutcome = await outcome("poison-1", "bad-1");
    assert.equal(badOutcome.ok, false);
    assert.equal(journaled(e.t, "command", "bad-1"), 0);
  });

  it("applies a late stop but refuses a late resume (risk-adding commands only within their TTL)", async () => {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    await ensureCommandGroup(link, "ttl-1");
    // Stream ids are Redis' clock: ids from 1970 are commands sent long ago.
    await link.send(["XADD", keys.commands("ttl-1"), "1-0", ...flatFields(encodeCommandEntry({ commandId: "old-stop", command: "stop", args: {}, source: "test", ttlMs: 1_000 }))]);
    await link.send(["XADD", keys.commands("ttl-1"), "2-0", ...flatFields(encodeCommandEntry({ commandId: "old-resume", command: "resume", args: {}, source: "test", ttlMs: 1_000 }))]);
    const e = await engine("ttl-1", j.path);
    cleanups.push(() => e.t.stop());
    assert.equal((await outcome("ttl-1", "old-stop")).ok, true);
    const resume = await outcome("ttl-1", "old-resume");
    assert.equal(resume.ok, false);
    assert.equal(resume.code, "COMMAND_EXPIRED");
    assert.equal(e.t.rt.killSwitch.active, true, "the expired resume must not restart trading");
    assert.equal(journaled(e.t, "command", "old-resume"), 0);
  });

  it("loses no command and leaves no sequence gap when redis-server is killed and restarted mid-run", async () => {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    const e = await engine("outage-1", j.path);
    cleanups.push(() => e.t.stop());
    await e.t.advance(500);
    await send("outage-1", "before-outage", "cancel-all");
    assert.equal((await outcome("outage-1", "before-outage")).ok, true);
    // Sent and acknowledged by Redis, then Redis dies before the engine could answer... or after:
    // either way the AOF keeps the entry and the engine answers it once.
    await send("outage-1", "at-outage", "cancel-all");
    await redis.kill();
    await e.t.advance(1_000);
    // The local surfaces keep working while Redis is down.
    const local = await e.view.submitCommand({ commandId: "local-during-outage", command: "cancel-all", source: "test", args: {} });
    assert.equal(local.ok, true);
    await e.t.advance(500);
    assert.equal(e.d.up(), false);
    const metrics = createMetrics(e.view, { processMetrics: false, distributed: () => e.d.facts() });
    assert.match(await metrics.render(), /hean_redis_up\{engine="outage-1"\} 0/);
    metrics.close();
    await redis.restart();
    await link.waitUp(10_000);
    assert.equal((await outcome("outage-1", "at-outage")).ok, true);
    await send("outage-1", "after-outage", "stop");
    assert.equal((await outcome("outage-1", "after-outage")).ok, true);
    await e.t.rt.engine.flush();
    const last = e.t.rt.engine.journal.lastSeq();
    // Wait for the evidence: the stream's last id reaching the journal's last sequence.
    for (;;) {
      const top = toEntries(await link.send(["XREVRANGE", keys.events("outage-1"), "+", "-", "COUNT", 1]))[0];
      if (top !== undefined && seqOfEventStreamId(top.id)! >= last) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const all = toEntries(await link.send(["XRANGE", keys.events("outage-1"), "-", "+"]));
    const seqs = all.map((x) => seqOfEventStreamId(x.id)!);
    assert.equal(seqs[0], 1);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1, `gap after ${seqs[i - 1]}`);
    const journalTypes = [...e.t.rt.engine.journal.read()].filter((r) => r.seq <= seqs.at(-1)!).map((r) => r.event.type);
    assert.deepEqual(all.map((x) => x.fields["type"]), journalTypes);
    for (const id of ["before-outage", "at-outage", "after-outage", "local-during-outage"]) assert.equal(journaled(e.t, "command", id), 1, id);
    assert.ok(e.view.recentAlerts(100).some((a) => a.code === "REDIS_DOWN"), "the outage raised an alert");
  });

  it("hean tail follows an engine's events by sequence", async () => {
    const lines: string[] = [];
    const code = await tailCommand(["--engine", "outage-1", "--from", "1", "--count", "5", "--redis-url", redis.url], (l) => lines.push(l));
    assert.equal(code, 0);
    const events = lines.map((l) => JSON.parse(l) as { seq: number; type: string });
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.equal(events[0]!.type, "system.started");
  });
});
