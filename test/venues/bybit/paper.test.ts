/**
 * Paper trading on Bybit's market data: `--venue bybit --mode paper` reads the venue's public
 * streams and listing (no keys), fills in the in-process matching engine against the venue's
 * touch, and never calls a private endpoint (asserted on the simulator's request log); the CLI
 * run never loads the signing code.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { dec, mul } from "../../../src/core/decimal.ts";
import { roundPrice } from "../../../src/core/instrument.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { HEAN, ROOT, readReport } from "../../cli/cli-helpers.ts";
import { waitFor } from "./rig.ts";

const RECORDER = join(ROOT, "test", "venues", "bybit", "load-recorder.ts");
const dir = mkdtempSync(join(tmpdir(), "hean-paper-bybit-"));
let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 91 });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const privateRequests = () => sim.requests().filter((r) => r.private);

test("paper on Bybit's public data: a taker fills at the venue's touch, a resting bid fills when the touch comes through it; nothing private is called", async () => {
  const config = loadConfig({
    overrides: [
      `journal.path=${JSON.stringify(join(dir, "paper.db"))}`,
      "mode=paper",
      "venue=bybit",
      'symbols=["SOLUSDT"]',
      `venues.bybit.restUrl=${JSON.stringify(sim.url)}`,
      `venues.bybit.wsPublicUrl=${JSON.stringify(sim.wsPublicUrl)}`,
      'strategy.name="none"',
    ],
  });
  const rt = await Runtime.start({ config });
  try {
    assert.equal(rt.venue.id, "bybit");
    assert.equal(rt.instruments.get("SOLUSDT").lotSize, dec("0.1"), "the venue's own rules");
    const book = await waitFor("a SOLUSDT book from the venue", () => rt.engine.lastBook("SOLUSDT"), 30_000);
    const taker = rt.executor.submit({ strategyId: "t", symbol: "SOLUSDT", side: "buy", orderType: "limit", qty: dec("0.2"), price: roundPrice(rt.instruments.get("SOLUSDT"), mul(book.ask, dec("1.002")), "ceil"), timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.equal(taker.ok, true, taker.ok ? "" : taker.message);
    const filled = await waitFor("the taker's fill", () => [...rt.engine.state.orders.values()].find((o) => o.status === "FILLED"), 30_000);
    assert.ok(filled.filledQty === dec("0.2"));
    // A bid well under the touch rests; moving the venue's market down through it fills it.
    const rest = roundPrice(rt.instruments.get("SOLUSDT"), mul(book.bid, dec("0.97")), "floor");
    const maker = rt.executor.submit({ strategyId: "t", symbol: "SOLUSDT", side: "buy", orderType: "limit", qty: dec("0.3"), price: rest, timeInForce: "GTC", reduceOnly: false, purpose: "entry" });
    assert.equal(maker.ok, true, maker.ok ? "" : maker.message);
    await waitFor("the bid to rest", () => [...rt.engine.state.orders.values()].some((o) => o.price === rest && o.status === "ACCEPTED") || undefined, 30_000);
    sim.setPrice("SOLUSDT", mul(rest, dec("0.98")));
    await waitFor("the resting bid's fill", () => (rt.engine.state.portfolio.position("SOLUSDT").qty === dec("0.5") ? true : undefined), 30_000);
    const fills = rt.engine.state.fillCount;
    assert.ok(fills >= 2);
  } finally {
    await rt.stop("test");
  }
  assert.ok(sim.requests().some((r) => r.path === "/v5/market/instruments-info"), "the listing came from the venue");
  assert.ok(sim.requests().some((r) => r.kind === "ws" && r.path === "/v5/public/linear"), "the public stream was read");
  assert.deepEqual(privateRequests(), [], "no private endpoint was ever called");
});

test("`hean run --venue bybit --mode paper` (CLI, no keys) runs on the public URLs only and never loads the signing code", async () => {
  const before = sim.requests().length;
  const report = join(dir, "cli.json");
  const child = spawn(
    process.execPath,
    [
      "--import", RECORDER, HEAN,
      "run", "--venue", "bybit", "--mode", "paper", "--rest-url", sim.url, "--ws-public-url", sim.wsPublicUrl,
      "--symbols", "1000PEPEUSDT,SOLUSDT", "--strategy", "churn", "--journal", join(dir, "cli.db"), "--report", report, "--duration", "4", "--quiet",
    ],
    { cwd: ROOT, env: { ...process.env, HEAN_BYBIT_API_KEY: "", HEAN_BYBIT_API_SECRET: "" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  assert.equal(code, 0, out);
  const modules = [...out.matchAll(/BYBIT-MODULES (\[.*\])/g)].flatMap((m) => JSON.parse(m[1]!) as string[]);
  assert.ok(modules.some((m) => m.endsWith("/paper.ts")), `the paper feed was loaded: ${JSON.stringify(modules)}`);
  assert.ok(!modules.some((m) => m.endsWith("/signer.ts") || m.endsWith("/adapter.ts")), `no signing code: ${JSON.stringify(modules)}`);
  assert.equal(readReport(report).fills >= 0, true, "a report is written");
  // As an operator of a separate `hean sim bybit` would read it: its control route.
  const log = (await (await fetch(`${sim.url}/__sim/requests`)).json()) as { requests: { kind: string; path: string; private: boolean }[] };
  const made = log.requests.slice(before);
  assert.ok(made.some((r) => r.kind === "ws" && r.path === "/v5/public/linear"), JSON.stringify(made));
  assert.deepEqual(made.filter((r) => r.private), [], "no private endpoint was ever called");
});

test("a symbol the venue does not list stops `hean run` with exit 2, naming the listed symbol it may be a typo of", async () => {
  const child = spawn(
    process.execPath,
    [HEAN, "run", "--venue", "bybit", "--mode", "paper", "--rest-url", sim.url, "--ws-public-url", sim.wsPublicUrl, "--symbols", "PEPEUSDT", "--journal", join(dir, "unknown.db"), "--quiet"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  assert.equal(code, 2, out);
  assert.match(out, /CONFIG_INVALID: bybit does not list PEPEUSDT \(did you mean 1000PEPEUSDT\?\)/);
});
