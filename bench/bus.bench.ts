/**
 * Bus throughput: events per second through publish + dispatch to one handler, async mode, drained,
 * against a bare EventEmitter emitting the same events to one listener in the same process.
 *
 * Both sides get the same shape of work: batches of BATCH events, then one turn of the event loop
 * (the bus drains on that turn; the emitter has already delivered). Market events in a batch use
 * distinct symbols so that conflation does not discard any: every published event is delivered.
 * Events are built once up front so that allocation is not what is measured.
 */
import { EventEmitter } from "node:events";
import { EventBus } from "../src/bus/event-bus.ts";
import { RealClock } from "../src/core/clock.ts";
import { dec } from "../src/core/decimal.ts";
import { symbolIdOf, type HeanEvent } from "../src/core/events.ts";
import type { BenchResult } from "./result.ts";

const EVENTS_PER_ROUND = 200_000;
const BATCH = 1_000;
const WARMUP_ROUNDS = 2;
const ROUNDS = 7;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `stamped`: each book carries `symbolId`, as the live venue streams publish them (Bybit, Binance
 * and the simulated venue resolve their symbols once, at subscription, and stamp every book and
 * trade), so the bus indexes by it instead of hashing the symbol: that is the engine's path and the
 * target. Unstamped books (the backtest venue's, whose symbols come from the recording's rows) show
 * the cost of the lookup by name.
 */
function marketEvents(stamped: boolean): HeanEvent[] {
  const px = dec("65000.1");
  const qty = dec("0.5");
  // One string per symbol, shared by its events, as in production (a venue stream publishes books
  // with its configured symbol string): a new string per event would make the bus's symbol lookup
  // compare characters, which is string work, not bus work.
  const symbols = Array.from({ length: BATCH }, (_, i) => `SYM${i}`);
  // Written out in full both ways, not with a conditional spread: a spread would add `symbolId`
  // after the literal's in-object fields, in a separate property array a venue's literal would
  // not have.
  if (stamped) {
    // Resolved once per symbol, as a venue stream would when it subscribes.
    const ids = symbols.map((s) => symbolIdOf(s));
    return Array.from({ length: EVENTS_PER_ROUND }, (_, i): HeanEvent => ({
      type: "market.book",
      ts: i,
      symbol: symbols[i % BATCH]!,
      bid: px,
      bidQty: qty,
      ask: px,
      askQty: qty,
      venueTs: i,
      afterGap: false,
      symbolId: ids[i % BATCH]!,
    }));
  }
  return Array.from({ length: EVENTS_PER_ROUND }, (_, i): HeanEvent => ({
    type: "market.book",
    ts: i,
    symbol: symbols[i % BATCH]!,
    bid: px,
    bidQty: qty,
    ask: px,
    askQty: qty,
    venueTs: i,
    afterGap: false,
  }));
}

function criticalEvents(): HeanEvent[] {
  return Array.from({ length: EVENTS_PER_ROUND }, (_, i): HeanEvent => ({
    type: "order.accepted",
    ts: i,
    clientOrderId: `o${i}`,
    venueOrderId: `v${i}`,
  }));
}

/** Events per second through a fresh bus. */
async function busRound(events: readonly HeanEvent[]): Promise<number> {
  const bus = new EventBus({ clock: new RealClock(), mode: "async" });
  let seen = 0;
  bus.subscribe("counter", () => {
    seen++;
  });
  const start = performance.now();
  for (let i = 0; i < events.length; ) {
    const end = Math.min(i + BATCH, events.length);
    for (; i < end; i++) bus.publish(events[i]!);
    while (bus.pending() > 0) await nextTurn();
  }
  const elapsed = performance.now() - start;
  if (seen !== events.length) throw new Error(`bus delivered ${seen} of ${events.length} events`);
  return (events.length / elapsed) * 1000;
}

async function emitterRound(events: readonly HeanEvent[]): Promise<number> {
  const emitter = new EventEmitter();
  let seen = 0;
  emitter.on("event", () => {
    seen++;
  });
  const start = performance.now();
  for (let i = 0; i < events.length; ) {
    const end = Math.min(i + BATCH, events.length);
    for (; i < end; i++) emitter.emit("event", events[i]);
    await nextTurn();
  }
  const elapsed = performance.now() - start;
  if (seen !== events.length) throw new Error(`emitter delivered ${seen} of ${events.length} events`);
  return (events.length / elapsed) * 1000;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function compare(name: string, events: readonly HeanEvent[]): Promise<BenchResult> {
  for (let r = 0; r < WARMUP_ROUNDS; r++) {
    await emitterRound(events);
    await busRound(events);
  }
  const bus: number[] = [];
  const emitter: number[] = [];
  // Alternate so that drift in machine load hits both sides alike.
  for (let r = 0; r < ROUNDS; r++) {
    emitter.push(await emitterRound(events));
    bus.push(await busRound(events));
  }
  const value = median(bus);
  const baselineValue = median(emitter);
  return { name, unit: "events/s", value, baselineName: "EventEmitter", baselineValue, ratio: value / baselineValue };
}

/** Target (reported, not asserted): the bus at ≥ 0.5× a bare EventEmitter on both lanes. */
export async function runBusBench(): Promise<BenchResult[]> {
  // The unstamped market run right after the stamped one, so that the two compare the bus in the
  // same state (after the critical run its code has also been optimised for critical events).
  const market = await compare("bus throughput, market lane", marketEvents(true));
  const unstamped = await compare("bus throughput, market lane, unstamped symbols (looked up by name)", marketEvents(false));
  const critical = await compare("bus throughput, critical lane", criticalEvents());
  return [market, critical, unstamped];
}
