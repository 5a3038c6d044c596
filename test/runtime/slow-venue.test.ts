/**
 * Issue 10, "slow venue" (the Binance audit's failure: a blocking venue call froze `/stop` and the
 * watchdog). The live runtime in process, with its real operator surfaces (HTTP API, Telegram
 * against a local Bot API), against the in-process Bybit simulator where every REST call takes
 * 0.5-2 s and one order create is held unanswered until the client gives up.
 *
 * The property is one of order, not of speed: `stop` from the API, `stop` from Telegram and the
 * stale-data watchdog each halt trading (kill switch `triggered` journaled and visible in the
 * view) in the same synchronous turn that handles them, while that create is still waiting on
 * the venue; and the kill switch then ends flat at the venue, confirmed by the venue.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { type Dec, dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { loadConfig } from "../../src/config/config.ts";
import { Secret } from "../../src/core/secrets.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { type OperatorSurfaces, planOperatorSurfaces, startOperatorSurfaces } from "../../src/runtime/operator-surfaces.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { startBybitSimulator, type BybitSimulator } from "../../src/simulator/bybit/main.ts";
import { FakeBotApi } from "../control/fake-bot-api.ts";
import { restingBuyPrice } from "./helpers.ts";
import { postCommand } from "../control/http-helpers.ts";

const KEY = "slow-key";
const SECRET = "slow-secret-0123456789";
const API_TOKEN = "slow-venue-api-token-8c1e";
const BOT_TOKEN = "123456789:AAFakeTokenForSlowVenue_abcdefghij";
const OPERATOR = 4242;
/** How long the held create waits before the client gives up: only then can its answer arrive. */
const ORDER_TIMEOUT_MS = 6_000;
const SLOW = { latencyMs: { rest: 500 }, jitterMs: { rest: 1_500 } };

let sim: BybitSimulator;
const dir = mkdtempSync(join(tmpdir(), "hean-slow-venue-"));
const cleanups: (() => Promise<void> | void)[] = [];
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 73, apiKey: KEY, apiSecret: SECRET });
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Rig {
  readonly rt: Runtime;
  readonly surfaces: OperatorSurfaces;
  readonly bot: FakeBotApi;
}

async function startRig(name: string, overrides: readonly string[] = []): Promise<Rig> {
  await sim.reset({ seed: 73 });
  const bot = new FakeBotApi(BOT_TOKEN);
  const apiRoot = await bot.start();
  cleanups.push(() => bot.close());
  const config = loadConfig({
    overrides: [
      `journal.path=${JSON.stringify(join(dir, name))}`,
      "mode=live",
      "venue=bybit",
      "live.iUnderstandLiveTrading=true",
      `venues.bybit.restUrl=${JSON.stringify(sim.url)}`,
      `venues.bybit.wsPublicUrl=${JSON.stringify(sim.wsPublicUrl)}`,
      `venues.bybit.wsPrivateUrl=${JSON.stringify(sim.wsPrivateUrl)}`,
      `venues.bybit.orderTimeoutMs=${ORDER_TIMEOUT_MS}`,
      'strategy.name="none"',
      "api.port=0",
      ...overrides,
    ],
  });
  const rt = await Runtime.start({
    config,
    live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) },
  });
  cleanups.push(async () => {
    sim.clearFaults();
    await rt.stop("test done");
  });
  const env = {
    HEAN_API_TOKEN: API_TOKEN,
    HEAN_TELEGRAM_TOKEN: BOT_TOKEN,
    HEAN_TELEGRAM_CHAT_IDS: String(OPERATOR),
    HEAN_TELEGRAM_API_ROOT: apiRoot,
  };
  const surfaces = await startOperatorSurfaces(rt, silentLogger(), planOperatorSurfaces(rt.config, env));
  cleanups.push(() => surfaces.close());
  return { rt, surfaces, bot };
}

/** A long position on BTCUSDT, confirmed by the engine: an IOC a little through the ask, again if the market ran away from it. */
async function openLong(rt: Runtime): Promise<void> {
  const tick = rt.instruments.get("BTCUSDT").tickSize;
  while (rt.engine.state.portfolio.position("BTCUSDT").qty === 0n) {
    const book = await waitFor("a book", () => rt.engine.lastBook("BTCUSDT"));
    const price = (((book.ask * 1_005n) / 1_000n / tick) * tick) as Dec;
    const r = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.message}`);
    await waitFor("the entry settled", () => rt.engine.state.workingOrders().length === 0);
  }
}

/**
 * Slows the venue, then sends a resting entry whose create the simulator books but never answers
 * (the client gives up after ORDER_TIMEOUT_MS): a venue call that is provably still pending until
 * then. Resolves once that create is on the wire.
 */
async function slowVenueWithPendingCreate(rt: Runtime, moreFaults: Record<string, unknown> = {}): Promise<string> {
  sim.setFaults({ ...SLOW, acceptThenTimeout: 1, ...moreFaults });
  const far = restingBuyPrice(rt, rt.engine.lastBook("BTCUSDT")!);
  const r = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price: far, timeInForce: "POST_ONLY", reduceOnly: false, purpose: "entry" });
  assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.message}`);
  await waitFor("the create on the wire", () => rt.engine.state.orders.get(r.clientOrderId)?.status === "SUBMITTED");
  return r.clientOrderId;
}

/**
 * What ends the held create call: the simulator never answers it, so only the client giving up
 * (`order.unknown`, after ORDER_TIMEOUT_MS) or a refusal could. (The private stream may report
 * the booked order as accepted meanwhile: that is a push, not the call's answer.)
 */
const CREATE_CALL_ANSWERS = /^order\.(rejected|unknown)$/;
/** Answers a venue sends back: none may come between a cause and its kill switch trigger. */
const VENUE_ANSWERS = /^order\.(accepted|rejected|unknown|filled|cancelled|expired|cancel-rejected)$/;

interface Evidence {
  /** Event types the engine applied from the trigger's cause to the moment of the check. */
  readonly turn: string[];
  readonly halted: string;
  readonly killSwitchActive: boolean;
  /** Answers to the held create call seen up to that moment. */
  readonly pendingAnswers: string[];
}

/**
 * Watches the engine's output: from `isCause` (the command, or the book clock running out) to
 * `isDone` (the command's result, or the trigger itself), all in one synchronous dispatch, and
 * what the operator view showed at that moment.
 */
function watch(rig: Rig, pendingId: string, isCause: (e: HeanEvent) => boolean, isDone: (e: HeanEvent) => boolean): Promise<Evidence> {
  return new Promise((resolve) => {
    let turn: string[] | undefined;
    const pendingAnswers: string[] = [];
    rig.rt.outbox.subscribe("slow-venue-probe", (e) => {
      if (CREATE_CALL_ANSWERS.test(e.type) && "clientOrderId" in e && e.clientOrderId === pendingId) pendingAnswers.push(e.type);
      if (turn === undefined && isCause(e)) turn = [];
      if (turn === undefined) return;
      turn.push(e.type === "risk.kill-switch" ? `risk.kill-switch:${e.step}` : e.type);
      if (!isDone(e)) return;
      const view = rig.surfaces.view;
      resolve({
        turn,
        halted: view.status().tradingState,
        killSwitchActive: view.risk().killSwitch.active,
        pendingAnswers: [...pendingAnswers],
      });
      turn = undefined;
    });
  });
}

function assertActedAtOnce(evidence: Evidence): void {
  assert.ok(evidence.turn.includes("risk.kill-switch:triggered"), `kill switch triggered in the same turn: ${evidence.turn.join(", ")}`);
  const beforeTrigger = evidence.turn.slice(0, evidence.turn.indexOf("risk.kill-switch:triggered"));
  assert.deepEqual(beforeTrigger.filter((t) => VENUE_ANSWERS.test(t)), [], "no venue answer was awaited before the trigger");
  assert.equal(evidence.halted, "halted", "the view shows trading halted at once");
  assert.equal(evidence.killSwitchActive, true);
  assert.deepEqual(evidence.pendingAnswers, [], "the held create was still waiting on the venue");
}

async function assertFlatAtVenue(rt: Runtime): Promise<void> {
  await waitFor("the kill switch confirmed flat", () => rt.engine.state.killSwitch.flatAt !== null);
  const venue = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { positions: { symbol: string; size: string }[] };
  const open = venue.positions.filter((p) => Number(p.size) !== 0);
  assert.deepEqual(open, [], "the venue itself holds no position");
  assert.equal(rt.engine.state.portfolio.position("BTCUSDT").qty, 0n);
}

test("slow venue: stop from the HTTP API halts in the turn it is handled, while a venue call is pending, then flattens", async () => {
  const rig = await startRig("api.db");
  await openLong(rig.rt);
  const pending = await slowVenueWithPendingCreate(rig.rt);
  const evidence = watch(rig, pending, (e) => e.type === "command" && e.commandId === "slow-stop", (e) => e.type === "command.result");
  const answer = await postCommand(rig.surfaces.apiUrl!, { type: "stop", commandId: "slow-stop" }, API_TOKEN);
  assert.equal(answer.status, 200);
  assert.equal(answer.json.ok, true);
  assertActedAtOnce(await evidence);
  await assertFlatAtVenue(rig.rt);
});

test("slow venue: /stop from Telegram halts in the turn it is handled, while a venue call is pending, then flattens", async () => {
  const rig = await startRig("telegram.db");
  await openLong(rig.rt);
  const pending = await slowVenueWithPendingCreate(rig.rt);
  const evidence = watch(rig, pending, (e) => e.type === "command" && e.source === `telegram:${OPERATOR}`, (e) => e.type === "command.result");
  const n = rig.bot.sent.length;
  rig.bot.message(OPERATOR, "/stop");
  assertActedAtOnce(await evidence);
  const sent = await rig.bot.waitFor((s) => s.slice(n).some((m) => m.text.startsWith("stop:")), 30_000);
  assert.match(sent.slice(n).find((m) => m.text.startsWith("stop:"))!.text, /stop: done/);
  await assertFlatAtVenue(rig.rt);
});

test("slow venue: the stale-data watchdog triggers the kill switch while a venue call is pending, and it flattens", async () => {
  const rig = await startRig("stale.db", ["risk.staleDataMs=1500"]);
  await openLong(rig.rt);
  const trigger = (e: HeanEvent): boolean => e.type === "risk.kill-switch" && e.step === "triggered";
  // The public feed stays connected but goes silent, so the data ages past risk.staleDataMs.
  const pending = await slowVenueWithPendingCreate(rig.rt, { stalePublicMs: 600_000 });
  const evidence = watch(rig, pending, trigger, trigger);
  const seen = await evidence;
  assertActedAtOnce(seen);
  assert.equal(rig.rt.engine.state.killSwitch.reason, "STALE_MARKET_DATA");
  await assertFlatAtVenue(rig.rt);
});
