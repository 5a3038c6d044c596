/**
 * Issue 6's "Done when", on the real runtime (engine, SQLite journal, risk, simulated venue) on a
 * simulated clock: maker fill; expiry and reprice; post-only refusal then the bounded fallback;
 * partial fills across legs; `immediate` skipping the maker leg; a restart in the middle of a
 * parent; and the run report's execution measures.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { type Dec, ZERO, add, dec, format, mul, toNumber } from "../../src/core/decimal.ts";
import type { BookEvent, HeanEvent, RouterDoneEvent, Urgency } from "../../src/core/events.ts";
import { replayJournal } from "../../src/engine/replay.ts";
import { takerPrice } from "../../src/execution/router/pricing.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { buildReport } from "../../src/runtime/report.ts";
import { type TestRuntime, ofType, openPosition, startTestRuntime, tempJournal } from "../runtime/helpers.ts";

const BASE = [
  "strategy.name=none",
  "initialCash=1000000",
  "risk.maxLeverage=30",
  "risk.maxOrderNotional=5000000",
  "risk.maxPositionNotional=5000000",
  "risk.maxGrossExposure=10000000",
];
/** A fixed TTL, so the test says when a leg expires. */
const ttl = (ms: number): string[] => [`execution.ttl.minMs=${ms}`, `execution.ttl.maxMs=${ms}`, `execution.ttl.baseMs=${ms}`];
const SYMBOL = "BTCUSDT";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(overrides: readonly string[], journalPath?: string, clock?: TestRuntime["clock"]): Promise<TestRuntime & { journalPath: string }> {
  let path = journalPath;
  if (path === undefined) {
    const j = tempJournal();
    cleanups.push(j.cleanup);
    path = j.path;
  }
  const t = await startTestRuntime({ journalPath: path, overrides: [...BASE, ...overrides], ...(clock !== undefined ? { clock } : {}) });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await t.stop();
  };
  cleanups.push(stop);
  return { ...t, journalPath: path, stop };
}

function route(t: TestRuntime, side: "buy" | "sell", qty: string, urgency: Urgency = "normal"): string {
  const r = t.rt.router.route({ strategyId: "test", symbol: SYMBOL, side, qty: dec(qty), urgency, purpose: "entry", reduceOnly: false });
  if (!r.ok) throw new Error(`route refused: ${r.code} ${r.message}`);
  return r.parentId;
}

const legsOf = (t: TestRuntime, parentId: string) => ofType(t.events, "router.leg").filter((l) => l.parentId === parentId);
const fillsOf = (t: TestRuntime, clientOrderId: string) => ofType(t.events, "order.filled").filter((f) => f.clientOrderId === clientOrderId);
const doneOf = (t: TestRuntime, parentId: string): RouterDoneEvent | undefined => ofType(t.events, "router.done").find((d) => d.parentId === parentId);
const sum = (xs: readonly Dec[]): Dec => xs.reduce((a, b) => add(a, b), ZERO);

/** The last book hean saw strictly before `ts` (what a leg sent at `ts` was priced from). */
function bookBefore(events: readonly HeanEvent[], ts: number, upTo: HeanEvent): BookEvent {
  let last: BookEvent | undefined;
  for (const e of events) {
    if (e === upTo) break;
    if (e.type === "market.book" && e.symbol === SYMBOL && e.ts <= ts) last = e;
  }
  if (last === undefined) throw new Error("no book before the leg");
  return last;
}

test("maker fill: one post-only leg at the touch fills as the market trades through it; maker fee, no fallback", async () => {
  const t = await start(ttl(5_000));
  await t.advance(2_050);
  const book = t.rt.engine.lastBook(SYMBOL)!;
  const parentId = route(t, "buy", "0.01");
  await t.advance(30);
  t.venue.market.setPrice(SYMBOL, toNumber(book.bid) - 20);
  await t.advance(500);

  const legs = legsOf(t, parentId);
  assert.equal(legs.length, 1);
  assert.equal(legs[0]!.kind, "maker");
  assert.equal(legs[0]!.price, book.bid, "rests at the touch (offset 0)");
  const intent = ofType(t.events, "order.intent").find((i) => i.clientOrderId === legs[0]!.clientOrderId)!;
  assert.equal(intent.timeInForce, "POST_ONLY");
  assert.equal(intent.parentId, parentId);
  const fills = fillsOf(t, legs[0]!.clientOrderId);
  assert.ok(fills.length > 0 && fills.every((f) => f.liquidity === "maker" && f.price === book.bid));
  const done = doneOf(t, parentId)!;
  assert.equal(done.reason, "filled");
  assert.equal(done.makerQty, dec("0.01"));
  assert.equal(done.takerLegs, 0);
  assert.equal(done.feesPaid, mul(mul(book.bid, dec("0.01")), dec("0.0002")), "the maker fee rate, not the taker's");
  assert.ok(done.slippageBps! < 0, "bought below the arrival mid: the half spread is earned");
  assert.equal(done.timeToFillMs, fills.at(-1)!.ts - ofType(t.events, "router.parent")[0]!.ts);
  const report = t.rt.report().execution;
  assert.equal(report.makerFillRatio, 1);
  assert.equal(report.parents, 1);
  assert.equal(t.rt.router.hasWorking(SYMBOL), false);
});

test("expiry and reprice: each TTL expiry cancels and rejoins the moved touch, then the bounded fallback", async () => {
  // Resting 50 ticks behind the touch: nothing fills, every leg runs to its TTL.
  const t = await start([...ttl(1_000), "execution.maxReprices=2", "execution.makerOffsetTicks=-500"]);
  await t.advance(2_050);
  const parentId = route(t, "buy", "0.01");
  await t.advance(4_000);

  const legs = legsOf(t, parentId);
  assert.deepEqual(
    legs.map((l) => `${l.kind}:${l.cause}`),
    ["maker:initial", "maker:reprice", "maker:reprice", "taker:reprice-exhausted"],
  );
  assert.deepEqual(
    legs.map((l) => l.clientOrderId),
    [`${parentId}-m1`, `${parentId}-m2`, `${parentId}-m3`, `${parentId}-t1`],
  );
  const expiries = ofType(t.events, "router.ttl-expired").filter((e) => e.parentId === parentId);
  assert.equal(expiries.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(expiries[i]!.action, "cancel");
    assert.equal(expiries[i]!.ts - legs[i]!.ts, 1_000, "expired exactly one TTL after it was sent");
    const cancel = ofType(t.events, "order.cancel-requested").find((c) => c.clientOrderId === legs[i]!.clientOrderId)!;
    assert.equal(cancel.ts, expiries[i]!.ts);
  }
  // Every maker leg rests 500 ticks (50.0) behind the touch hean saw when it was sent.
  for (const leg of legs.slice(0, 3)) {
    const b = bookBefore(t.events, leg.ts, leg);
    assert.equal(leg.price, (b.bid - dec("50")) as Dec, `${leg.clientOrderId} priced off the touch at ${leg.ts}`);
  }
  assert.notEqual(legs[0]!.price, legs[1]!.price, "the touch moved, and the reprice followed it");
  const done = doneOf(t, parentId)!;
  assert.equal(done.reason, "filled");
  assert.equal(done.fallbackCause, "reprice-exhausted");
  assert.equal(done.ttlExpiries, 3);
  assert.equal(done.makerQty, 0n);
  const report = t.rt.report().execution;
  assert.equal(report.fallbacks["reprice-exhausted"], 1);
  assert.equal(report.ttlExpiries, 3);
  assert.equal(report.makerLegs, 3);
  assert.equal(report.makerLegsFilled, 0);
});

test("an expiry at an unchanged touch keeps the order (and its queue place) for another TTL", async () => {
  // One book update every 10 s: the touch cannot move between two expiries.
  const t = await start([...ttl(1_000), "execution.maxReprices=1", "execution.makerOffsetTicks=-500", "sim.updatesPerSecond=0.1"]);
  await t.advance(10_500);
  const parentId = route(t, "buy", "0.01");
  await t.advance(2_500);
  const expiries = ofType(t.events, "router.ttl-expired").filter((e) => e.parentId === parentId);
  assert.deepEqual(expiries.map((e) => e.action), ["extend", "cancel"]);
  assert.equal(expiries[0]!.ttlMs, 1_000);
  assert.equal(expiries[1]!.ts - expiries[0]!.ts, 1_000);
  const legs = legsOf(t, parentId);
  assert.deepEqual(legs.map((l) => l.clientOrderId), [`${parentId}-m1`, `${parentId}-t1`], "no second maker leg: the first one was kept");
  assert.equal(ofType(t.events, "order.cancel-requested").length, 1, "cancelled once, after the extension");
});

test("a touch that runs away from a resting leg ends it before its TTL: the leg rejoins the new touch", async () => {
  const t = await start([...ttl(10_000), "execution.maxReprices=1"]);
  await t.advance(2_050);
  const book = t.rt.engine.lastBook(SYMBOL)!;
  const parentId = route(t, "buy", "0.01");
  await t.advance(100);
  // 10 bps up: more than the spread plus the fee difference (about 3.5 bps) that resting could save.
  t.venue.market.setPrice(SYMBOL, toNumber(book.ask) * 1.001);
  await t.advance(300);
  const expiries = ofType(t.events, "router.ttl-expired").filter((e) => e.parentId === parentId);
  assert.equal(expiries.length, 1);
  assert.equal(expiries[0]!.reason, "touch-moved-away");
  const legs = legsOf(t, parentId);
  assert.ok(expiries[0]!.ts - legs[0]!.ts < 500, "long before the 10 s TTL");
  assert.equal(legs[1]?.cause, "reprice");
  const b = bookBefore(t.events, legs[1]!.ts, legs[1]!);
  assert.equal(legs[1]!.price, b.bid, "rejoined the touch that ran away");
  assert.ok(legs[1]!.price > legs[0]!.price);
});

test("post-only would take: the venue cancels the maker leg, the fallback is an IOC bounded 15 bps beyond the touch", async () => {
  const t = await start(ttl(5_000));
  await t.advance(2_050);
  const book = t.rt.engine.lastBook(SYMBOL)!;
  const parentId = route(t, "buy", "0.5");
  // The market drops before the order reaches the venue: a buy at the old bid would now take.
  t.venue.market.setPrice(SYMBOL, toNumber(book.bid) - 5);
  await t.advance(200);

  const legs = legsOf(t, parentId);
  assert.deepEqual(legs.map((l) => `${l.kind}:${l.cause}`), ["maker:initial", "taker:post-only-would-take"]);
  const cancelled = ofType(t.events, "order.cancelled").find((c) => c.clientOrderId === legs[0]!.clientOrderId)!;
  assert.equal(cancelled.postOnlyWouldTake, true);
  assert.equal(ofType(t.events, "order.cancel-requested").length, 0, "the venue cancelled it, not hean");
  const taker = legs[1]!;
  const touch = bookBefore(t.events, taker.ts, taker);
  const instrument = t.rt.instruments.get(SYMBOL);
  assert.equal(taker.price, takerPrice("buy", touch, 15, instrument), "bounded at 15 bps from the touch it saw");
  assert.ok(toNumber(taker.price) <= toNumber(touch.ask) * 1.0015);
  const intent = ofType(t.events, "order.intent").find((i) => i.clientOrderId === taker.clientOrderId)!;
  assert.equal(intent.timeInForce, "IOC");
  const fills = fillsOf(t, taker.clientOrderId);
  assert.ok(fills.length > 0 && fills.every((f) => f.liquidity === "taker" && f.price <= taker.price));
  const done = doneOf(t, parentId)!;
  assert.equal(done.fallbackCause, "post-only-would-take");
  assert.equal(done.reason, "filled");
  assert.equal(t.rt.report().execution.fallbacks["post-only-would-take"], 1);
});

test("partial fills across legs: the maker leg fills part, the fallback is sized to the rest, the fills add up exactly", async () => {
  const t = await start([...ttl(2_000), "execution.maxReprices=0"]);
  await t.advance(2_050);
  const book = t.rt.engine.lastBook(SYMBOL)!;
  const parentId = route(t, "buy", "3");
  await t.advance(30);
  t.venue.market.setPrice(SYMBOL, toNumber(book.bid) - 0.1);
  await t.advance(2_500);

  const [maker, taker] = legsOf(t, parentId);
  assert.equal(maker?.kind, "maker");
  assert.equal(taker?.kind, "taker");
  const makerFilled = sum(fillsOf(t, maker.clientOrderId).map((f) => f.qty));
  const takerFilled = sum(fillsOf(t, taker.clientOrderId).map((f) => f.qty));
  assert.ok(makerFilled > 0n && makerFilled < dec("3"), `the maker leg filled part (${format(makerFilled)})`);
  assert.equal(taker.qty, (dec("3") - makerFilled) as Dec, "the fallback asks exactly for what is left");
  assert.ok(takerFilled > 0n);
  const done = doneOf(t, parentId)!;
  assert.equal(done.filledQty, add(makerFilled, takerFilled));
  assert.equal(done.makerQty, makerFilled);
  assert.equal(done.filledQty, dec("3"));
  const position = t.rt.engine.state.portfolio.position(SYMBOL).qty;
  assert.equal(position, dec("3"), "the account holds exactly the parent, not more");
  const ratio = t.rt.report().execution.makerFillRatio!;
  assert.ok(Math.abs(ratio - toNumber(makerFilled) / 3) < 1e-12, `maker fill ratio ${ratio}`);
});

test("immediate skips the maker leg: one bounded IOC, and what the bound leaves is reported, not chased", async () => {
  // 0.5 bps leaves only ~30 ticks of the book within reach: 40 BTC cannot all fill.
  const t = await start(["execution.fallbackSlippageBps=0.5"]);
  await t.advance(2_050);
  const parentId = route(t, "buy", "40", "immediate");
  await t.advance(1_000);
  const legs = legsOf(t, parentId);
  assert.deepEqual(legs.map((l) => `${l.kind}:${l.cause}`), ["taker:immediate"]);
  const intents = ofType(t.events, "order.intent").filter((i) => i.parentId === parentId);
  assert.equal(intents.length, 1);
  assert.equal(intents[0]!.timeInForce, "IOC");
  assert.ok(ofType(t.events, "order.expired").some((e) => e.clientOrderId === legs[0]!.clientOrderId), "the IOC remainder expired");
  const done = doneOf(t, parentId)!;
  assert.equal(done.reason, "taker-done");
  assert.ok(done.filledQty > 0n && done.remainingQty > 0n, `filled ${format(done.filledQty)}, left ${format(done.remainingQty)}`);
  assert.equal(add(done.filledQty, done.remainingQty), dec("40"));
  assert.equal(done.makerLegs, 0);
  for (const f of fillsOf(t, legs[0]!.clientOrderId)) assert.ok(f.price <= legs[0]!.price);
  const report = t.rt.report().execution;
  assert.equal(report.byUrgency.immediate, 1);
  assert.ok(report.fillRatio! < 1);
});

test("a restart in the middle of a parent carries on from the journal: same deadline, next leg ids, nothing sent twice", async () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const overrides = [...ttl(2_000), "execution.maxReprices=1", "execution.makerOffsetTicks=-500", "shutdown.workingOrders=keep"];
  const first = await start(overrides, j.path);
  await first.advance(2_050);
  const parentId = route(first, "buy", "0.01");
  await first.advance(500);
  const m1 = `${parentId}-m1`;
  assert.equal(first.rt.engine.state.orders.get(m1)?.status, "ACCEPTED", "the maker leg rests at the venue");
  const sentAt = legsOf(first, parentId)[0]!.ts;
  await first.stop();

  const second = await start(overrides, j.path, first.clock);
  assert.equal(second.rt.engine.state.parents.get(parentId)?.done, undefined, "the parent is still working after the restart");
  assert.equal(second.rt.engine.state.orders.get(m1)?.status, "ACCEPTED");
  assert.equal((await second.venue.openOrders()).map((o) => o.clientOrderId).join(), m1, "the paper venue holds the resting leg again");
  await second.advance(sentAt + 5_000 - second.clock.now());

  const expiries = ofType(second.events, "router.ttl-expired");
  assert.equal(expiries[0]?.clientOrderId, m1);
  assert.equal(expiries[0]!.ts, sentAt + 2_000, "the TTL runs from when the leg was sent, not from the restart");
  assert.deepEqual(
    legsOf(second, parentId).map((l) => l.clientOrderId),
    [`${parentId}-m2`, `${parentId}-t1`],
  );
  assert.equal(ofType(second.events, "order.intent").filter((i) => i.clientOrderId === m1).length, 0, "m1 was never sent again");
  assert.equal(doneOf(second, parentId)?.reason, "filled");
  await second.stop();

  // The whole journal: every client order id has exactly one intent, and a replay rebuilds the parent.
  const journal = SqliteJournal.open(j.path, { writer: "inline" });
  const records = [...journal.read()].map((r) => r.event);
  const ids = records.filter((e) => e.type === "order.intent").map((e) => (e as { clientOrderId: string }).clientOrderId);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, [m1, `${parentId}-m2`, `${parentId}-t1`]);
  const replayed = replayJournal(journal, dec("1000000"));
  journal.close();
  assert.deepEqual(replayed.report.errors, []);
  const p = replayed.state.parents.get(parentId)!;
  assert.equal(p.done?.reason, "filled");
  assert.deepEqual(buildReport(replayed.state, { path: "", events: 0 }).execution, second.rt.report().execution);
});

test("the kill switch cancels a resting maker leg: the parent ends, no fallback is sent", async () => {
  const t = await start([...ttl(5_000), "execution.makerOffsetTicks=-500"]);
  await t.advance(2_050);
  const parentId = route(t, "buy", "0.01");
  await t.advance(200);
  t.rt.killSwitch.trigger("OPERATOR_STOP", "test");
  await t.advance(1_000);
  assert.equal(legsOf(t, parentId).length, 1, "no taker leg");
  const done = doneOf(t, parentId)!;
  assert.equal(done.reason, "cancelled");
  const cancel = ofType(t.events, "order.cancel-requested").find((c) => c.clientOrderId === legsOf(t, parentId)[0]!.clientOrderId);
  assert.equal(cancel?.reason, "kill switch", "cancelled by the kill switch, not by the router");
  assert.equal(done.filledQty, 0n);
});

test("strategies trade through the router: entries rest first; with urgency immediate, never", async () => {
  const run = async (urgency: Urgency): Promise<HeanEvent[]> => {
    const t = await start(["strategy.name=churn", `execution.urgency=${urgency}`, `execution.exitUrgency=${urgency}`, ...ttl(500)]);
    await t.advance(12_000);
    const events = [...t.events];
    await t.stop();
    return events;
  };
  const maker = await run("normal");
  const parents = ofType(maker, "router.parent");
  assert.ok(parents.some((p) => p.purpose === "entry") && parents.some((p) => p.purpose === "exit" && p.reduceOnly));
  const intents = ofType(maker, "order.intent");
  assert.ok(intents.length > 0 && intents.every((i) => i.parentId !== undefined), "every strategy order is a router child");
  assert.ok(intents.some((i) => i.timeInForce === "POST_ONLY"));
  const taker = await run("immediate");
  const takerIntents = ofType(taker, "order.intent");
  assert.ok(takerIntents.length > 0 && takerIntents.every((i) => i.timeInForce === "IOC"));
});

test("an exit parent never reduces more than the position holds", async () => {
  const t = await start([...ttl(500), "execution.maxReprices=0", "execution.makerOffsetTicks=-500"]);
  await t.advance(2_050);
  openPosition(t, SYMBOL, "buy", "0.02");
  await t.advance(100);
  const r = t.rt.router.route({ strategyId: "test", symbol: SYMBOL, side: "sell", qty: dec("0.05"), urgency: "normal", purpose: "exit", reduceOnly: true });
  assert.ok(r.ok);
  await t.advance(1_000);
  const legs = legsOf(t, r.parentId);
  assert.ok(legs.every((l) => l.qty <= dec("0.02")), "each leg is capped at the position");
  const done = doneOf(t, r.parentId)!;
  assert.equal(done.filledQty, dec("0.02"));
  assert.equal(t.rt.engine.state.portfolio.position(SYMBOL).qty, 0n);
});

test("bad parent orders are refused with a code and change nothing", async () => {
  const t = await start([]);
  const noBook = t.rt.router.route({ strategyId: "t", symbol: SYMBOL, side: "buy", qty: dec("0.01"), urgency: "normal", purpose: "entry", reduceOnly: false });
  assert.deepEqual(noBook.ok ? "ok" : noBook.code, "NO_MARKET_DATA");
  await t.advance(1_000);
  const cases = [
    { qty: dec("0"), code: "SIZE_ZERO" },
    { qty: dec("-1"), code: "SIZE_ZERO" },
    { qty: dec("0.0001"), code: "BELOW_MINIMUM" },
  ];
  for (const c of cases) {
    const r = t.rt.router.route({ strategyId: "t", symbol: SYMBOL, side: "buy", qty: c.qty, urgency: "normal", purpose: "entry", reduceOnly: false });
    assert.equal(r.ok ? "ok" : r.code, c.code);
  }
  const badSide = t.rt.router.route({ strategyId: "t", symbol: SYMBOL, side: "long" as "buy", qty: dec("0.01"), urgency: "normal", purpose: "entry", reduceOnly: false });
  assert.equal(badSide.ok ? "ok" : badSide.code, "INVALID_SIDE");
  const badUrgency = t.rt.router.route({ strategyId: "t", symbol: SYMBOL, side: "buy", qty: dec("0.01"), urgency: "asap" as Urgency, purpose: "entry", reduceOnly: false });
  assert.equal(badUrgency.ok ? "ok" : badUrgency.code, "INVALID_URGENCY");
  const unknown = t.rt.router.route({ strategyId: "t", symbol: "DOGEUSDT", side: "buy", qty: dec("1"), urgency: "normal", purpose: "entry", reduceOnly: false });
  assert.equal(unknown.ok ? "ok" : unknown.code, "UNKNOWN_SYMBOL");
  const denied = t.rt.router.route({ strategyId: "t", symbol: SYMBOL, side: "buy", qty: dec("99"), urgency: "normal", purpose: "entry", reduceOnly: false });
  assert.equal(denied.ok ? "ok" : denied.code, "MAX_ORDER_NOTIONAL");
  assert.equal(ofType(t.events, "order.denied").length, 1, "the denial is journaled as usual");
  assert.equal(t.rt.engine.state.parents.count, 0);
  assert.equal(ofType(t.events, "order.intent").length, 0);
});
