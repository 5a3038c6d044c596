/**
 * Issue 10, defect 8: a live start that cannot succeed ends, clearly, with a report. Wrong keys
 * stop it at once; an unreachable venue is retried until `venues.bybit.bootTimeoutMs`; a signal
 * or `--duration` during the start stops it cleanly (exit 0: the stop was asked for). Each run is the real `hean run` against the
 * real Bybit simulator (or a port nobody listens on); the tests wait for the process to exit and
 * look at its exit code, its message and the report file, never at how long it took.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BybitSimulator, startBybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { heanAsync, readReport, waitForOutput } from "../../cli/cli-helpers.ts";
import { KEY, SECRET } from "./rig.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-start-"));
let sim: BybitSimulator;
let deadPort: number;

before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 5, apiKey: KEY, apiSecret: SECRET });
  // A port that was free a moment ago and that nobody listens on now.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function live(name: string, urls: { rest: string; pub: string; priv: string }, extra: readonly string[], env: NodeJS.ProcessEnv) {
  const report = join(dir, `${name}.json`);
  const child = heanAsync(
    [
      "run", "--venue", "bybit", "--mode", "live", "--i-understand-live-trading",
      "--rest-url", urls.rest, "--ws-public-url", urls.pub, "--ws-private-url", urls.priv,
      "--journal", join(dir, `${name}.db`), "--report", report, "--strategy", "none", "--quiet",
      ...extra,
    ],
    env,
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, report, exited };
}

/**
 * A start that never ends is the defect under test: fail it rather than hold the whole suite
 * (a process that wrote its report and then kept a timer chain alive once held CI for 17 min).
 */
const HANG_GUARD = { timeout: 5 * 60_000 };

const simUrls = () => ({ rest: sim.url, pub: sim.wsPublicUrl, priv: sim.wsPrivateUrl });
const deadUrls = () => ({ rest: `http://127.0.0.1:${deadPort}`, pub: `ws://127.0.0.1:${deadPort}/v5/public/linear`, priv: `ws://127.0.0.1:${deadPort}/v5/private` });

test("keys the venue refuses stop the start at once: non-zero exit, a clear message, a report; the key is never printed", HANG_GUARD, async () => {
  const run = live("auth", simUrls(), [], { HEAN_BYBIT_API_KEY: "wrong-key-never-printed", HEAN_BYBIT_API_SECRET: "wrong-secret-never-printed" });
  const code = await run.exited;
  const out = run.child.output();
  assert.equal(code, 1, out);
  assert.match(out, /VENUE_AUTH_FAILED/);
  assert.match(out, /Bybit refused the API keys/);
  assert.match(out, /hean did not start trading/);
  assert.ok(!out.includes("wrong-key-never-printed") && !out.includes("wrong-secret-never-printed"), "keys never printed");
  assert.ok(existsSync(run.report), "a report is written");
  assert.equal(readReport(run.report).fills, 0);
});

test("an unreachable venue is retried until venues.bybit.bootTimeoutMs, then the start ends with a clear message and a report", HANG_GUARD, async () => {
  const run = live("unreachable", deadUrls(), ["--set", "venues.bybit.bootTimeoutMs=1500"], { HEAN_BYBIT_API_KEY: KEY, HEAN_BYBIT_API_SECRET: SECRET });
  const code = await run.exited;
  const out = run.child.output();
  assert.equal(code, 1, out);
  assert.match(out, /VENUE_UNAVAILABLE/);
  assert.match(out, /bootTimeoutMs \(1500 ms\)/);
  assert.ok(existsSync(run.report), "a report is written");
});

test("SIGTERM while the start is still retrying stops it cleanly (exit 0: a stop asked for), with a report", HANG_GUARD, async () => {
  const run = live("sigterm", deadUrls(), [], { HEAN_BYBIT_API_KEY: KEY, HEAN_BYBIT_API_SECRET: SECRET });
  // Evidence that the start is under way and retrying: the venue's clock could not be read yet.
  await waitForOutput(run.child, "VENUE_TIME_UNSYNCED");
  run.child.kill("SIGTERM");
  const code = await run.exited;
  const out = run.child.output();
  assert.equal(code, 0, out);
  assert.match(out, /START_ABORTED: stopped before trading started \(SIGTERM\)/);
  assert.ok(existsSync(run.report), "a report is written");
});

test("--duration is honoured during the start too", HANG_GUARD, async () => {
  const run = live("duration", deadUrls(), ["--duration", "1"], { HEAN_BYBIT_API_KEY: KEY, HEAN_BYBIT_API_SECRET: SECRET });
  const code = await run.exited;
  const out = run.child.output();
  assert.equal(code, 0, out);
  assert.match(out, /START_ABORTED: stopped before trading started \(duration elapsed\)/);
  assert.ok(existsSync(run.report), "a report is written");
});
