/**
 * `hean run --venue binance`, the real CLI against the real Binance simulator, end to end: a paper
 * run (public market data only: no keys read) and a live run (keys from HEAN_BINANCE_API_KEY /
 * _SECRET, `--i-understand-live-trading`) trade with the churn strategy and stop cleanly; the live
 * run's fills are exactly the venue's trades (one venue order per client order id).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BinanceSimulator, startBinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { verifyJournal } from "../../../src/journal/tools.ts";
import { heanAsync, readReport } from "../../cli/cli-helpers.ts";
import { restProxy, rewriteJson } from "../live/rest-proxy.ts";
import { KEY, SECRET } from "./rig.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-bn-run-"));
let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 3, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * `stopWhen`: the run is stopped (SIGTERM, as an operator would) once it holds, polled on the
 * venue's state: evidence, not a duration that a loaded machine may not fill with trades.
 */
async function run(name: string, args: readonly string[], env: NodeJS.ProcessEnv, stopWhen?: () => Promise<boolean>): Promise<{ code: number | null; out: string; report: string }> {
  const report = join(dir, `${name}.json`);
  const duration = stopWhen === undefined ? "5" : "600";
  const child = heanAsync(["run", "--venue", "binance", "--rest-url", sim.url, "--ws-public-url", sim.wsUrl, "--journal", join(dir, `${name}.db`), "--report", report, "--strategy", "churn", "--duration", duration, "--quiet", ...args], env);
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.once("exit", (c) => { exited = true; resolve(c); }));
  if (stopWhen !== undefined) {
    while (!exited && !(await stopWhen())) await new Promise((r) => setTimeout(r, 100));
    if (!exited) child.kill("SIGTERM");
  }
  const code = await exit;
  return { code, out: child.output(), report };
}

const venueState = async (): Promise<any> => (await fetch(`${sim.url}/__sim/state`)).json();

test("paper on Binance market data: trades, stops cleanly, never reads the keys", async () => {
  const r = await run("paper", ["--mode", "paper"], { HEAN_BINANCE_API_KEY: "paper-never-reads-this", HEAN_BINANCE_API_SECRET: "paper-never-reads-this-either" });
  assert.equal(r.code, 0, r.out);
  assert.ok(!r.out.includes("paper-never-reads-this"));
  assert.equal(readReport(r.report).orders.every((o) => o.venueOrderId === null || String(o.venueOrderId).startsWith("paper-binance")), true);
  const venue = (await (await fetch(`${sim.url}/__sim/state`)).json()) as any;
  assert.equal(venue.orders.length, 0, "paper sends nothing to the venue");
});

test("live on the Binance simulator: trades, stops cleanly, and the engine's fills are the venue's trades", async () => {
  await sim.reset({ seed: 3 });
  const r = await run("live", ["--mode", "live", "--i-understand-live-trading", "--ws-private-url", sim.wsUrl], { HEAN_BINANCE_API_KEY: KEY, HEAN_BINANCE_API_SECRET: SECRET }, async () => (await venueState()).executions.length >= 2);
  assert.equal(r.code, 0, r.out);
  assert.ok(!r.out.includes(SECRET), "the secret is never printed");
  const report = readReport(r.report);
  const venue = (await (await fetch(`${sim.url}/__sim/state`)).json()) as any;
  assert.ok(venue.executions.length > 0, "the churn strategy traded");
  assert.equal(report.fills, venue.executions.length, "every venue trade is one engine fill");
  const ids = venue.orders.map((o: { clientOrderId: string }) => o.clientOrderId).filter((c: string) => !c.startsWith("hsl-"));
  assert.equal(new Set(ids).size, ids.length, "one venue order per client order id");
  // The account opened at the venue's wallet (cash moved in, not a profit): the run's drawdown is
  // its trading's. Every live report said "max drawdown 90%": the equity sampled at the configured
  // capital before the opening read as a fall from the opened balance.
  const perf = (report as unknown as { performance: { maxDrawdownPct: number; startEquity: string } }).performance;
  assert.equal(perf.startEquity, "100000", "the run starts from the venue's wallet");
  assert.ok(perf.maxDrawdownPct < 1, `max drawdown ${perf.maxDrawdownPct}%`);
});

test("a restart on fewer symbols than the journal holds positions in is refused (exit 2) before anything connects, naming them", async () => {
  await sim.reset({ seed: 3 });
  const env = { HEAN_BINANCE_API_KEY: KEY, HEAN_BINANCE_API_SECRET: SECRET };
  const live = ["--mode", "live", "--i-understand-live-trading", "--ws-private-url", sim.wsUrl, "--set", "strategy.params.holdMs=600000", "--set", 'strategy.params.sides="long"'];
  const holdsEth = async (): Promise<boolean> => (await venueState()).positions.some((p: { symbol: string; positionAmt: string }) => p.symbol === "ETHUSDT" && Number(p.positionAmt) > 0);
  // SIGTERM keeps the positions (only stop/flatten close them): the journal holds ETHUSDT.
  const first = await run("held", live, env, holdsEth);
  assert.equal(first.code, 0, first.out);
  const ordersBefore = (await venueState()).orders.length;
  // Before: it started, had no ETHUSDT data, and the kill switch flattened everything as stale.
  const second = await run("held", [...live, "--symbols", "BTCUSDT"], env);
  assert.equal(second.code, 2, second.out);
  assert.match(second.out, /CONFIG_INVALID: the journal holds positions in ETHUSDT \(/);
  assert.equal((await venueState()).orders.length, ordersBefore, "nothing sent to the venue");
  assert.ok(await holdsEth(), "the position is left as it was");
});

test("a symbol Binance lists margined in USDC is refused at start (exit 2) with why", async () => {
  await sim.reset({ seed: 3 });
  // The simulator lists USDT-margined contracts only: a proxy adds Binance's BTCUSDC perpetual.
  const addUsdc = rewriteJson((info) => {
    const btc = info.symbols.find((s: { symbol: string }) => s.symbol === "BTCUSDT");
    info.symbols.push({ ...btc, symbol: "BTCUSDC", pair: "BTCUSDC", quoteAsset: "USDC", marginAsset: "USDC" });
    return info;
  });
  const proxy = await restProxy(sim.url, { answer: (url, method) => (method === "GET" && url.pathname === "/fapi/v1/exchangeInfo" ? addUsdc : undefined) });
  try {
    const child = heanAsync(["run", "--venue", "binance", "--mode", "live", "--i-understand-live-trading", "--rest-url", proxy.url, "--ws-public-url", sim.wsUrl, "--ws-private-url", sim.wsUrl, "--journal", join(dir, "usdc.db"), "--symbols", "BTCUSDC", "--strategy", "churn", "--duration", "5", "--quiet"], { HEAN_BINANCE_API_KEY: KEY, HEAN_BINANCE_API_SECRET: SECRET });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 2, child.output());
    assert.match(child.output(), /CONFIG_INVALID: binance lists BTCUSDC, but hean cannot trade it: it is margined in USDC/);
    assert.equal((await venueState()).orders.length, 0, "nothing sent to the venue");
  } finally {
    await proxy.close();
  }
});

/**
 * "Journal before effect": a start the venue's listing refuses had no effect (nothing sent,
 * nothing changed), so it journals nothing. It wrote two records (system.started, then
 * system.stopped): a fresh journal refused for a typo was a journal with a past.
 */
test("a live start refused for a symbol the venue does not list leaves the journal as it found it (exit 2)", async () => {
  await sim.reset({ seed: 3 });
  const env = { HEAN_BINANCE_API_KEY: KEY, HEAN_BINANCE_API_SECRET: SECRET };
  const live = ["--mode", "live", "--i-understand-live-trading", "--ws-private-url", sim.wsUrl, "--strategy", "none"];
  const fresh = await run("refused-fresh", [...live, "--symbols", "BTCUSDX"], env);
  assert.equal(fresh.code, 2, fresh.out);
  assert.match(fresh.out, /CONFIG_INVALID: binance does not list BTCUSDX \(did you mean BTCUSDT\?\)/);
  assert.equal(readReport(fresh.report).journal.events, 0, "a fresh journal stays empty");

  // A journal with a past: refused, it holds exactly the records it held.
  const kept = await run("refused-kept", live, env);
  assert.equal(kept.code, 0, kept.out);
  const before = readReport(kept.report).journal.events;
  assert.ok(before > 0);
  const again = await run("refused-kept", [...live, "--symbols", "BTCUSDX"], env);
  assert.equal(again.code, 2, again.out);
  assert.equal(readReport(again.report).journal.events, before, "no record added");
  assert.equal(verifyJournal(join(dir, "refused-kept.db")).lastSeq, before);
});
