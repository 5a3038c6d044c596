/**
 * Engines as real `hean run` processes on one redis-server of the test's own: a process killed
 * between journaling a command and acknowledging it applies it exactly once after a restart, and
 * `hean ctl --all stop` stops and flattens three engines.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Secret } from "../../src/core/secrets.ts";
import { sendCommand, waitOutcomes } from "../../src/distributed/command-sender.ts";
import { readFleet } from "../../src/distributed/heartbeat.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { hean, heanAsync } from "../cli/cli-helpers.ts";
import { tempJournal } from "../runtime/helpers.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing();

function exited(child: ReturnType<typeof heanAsync>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
}

function countJournaled(path: string, type: string, commandId: string): number {
  const j = SqliteJournal.open(path, { writer: "inline" });
  try {
    let n = 0;
    for (const r of j.read()) if (r.event.type === type && (r.event as { commandId?: string }).commandId === commandId) n++;
    return n;
  } finally {
    j.close();
  }
}

/** Waits for the evidence (a fleet state) the test needs, reading Redis; fails with what it saw after `ms`. */
async function fleetUntil(link: RedisLink, ok: (fleet: Awaited<ReturnType<typeof readFleet>>) => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    const fleet = await readFleet(link);
    last = fleet.map((e) => ({ id: e.engineId, state: e.beat?.status.tradingState, pos: e.beat?.positions.map((p) => p.qty) }));
    if (ok(fleet)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: never happened; fleet: ${JSON.stringify(last)}`);
}

describe("engines as processes on Redis", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  const children: ReturnType<typeof heanAsync>[] = [];
  const cleanups: (() => void)[] = [];

  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await link.close();
    await redis.stop();
    for (const c of cleanups) c();
  });

  const run = (journal: string, engineId: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const child = heanAsync(
      ["run", "--journal", journal, "--engine-id", engineId, "--quiet", "--log-level", "warn", "--set", "redis.claimIdleMs=300", "--set", "redis.heartbeatMs=200", ...extra],
      { HEAN_REDIS_URL: redis.url, ...env },
    );
    children.push(child);
    return child;
  };

  it("applies a command exactly once when the engine is killed between journaling it and the XACK", async () => {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    await sendCommand(link, "kill-1", { commandId: "stop-then-kill", command: "stop", args: {}, source: "test", ttlMs: undefined });
    const first = run(j.path, "kill-1", [], { HEAN_FAULT: "kill-before-ack" });
    const end = await exited(first);
    assert.equal(end.signal, "SIGKILL", first.output());
    assert.equal(countJournaled(j.path, "command", "stop-then-kill"), 1, "journaled before the kill");
    assert.equal(countJournaled(j.path, "command.result", "stop-then-kill"), 1);

    const second = run(j.path, "kill-1");
    const got = await waitOutcomes(link, new Map([["kill-1", "stop-then-kill"]]), "0-0", 90_000);
    const o = got.get("kill-1");
    assert.ok(o !== undefined, second.output());
    assert.equal(o.ok, true);
    assert.equal(o.duplicate, true, "the restarted engine answers the reclaimed entry from its journal");
    second.kill("SIGTERM");
    assert.equal((await exited(second)).code, 0, second.output());
    assert.equal(countJournaled(j.path, "command", "stop-then-kill"), 1, "applied once in all");
    assert.equal(((await link.send(["XPENDING", "hean:kill-1:commands", "engine"])) as unknown[])[0], 0);
  });

  it("hean ctl --all stop stops and flattens three engine processes", async () => {
    await link.send(["FLUSHALL"]);
    const ids = ["fleet-a", "fleet-b", "fleet-c"];
    for (const id of ids) {
      const j = tempJournal();
      cleanups.push(j.cleanup);
      run(j.path, id, ["--strategy", "churn", "--set", "strategy.params.intervalMs=100", "--set", "strategy.params.holdMs=3600000"]);
    }
    await fleetUntil(link, (f) => ids.every((id) => f.find((e) => e.engineId === id)?.beat?.positions.some((p) => p.qty !== "0")), 120_000, "all three engines hold a position");
    const ctl = hean(["ctl", "--all", "stop", "--reason", "fleet test", "--timeout", "60"], { env: { HEAN_REDIS_URL: redis.url } });
    assert.equal(ctl.status, 0, ctl.stdout + ctl.stderr);
    for (const id of ids) assert.match(ctl.stdout, new RegExp(`${id}: ok: stopped`));
    await fleetUntil(
      link,
      (f) => ids.every((id) => {
        const b = f.find((e) => e.engineId === id)?.beat;
        return b !== undefined && b.status.tradingState === "halted" && b.positions.every((p) => p.qty === "0");
      }),
      120_000,
      "all three engines halted and flat",
    );
    const status = hean(["ctl", "status"], { env: { HEAN_REDIS_URL: redis.url } });
    assert.equal(status.status, 0, status.stderr);
    for (const id of ids) assert.match(status.stdout, new RegExp(`${id}: up .* halted .*\\| flat \\|`));
  });
});
