/**
 * No new exposure on stale data (issue 10, defect 6), on the real engine, journal, risk layer,
 * router and simulated venue, on a simulated clock. The sim's `stale` scenario stops all market
 * data from 10 s to 40 s; the threshold here is 2 s.
 *
 * - A resting entry on the silent symbol is cancelled by the staleness watchdog once the
 *   threshold passes, and the router sends no reprice and no taker fallback for it.
 * - A new entry is refused by the pre-trade check with a clear reason.
 * - An intent made on fresh data whose commit completes after the data went stale is not sent.
 * - A reduce-only close still goes out on the same stale data.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { type Dec, dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import type { JournalPort } from "../../src/engine/journal-port.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { STALE } from "../../src/venues/sim/market/scenarios.ts";
import type { SimVenue } from "../../src/venues/sim/sim-venue.ts";
import { T0, type TestRuntime, ofType, openPosition, startTestRuntime, tempJournal } from "./helpers.ts";

const SYMBOL = "BTCUSDT";
const STALE_MS = 2_000;
/** The watchdog looks every 250 ms. */
const WATCHDOG_MS = 250;
const BASE = [
  "strategy.name=none",
  "scenario=stale",
  `risk.staleDataMs=${STALE_MS}`,
  "risk.maxLeverage=30",
  "risk.maxOrderNotional=50000",
  "risk.maxPositionNotional=50000",
  "risk.maxGrossExposure=100000",
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(overrides: readonly string[]): Promise<TestRuntime> {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const t = await startTestRuntime({ journalPath: j.path, overrides: [...BASE, ...overrides] });
  cleanups.push(() => t.stop());
  return t;
}

const lastBookAt = (events: readonly HeanEvent[]): number =>
  Math.max(...ofType(events, "market.book").filter((b) => b.symbol === SYMBOL).map((b) => b.ts));

test("a resting entry on a silent symbol is cancelled at the threshold; no reprice or fallback is sent for it; new entries are refused", async () => {
  // Each TTL expiry at an unchanged touch (nothing moves while the feed is silent) keeps the leg
  // for another TTL; three of those and a `normal` parent falls back to a taker IOC — on data
  // seconds old, which is the defect. The threshold passes long before that.
  const t = await start([
    "execution.ttl.minMs=1500",
    "execution.ttl.maxMs=1500",
    "execution.ttl.baseMs=1500",
    "execution.maxReprices=3",
    "execution.makerOffsetTicks=-500",
  ]);
  await t.advance(STALE.startMs + 50);
  const silentSince = lastBookAt(t.events);
  assert.ok(silentSince <= T0 + STALE.startMs, "the feed has gone silent");
  const r = t.rt.router.route({ strategyId: "test", symbol: SYMBOL, side: "buy", qty: dec("0.01"), urgency: "normal", purpose: "entry", reduceOnly: false });
  assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.message}`);
  const m1 = r.clientOrderId;
  // Past where three TTL extensions would have run out and the fallback would have gone out.
  await t.advance(4 * 1_500 + 2_000);
  assert.ok(t.clock.now() < T0 + STALE.startMs + STALE.durationMs, "still silent");

  const cancel = ofType(t.events, "order.cancel-requested").find((c) => c.clientOrderId === m1);
  assert.ok(cancel !== undefined, "the resting entry was cancelled");
  assert.match(cancel.reason, /^stale market data: BTCUSDT silent \d+ ms$/);
  const after = cancel.ts - silentSince;
  assert.ok(after > STALE_MS && after <= STALE_MS + WATCHDOG_MS, `cancelled ${after} ms after the last book`);
  assert.equal(t.rt.engine.state.orders.get(m1)?.status, "CANCELLED");

  const legs = ofType(t.events, "router.leg").filter((l) => l.parentId === r.parentId);
  assert.deepEqual(legs.map((l) => l.clientOrderId), [m1], "no reprice, no taker fallback");
  const intents = ofType(t.events, "order.intent").filter((i) => i.parentId === r.parentId);
  assert.deepEqual(intents.map((i) => i.clientOrderId), [m1]);
  const done = ofType(t.events, "router.done").find((d) => d.parentId === r.parentId);
  assert.equal(done?.reason, "cancelled");
  assert.equal(done?.filledQty, 0n);
  assert.equal(t.rt.engine.state.portfolio.position(SYMBOL).qty, 0n);

  // A new entry now: refused before it exists, with the reason and the numbers.
  const again = t.rt.router.route({ strategyId: "test", symbol: SYMBOL, side: "sell", qty: dec("0.01"), urgency: "immediate", purpose: "entry", reduceOnly: false });
  assert.equal(again.ok, false);
  assert.equal(again.ok ? "" : again.code, "STALE_MARKET_DATA");
  const denial = ofType(t.events, "order.denied").at(-1)!;
  assert.equal(denial.code, "STALE_MARKET_DATA");
  assert.match(denial.message, /market data for BTCUSDT is \d+ ms old \(limit 2000 ms\)/);
  assert.equal(denial.values.limitMs, String(STALE_MS));
  assert.ok(Number(denial.values.silentMs) > STALE_MS);
  assert.equal(t.rt.killSwitch.active, false, "nothing was held: the kill switch had no reason to act");
});

test("reduce-only closes still go out on stale data: the kill switch flattens while entries are refused", async () => {
  const t = await start([]);
  await t.advance(2_000);
  openPosition(t, SYMBOL, "buy", "0.05");
  await t.advance(500);
  assert.equal(t.rt.engine.state.portfolio.position(SYMBOL).qty, dec("0.05"));
  await t.advance(STALE.startMs - 2_500 + STALE_MS + 2 * WATCHDOG_MS);

  assert.equal(t.rt.engine.state.killSwitch.reason, "STALE_MARKET_DATA");
  const closes = ofType(t.events, "order.intent").filter((i) => i.purpose === "kill-switch");
  assert.ok(closes.length > 0 && closes.every((c) => c.reduceOnly));
  assert.equal(ofType(t.events, "order.denied").length, 0, "no close was refused");
  assert.equal(t.rt.engine.state.portfolio.position(SYMBOL).qty, 0n, "flat");
  const entry = t.rt.executor.submit({ strategyId: "test", symbol: SYMBOL, side: "buy", orderType: "market", qty: dec("0.01"), timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
  assert.equal(entry.ok, false);
});

/** The SQLite journal, with commits that wait while the test holds them (a stalled disk). */
class StallingJournal implements JournalPort {
  readonly #inner: SqliteJournal;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;
  constructor(inner: SqliteJournal) {
    this.#inner = inner;
  }
  get journalId(): string {
    return this.#inner.journalId;
  }
  get path(): string {
    return this.#inner.path;
  }
  hold(): void {
    this.#held = new Promise((r) => (this.#release = r));
  }
  release(): void {
    this.#release?.();
    this.#held = undefined;
  }
  append(event: HeanEvent): number {
    return this.#inner.append(event);
  }
  async flush(): Promise<void> {
    if (this.#held !== undefined) await this.#held;
    await this.#inner.flush();
  }
  flushSync(): void {
    this.#inner.flushSync();
  }
  lastSeq(): number {
    return this.#inner.lastSeq();
  }
  read(fromSeqExclusive?: number) {
    return this.#inner.read(fromSeqExclusive);
  }
  writeSnapshot(seq: number, state: unknown): void {
    this.#inner.writeSnapshot(seq, state);
  }
  latestSnapshot() {
    return this.#inner.latestSnapshot();
  }
  close(): void {
    this.#inner.close();
  }
}

test("an intent made on fresh data whose commit outlasts the threshold is rejected, never sent", async () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  let journal!: StallingJournal;
  const { rt, clock, events, advance, stop } = await startTestRuntime({
    journalPath: j.path,
    overrides: BASE,
    journal: (config) => (journal = new StallingJournal(SqliteJournal.open(config.journal.path, { durability: "normal", writer: "inline" }))),
  });
  cleanups.push(async () => {
    journal.release();
    await stop();
  });

  await advance(STALE.startMs + 20);
  const book = rt.engine.lastBook(SYMBOL)!;
  journal.hold();
  const price = ((book.ask * 1001n) / 1000n / rt.instruments.get(SYMBOL).tickSize) * rt.instruments.get(SYMBOL).tickSize;
  const sent = rt.executor.submit({ strategyId: "test", symbol: SYMBOL, side: "buy", orderType: "limit", qty: dec("0.01"), price: price as Dec, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
  assert.ok(sent.ok, "fresh data: the pre-trade check lets it through");
  await advance(STALE_MS + 200 - (clock.now() - book.ts));
  assert.equal(rt.engine.state.orders.get(sent.clientOrderId)?.status, "PENDING_SUBMIT", "still waiting for its commit");
  journal.release();
  await advance(100);

  const order = rt.engine.state.orders.get(sent.clientOrderId)!;
  assert.equal(order.status, "REJECTED");
  assert.match(order.reason ?? "", /^STALE_MARKET_DATA: market data for BTCUSDT went \d+ ms silent/);
  assert.equal(ofType(events, "order.submitted").filter((s) => s.clientOrderId === sent.clientOrderId).length, 0, "never handed to the venue");
  assert.equal(await (rt.venue as SimVenue).queryOrder(sent.clientOrderId, SYMBOL), undefined, "the venue never saw it");
  assert.equal(rt.engine.state.portfolio.position(SYMBOL).qty, 0n);
  assert.equal(rt.killSwitch.active, false, "hean's own refusal is no rejection storm");
});
