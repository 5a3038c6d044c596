/**
 * The README's "Run a fleet" block, run as written on a redis-server of the test's own: the
 * backgrounded lines (`&`) start as processes, the others run in order and must end with 0, with
 * the fleet's engines seen alive before the first `hean ctl`. Ports are moved to free ones and
 * Redis to the test's server (the README's 6379 is the machine's own); `hean context` reads the
 * venue's public API and is skipped, loudly. The background processes stop on SIGTERM and exit 0.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Secret } from "../../src/core/secrets.ts";
import { readFleet } from "../../src/distributed/heartbeat.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { freePort, redisMissing, TestRedis } from "../distributed/redis-server.ts";
import { HEAN, ROOT } from "./cli-helpers.ts";
import { fleetBlock } from "./readme-fleet-block.ts";

const skip = redisMissing();

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once("exit", (code) => r(code)));
}

async function until(what: string, ok: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: never happened\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("README: Run a fleet", { skip }, () => {
  const lines = fleetBlock(readFileSync(join(ROOT, "README.md"), "utf8"));
  const cwd = mkdtempSync(join(tmpdir(), "hean-readme-fleet-"));
  let redis: TestRedis;
  let link: RedisLink;
  const children: { readonly line: string; readonly child: ChildProcess; out: string }[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env };

  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "readme-fleet" }, 10_000);
  });
  after(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    await link?.close();
    await redis?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  test("every line runs as written: engines and the fleet in the background, ctl and tail end with 0", async (t) => {
    const output = (): string => children.map((c) => `--- ${c.line}\n${c.out}`).join("\n");
    const engines: string[] = [];
    let fleetPort: number | undefined;
    let seenAlive = false;
    for (const line of lines) {
      const [first, ...rest] = line.words;
      if (first === "redis-server") {
        assert.ok(line.background, "the README starts Redis in the background");
        continue; // the test's own server stands in for it
      }
      if (first === "export") {
        assert.match(line.text, /^export HEAN_REDIS_URL=redis:\/\//);
        env.HEAN_REDIS_URL = redis.url;
        continue;
      }
      assert.equal(first, "hean", `a hean command: ${line.text}`);
      if (rest[0] === "context") {
        t.diagnostic(`SKIPPED LOUDLY: ${line.text} (reads the venue's public API: no internet here)`);
        continue;
      }
      const args = [...rest];
      for (const flag of ["--api-port", "--port"]) {
        const i = args.indexOf(flag);
        if (i !== -1) args[i + 1] = String(await freePort());
      }
      if (rest[0] === "fleet") fleetPort = Number(args[args.indexOf("--port") + 1]);
      if (rest[0] === "run") engines.push(args[args.indexOf("--engine-id") + 1]!);
      if (line.background) {
        const child = spawn(process.execPath, [HEAN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const entry = { line: line.text, child, out: "" };
        child.stdout!.on("data", (d: Buffer) => (entry.out += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (entry.out += d.toString()));
        children.push(entry);
        continue;
      }
      if (!seenAlive) {
        // Evidence, not time: every engine's heartbeat is in Redis and the fleet page answers.
        await until("every engine beating and the fleet answering", async () => {
          const fleet = await readFleet(link);
          if (!engines.every((id) => fleet.some((e) => e.engineId === id && e.beat !== undefined))) return false;
          if (fleetPort === undefined) return true;
          return fetch(`http://127.0.0.1:${fleetPort}/`).then((r) => r.ok, () => false);
        }, output);
        seenAlive = true;
      }
      const r = spawnSync(process.execPath, [HEAN, ...args], { cwd, env, encoding: "utf8", timeout: 240_000, killSignal: "SIGKILL" });
      assert.equal(r.status, 0, `${line.text}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n${output()}`);
      if (rest[0] === "tail") {
        const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type?: unknown });
        assert.ok(events.length > 0 && events.every((e) => typeof e.type === "string"), r.stdout);
      }
    }
    assert.deepEqual(engines.sort(), ["a", "b"]);
    for (const c of children) c.child.kill("SIGTERM");
    for (const c of children) assert.equal(await exited(c.child), 0, `${c.line} exits 0 on SIGTERM\n${c.out}`);
  });
});
