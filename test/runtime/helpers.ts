/**
 * Deterministic runtimes for tests: the real engine, journal (SQLite, inline writer), risk and
 * simulated venue, on a simulated clock that the test drives.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../../src/core/clock.ts";
import { type Dec, dec } from "../../src/core/decimal.ts";
import type { BookEvent, HeanEvent } from "../../src/core/events.ts";
import { loadConfig, type HeanConfig } from "../../src/config/config.ts";
import { type JournalPort, withFlushes } from "../../src/engine/journal-port.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { SimVenue } from "../../src/venues/sim/sim-venue.ts";
import type { Venue, VenueOrderRequest } from "../../src/execution/venue-port.ts";
import type { CandidateOrder } from "../../src/execution/executor.ts";

export const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

export interface TestRuntime {
  readonly rt: Runtime;
  readonly clock: SimClock;
  readonly venue: SimVenue;
  readonly events: HeanEvent[];
  readonly config: HeanConfig;
  /** Advance simulated time in small steps, letting promises (journal flushes) settle between. */
  advance(ms: number, stepMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real journal (SQLite, inline writer) at `path` behind a JournalPort whose `flush` and
 * `flushUrgent` the test decides (a disk that fails, or is slow); everything else is the real one's.
 */
export function journalWithFlush(path: string, flush: (real: SqliteJournal) => Pick<JournalPort, "flush" | "flushUrgent">): JournalPort {
  const real = SqliteJournal.open(path, { durability: "normal", writer: "inline" });
  return withFlushes(real, flush(real));
}

/** A second into the run, the simulated market's book for `symbol`: what a test's orders are priced from. */
export async function firstBook(t: TestRuntime, symbol = "BTCUSDT"): Promise<BookEvent> {
  await t.advance(1_000);
  const book = t.rt.engine.lastBook(symbol);
  assert.ok(book !== undefined, "a book before the orders");
  return book;
}

/** A buy price 3% under the book's bid, on the tick: an order there rests. */
export function restingBuyPrice(rt: Runtime, book: BookEvent): Dec {
  const tick = rt.instruments.get(book.symbol).tickSize;
  return (((book.bid * 97n) / 100n / tick) * tick) as Dec;
}

/** A GTC limit buy of 0.001 BTCUSDT at `price`: the order the runtime tests hand the executor themselves. */
export function limitBuy(price: Dec, purpose: CandidateOrder["purpose"] = "entry"): CandidateOrder {
  return { strategyId: "test", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.001"), price, timeInForce: "GTC", reduceOnly: false, purpose };
}

/** Shows `seen` each order the runtime hands the venue, before the venue takes it (a throw there is the venue throwing). */
export function watchSubmits(venue: Venue, seen: (order: VenueOrderRequest) => void): void {
  const submit = venue.submit.bind(venue);
  venue.submit = (order: VenueOrderRequest): void => {
    seen(order);
    submit(order);
  };
}

export function tempJournal(name = "journal.db"): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hean-test-"));
  return { path: join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestRuntime(options: {
  journalPath: string;
  overrides?: readonly string[];
  clock?: SimClock;
  recordEvents?: boolean;
  /** A journal of the test's own over the config's path (default: SQLite, inline writer). */
  journal?: (config: HeanConfig) => JournalPort;
  /** A venue of the test's own (default: the runtime's simulated venue). */
  venue?: (config: HeanConfig, clock: SimClock) => Venue;
}): Promise<TestRuntime> {
  const clock = options.clock ?? new SimClock(T0);
  const config = loadConfig({
    overrides: [`journal.path=${JSON.stringify(options.journalPath)}`, "sim.jitterMs=0", ...(options.overrides ?? [])],
  });
  const journal = options.journal?.(config) ?? SqliteJournal.open(config.journal.path, { durability: "normal", writer: "inline" });
  const venue = options.venue?.(config, clock);
  const rt = await Runtime.start({ config, clock, busMode: "sync", journal, ...(venue === undefined ? {} : { venue }) });
  const events: HeanEvent[] = [];
  if (options.recordEvents !== false) rt.outbox.subscribe("test-recorder", (e) => void events.push(e));
  const advance = async (ms: number, stepMs = 20): Promise<void> => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(Math.min(stepMs, end - clock.now()));
      await settle();
    }
  };
  return {
    rt,
    clock,
    venue: rt.venue as SimVenue,
    events,
    config,
    advance,
    stop: () => stopOnSimClock(rt, clock, "test done"),
  };
}

/** A few turns of the event loop: what the last step started (journal flushes, promises) settles. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Stop a runtime on a simulated clock: shutdown waits on that clock for cancels to settle, so keep time moving. */
export async function stopOnSimClock(rt: Runtime, clock: SimClock, reason: string): Promise<void> {
  const stopping = rt.stop(reason);
  let done = false;
  void stopping.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    clock.advance(20);
    await settle();
  }
  await stopping;
}

/** Open a position with an entry order straight through the executor (bypassing strategies). */
export function openPosition(t: TestRuntime, symbol: string, side: "buy" | "sell", qty: string): void {
  const book = t.rt.engine.lastBook(symbol);
  if (book === undefined) throw new Error(`no book yet for ${symbol}`);
  const price = side === "buy" ? ((book.ask * 1001n) / 1000n) : ((book.bid * 999n) / 1000n);
  const instrument = t.rt.instruments.get(symbol);
  const rounded = ((price / instrument.tickSize) * instrument.tickSize) as Dec;
  const result = t.rt.executor.submit({
    strategyId: "test",
    symbol,
    side,
    orderType: "limit",
    qty: dec(qty),
    price: rounded,
    timeInForce: "IOC",
    reduceOnly: false,
    purpose: "entry",
  });
  if (!result.ok) throw new Error(`entry refused: ${result.code} ${result.message}`);
}

export const ofType = <T extends HeanEvent["type"]>(events: readonly HeanEvent[], type: T): Extract<HeanEvent, { type: T }>[] =>
  events.filter((e): e is Extract<HeanEvent, { type: T }> => e.type === type);
