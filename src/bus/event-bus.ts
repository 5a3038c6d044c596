/**
 * The event bus: lanes with priorities, conflated market data, isolated handlers.
 *
 * - Critical lanes (commands, risk, orders, fills, system) keep every event and deliver them in
 *   publish order (one global sequence across critical lanes, so an order's `accepted` can never
 *   overtake its `filled`). They are always drained before any market data.
 * - The market lane keeps at most one waiting event per (kind, symbol): a newer tick replaces the
 *   waiting one. It is bounded by the number of keys; every replacement and drop is counted.
 * - A handler that throws (or rejects) never stops the others: the event goes to a bounded,
 *   inspectable dead-letter store, is counted, and an alert is raised.
 * - Utilisation per lane is exposed; crossing 80% and 95% raises throttled alerts.
 */
import type { Clock } from "../core/clock.ts";
import { HeanError, describeError } from "../core/errors.ts";
import { ALL_EVENT_TYPES, type AlertEvent, type EventType, type HeanEvent } from "../core/events.ts";
import { ALL_LANES, type Lane, laneOfType } from "./lanes.ts";
import { KIND_MASK, MARKET_KINDS, NO_SLOT, slotOf } from "./market-slots.ts";

export type Handler = (event: HeanEvent) => void | Promise<void>;

/**
 * - `async`: publish schedules a drain on the next turn (setImmediate); drains run in time slices
 *   so sockets and timers get their turn (the production mode).
 * - `sync`: publish dispatches at once unless a dispatch is already running (re-entrant publishes
 *   queue behind it). Deterministic; used by replays and tests on a simulated clock.
 * - `manual`: nothing runs until `drain()` is called (tests of queueing behaviour).
 */
export type DispatchMode = "async" | "sync" | "manual";

export interface BusOptions {
  readonly clock: Clock;
  readonly mode?: DispatchMode;
  /** Soft capacity of each critical lane: never enforced by dropping, only for utilisation alerts. */
  readonly criticalCapacity?: number;
  /** Hard bound on distinct (kind, symbol) keys waiting in the market lane. */
  readonly marketCapacity?: number;
  /** How long one async drain slice may run before yielding to I/O. */
  readonly sliceMs?: number;
  readonly alertThrottleMs?: number;
  readonly deadLetterCapacity?: number;
}

export interface DeadLetter {
  readonly ts: number;
  readonly eventType: EventType;
  readonly handler: string;
  readonly error: { readonly code: string; readonly message: string };
  readonly event: HeanEvent;
}

export interface LaneStats {
  readonly lane: Lane;
  readonly depth: number;
  readonly capacity: number;
  readonly utilisation: number;
  readonly highWater: number;
  readonly published: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly conflated: number;
}

export interface BusStats {
  readonly lanes: readonly LaneStats[];
  readonly droppedByType: Readonly<Record<string, number>>;
  readonly deadLetters: number;
}

interface Subscription {
  readonly name: string;
  readonly handler: Handler;
  readonly types: ReadonlySet<EventType> | undefined;
  active: boolean;
}

/**
 * Everything the bus needs to know about one event type, found with one lookup per publish and
 * carried beside the queued event, so delivery needs none.
 */
interface TypeRoute {
  readonly lane: Lane;
  readonly counters: LaneCounters;
  /** Index into MARKET_KINDS for market data, -1 for critical lanes. */
  readonly marketKind: number;
  /** The subscriptions that want this type (replaced on subscribe/unsubscribe). */
  subs: Subscription[];
  /**
   * Their handlers and names, side by side: delivery calls `handlers[i]` with no load through a
   * subscription object and no per-call `active` test. An unsubscribe swaps the handler for a no-op
   * in the arrays a dispatch in progress may still be iterating.
   */
  handlers: Handler[];
  names: string[];
}

const unsubscribed: Handler = () => undefined;

type MarketEvent = Extract<HeanEvent, { type: (typeof MARKET_KINDS)[number] }>;

/**
 * Events delivered before a drain slice first reads the clock, and most between two reads. The
 * first check comes early so that slow handlers are found at once; after it the pace decides. The
 * most is a count, not a time: `performance.now()` costs 110-400 ns on a VM, more than delivering
 * a few events, so a slice of fast handlers should read it about twice, not once per 256 events.
 */
const FIRST_CLOCK_CHECK = 4;
const MAX_CLOCK_STRIDE = 1024;
const NO_DEADLINE = Infinity;

/** The least lengths of the rings (powers of two; the critical ring holds two entries per event). */
const MIN_CRITICAL_RING = 2048;
const MIN_MARKET_RING = 64;

/** The kind indices of the market types (their places in MARKET_KINDS), compared against on every publish. */
const BOOK = MARKET_KINDS.indexOf("market.book");
const TRADE = MARKET_KINDS.indexOf("market.trade");

/**
 * Per lane. `delivered` is not counted per event but derived in `stats()`: every published event is
 * waiting, delivered, dropped or conflated (replaced while waiting), so delivery touches no counter
 * on the market lane and only `depth` on the critical ones.
 */
interface LaneCounters {
  depth: number;
  published: number;
  dropped: number;
  conflated: number;
  highWater: number;
  alertLevel: 0 | 80 | 95;
  /** Throttled per level: a warning at 80 % must not silence the critical alert at 95 %. */
  lastAlertAt: { 80: number; 95: number };
  /** The depth from which utilisation is checked (the lowest alert level). */
  readonly alertAt: number;
  /**
   * The depth up to which a queued event needs no bookkeeping: at most the high-water mark and below
   * `alertAt`, or -1 while an alert level is raised (every enqueue then re-checks). One compare per
   * enqueue instead of three; kept by `quieten`.
   */
  quiet: number;
}

const newCounters = (capacity: number): LaneCounters => ({
  depth: 0,
  published: 0,
  dropped: 0,
  conflated: 0,
  highWater: 0,
  alertLevel: 0,
  lastAlertAt: { 80: -Infinity, 95: -Infinity },
  alertAt: Math.ceil(capacity * 0.8),
  quiet: 0,
});

/** After the high-water mark or the alert level changed. */
const quieten = (c: LaneCounters): void => {
  c.quiet = c.alertLevel !== 0 ? -1 : Math.min(c.highWater, c.alertAt - 1);
};

export class EventBus {
  readonly #clock: Clock;
  /** The mode as two flags, read on every publish: a boolean test, not string compares. */
  readonly #sync: boolean;
  readonly #async: boolean;
  readonly #criticalCapacity: number;
  readonly #marketCapacity: number;
  readonly #sliceMs: number;
  readonly #alertThrottleMs: number;
  readonly #deadLetterCapacity: number;

  /**
   * All critical lanes share one FIFO: delivering in global publish order is what "in order"
   * means across lanes. Depth, counters and alerts are still kept per lane. Each event is queued
   * with its route, so delivery needs no lookup: a ring of pairs in one array (event at an even
   * index, its route after it), indices kept within the mask, one pair always free so that
   * head === tail means empty.
   *
   * The queues' state is the bus's own fields, not objects of their own: one object to load from
   * on every publish and delivery, and no answers passed back through fields or sentinels.
   */
  #criticalRing: unknown[] = new Array<unknown>(MIN_CRITICAL_RING);
  #criticalMask = MIN_CRITICAL_RING - 1;
  #criticalHead = 0;
  #criticalTail = 0;
  /**
   * The market lane: at most one waiting event per (kind, symbol) slot (see market-slots.ts), oldest
   * waiting first. Waiting events sit in a ring in arrival order, each beside its slot, and a slot
   * knows its position in the ring. A replacement leaves a tombstone (`undefined`) where the
   * replaced event was and queues the new one at the back; delivery skips tombstones; the ring is
   * compacted when it fills. One entry always stays free, so head === tail means empty.
   */
  /** Per slot: its event's position in the ring, or NO_SLOT when nothing waits in it. */
  #slotPos: Int32Array = new Int32Array(0);
  #marketEvents: (MarketEvent | undefined)[] = new Array<MarketEvent | undefined>(MIN_MARKET_RING);
  #marketSlots: Int32Array = new Int32Array(MIN_MARKET_RING);
  #marketMask = MIN_MARKET_RING - 1;
  #marketHead = 0;
  #marketTail = 0;
  /** Events waiting in the market lane (ring entries that are not tombstones). */
  #marketSize = 0;
  /**
   * The route the last critical publish looked up, by its type: bursts of one type (fills, order
   * updates, a replay) skip the Map. Type strings from the catalogue are interned, so the test is a
   * pointer compare; another string equal to it finds the same route either way.
   */
  #lastType = "";
  #lastRoute: TypeRoute | undefined = undefined;
  /** The routes of the market kinds, by kind index: delivery of market data needs no lookup either. */
  readonly #marketRoutes: readonly TypeRoute[];
  readonly #counters: Record<Lane, LaneCounters>;
  readonly #marketCounters: LaneCounters;
  /**
   * Type → route. A Map, not a prototype-less object: for the catalogue's interned type strings
   * `Map.get` measured ~5-6 ns against ~8-9 ns for the object (the opposite of symbol strings, see
   * market-slots.ts).
   */
  readonly #routes = new Map<string, TypeRoute>();
  readonly #droppedByType = new Map<string, number>();
  readonly #deadLetters: DeadLetter[] = [];
  #deadLetterCount = 0;
  readonly #lastDeadLetterAlert = new Map<string, number>();

  #subscriptions: Subscription[] = [];
  #dispatching = false;
  #scheduled = false;
  #closed = false;
  /**
   * Open and not in sync mode: publish only queues. The one flag publish tests (compared with
   * `=== true`: a field's truthiness compiles to a test against every falsy value).
   */
  #queueing: boolean;

  constructor(options: BusOptions) {
    this.#clock = options.clock;
    const mode = options.mode ?? "async";
    this.#sync = mode === "sync";
    this.#async = mode === "async";
    this.#queueing = !this.#sync;
    this.#criticalCapacity = options.criticalCapacity ?? 100_000;
    this.#marketCapacity = options.marketCapacity ?? 10_000;
    this.#sliceMs = options.sliceMs ?? 5;
    this.#alertThrottleMs = options.alertThrottleMs ?? 30_000;
    this.#deadLetterCapacity = options.deadLetterCapacity ?? 1_000;
    this.#counters = Object.fromEntries(ALL_LANES.map((l) => [l, newCounters(l === "market" ? this.#marketCapacity : this.#criticalCapacity)])) as Record<Lane, LaneCounters>;
    this.#marketCounters = this.#counters.market;
    for (const type of ALL_EVENT_TYPES) {
      const lane = laneOfType(type);
      this.#routes.set(type, { lane, counters: this.#counters[lane], marketKind: (MARKET_KINDS as readonly string[]).indexOf(type), subs: [], handlers: [], names: [] });
    }
    this.#marketRoutes = MARKET_KINDS.map((kind) => this.#routes.get(kind)!);
  }

  /**
   * Handlers run in subscription order for each event; `types` limits what a handler receives.
   * Returns an unsubscribe function.
   */
  subscribe(name: string, handler: Handler, types?: readonly EventType[]): () => void {
    const sub: Subscription = { name, handler, types: types === undefined ? undefined : new Set(types), active: true };
    this.#subscriptions.push(sub);
    this.#rebuildRoutes();
    return () => {
      if (!sub.active) return;
      sub.active = false;
      // A dispatch in progress iterates the arrays it started with: from now on it finds a no-op there.
      for (const type of ALL_EVENT_TYPES) {
        const route = this.#routes.get(type)!;
        const i = route.subs.indexOf(sub);
        if (i >= 0) route.handlers[i] = unsubscribed;
      }
      this.#subscriptions = this.#subscriptions.filter((s) => s !== sub);
      this.#rebuildRoutes();
    };
  }

  /**
   * Kept small, with everything but queuing out of line: V8 inlines a function into its caller only
   * while the caller's inlining budget lasts, and a publisher's loop that inlines `publish` saves a
   * call per event.
   */
  publish(event: HeanEvent): void {
    if (this.#queueing === true) {
      const type = event.type;
      // Market data is most of what is published: its kind is found by pointer compares (interned
      // strings), with no lookup.
      if (type === "market.book") this.#enqueueMarket(event as MarketEvent, BOOK);
      else if (type === "market.trade") this.#enqueueMarket(event as MarketEvent, TRADE);
      else this.#enqueueCritical(event, type);
      // Async mode: one drain scheduled per batch (manual mode: nothing runs until drain()).
      if (this.#scheduled === false && this.#async === true) this.#schedule();
      return;
    }
    this.#publishUnqueued(event);
  }

  #schedule(): void {
    if (this.#dispatching) return;
    this.#scheduled = true;
    setImmediate(this.#drainSliceCallback);
  }

  /** Closed, or sync mode. */
  #publishUnqueued(event: HeanEvent): void {
    if (this.#closed) return;
    const type = event.type;
    this.#publishSync(event, type, type === "market.book" ? BOOK : type === "market.trade" ? TRADE : -1);
  }

  /** Deliver everything waiting, now (tests, shutdown, manual mode). */
  drain(): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      this.#deliver(0, NO_DEADLINE);
    } finally {
      this.#dispatching = false;
    }
  }

  /** Number of events waiting in all lanes. */
  pending(): number {
    return (((this.#criticalTail - this.#criticalHead) & this.#criticalMask) >> 1) + this.#marketSize;
  }

  /** Entries allocated in the market lane's ring (for tests of its bound). */
  get marketRingLength(): number {
    return this.#marketMask + 1;
  }

  stats(): BusStats {
    const lanes = ALL_LANES.map((lane): LaneStats => {
      const c = this.#counters[lane];
      const depth = lane === "market" ? this.#marketSize : c.depth;
      const capacity = lane === "market" ? this.#marketCapacity : this.#criticalCapacity;
      return {
        lane,
        depth,
        capacity,
        utilisation: depth / capacity,
        highWater: c.highWater,
        published: c.published,
        delivered: c.published - depth - c.dropped - c.conflated,
        dropped: c.dropped,
        conflated: c.conflated,
      };
    });
    return { lanes, droppedByType: Object.fromEntries(this.#droppedByType), deadLetters: this.#deadLetterCount };
  }

  deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters;
  }

  close(): void {
    this.#closed = true;
    this.#queueing = false;
  }

  /** Sync mode: deliver at once when idle, else queue behind the dispatch that runs. */
  #publishSync(event: HeanEvent, type: string, kind: number): void {
    if (!this.#dispatching && this.pending() === 0) {
      const route = kind >= 0 ? this.#marketRoutes[kind]! : this.#routeOf(type);
      // Nothing waits and nothing runs: deliver directly, no queue round trip.
      route.counters.published++;
      this.#dispatching = true;
      try {
        this.#dispatch(event, route);
      } finally {
        this.#dispatching = false;
      }
    } else if (kind >= 0) this.#enqueueMarket(event as MarketEvent, kind);
    else this.#enqueueCritical(event, type);
    this.drain();
  }

  #routeOf(type: string): TypeRoute {
    const route = this.#routes.get(type);
    if (route === undefined) throw new HeanError("EVENT_INVALID", `the bus has no lane for event type ${String(type)}`, { type });
    return route;
  }

  #enqueueCritical(event: HeanEvent, type: string): void {
    let route = this.#lastRoute;
    if (type !== this.#lastType || route === undefined) {
      route = this.#routeOf(type);
      this.#lastType = type;
      this.#lastRoute = route;
    }
    const counters = route.counters;
    counters.published++;
    let t = this.#criticalTail;
    let next = (t + 2) & this.#criticalMask;
    if (next === this.#criticalHead) {
      this.#growCritical();
      t = this.#criticalTail;
      next = t + 2; // within the new ring: twice as long as what it holds
    }
    const ring = this.#criticalRing;
    ring[t] = event;
    ring[t + 1] = route;
    this.#criticalTail = next;
    const depth = ++counters.depth;
    if (depth > counters.quiet) {
      // A new high-water mark below the alert levels (see `#enqueueMarket`).
      if (depth < counters.alertAt && counters.alertLevel === 0) counters.highWater = counters.quiet = depth;
      else this.#deepened(route.lane, depth, this.#criticalCapacity, counters);
    }
  }

  /** The critical ring is full: copy its pairs, in order, into one twice as long. */
  #growCritical(): void {
    const old = this.#criticalRing;
    const mask = this.#criticalMask;
    const ring = new Array<unknown>((mask + 1) * 2);
    let n = 0;
    for (let h = this.#criticalHead; h !== this.#criticalTail; h = (h + 2) & mask) {
      ring[n++] = old[h];
      ring[n++] = old[h + 1];
    }
    this.#criticalRing = ring;
    this.#criticalMask = ring.length - 1;
    this.#criticalHead = 0;
    this.#criticalTail = n;
  }

  /** A lane's depth passed its `quiet` mark: the high-water mark, then alerts. */
  #deepened(lane: Lane, depth: number, capacity: number, counters: LaneCounters): void {
    if (depth > counters.highWater) counters.highWater = depth;
    if (depth >= counters.alertAt || counters.alertLevel !== 0) this.#checkUtilisation(lane, depth, capacity, counters);
    else quieten(counters);
  }

  #drainSlice(): void {
    this.#scheduled = false;
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      const start = performance.now();
      this.#deliver(start, start + this.#sliceMs);
    } finally {
      this.#dispatching = false;
    }
    if (this.pending() > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#drainSliceCallback);
    }
  }

  /**
   * Deliver waiting events, critical lanes first, until none wait or `deadline` has passed (a slice
   * that began at `start`); with NO_DEADLINE the clock is never read (sync mode drains after every
   * publish). One loop with the dequeue written in it: no call per event to find the next one, no
   * out-parameter.
   */
  #deliver(start: number, deadline: number): void {
    let n = 0;
    let nextCheck = deadline === NO_DEADLINE ? -1 : FIRST_CLOCK_CHECK;
    for (;;) {
      // The queues' fields are read afresh for every event: a handler may have published.
      let event: HeanEvent;
      let route: TypeRoute;
      const ch = this.#criticalHead;
      if (ch !== this.#criticalTail) {
        const ring = this.#criticalRing;
        event = ring[ch] as HeanEvent;
        route = ring[ch + 1] as TypeRoute;
        // Cleared so that a delivered event is not kept alive by the ring.
        ring[ch] = undefined;
        ring[ch + 1] = undefined;
        this.#criticalHead = (ch + 2) & this.#criticalMask;
        const c = route.counters;
        const depth = --c.depth;
        if (c.alertLevel !== 0 && depth < c.alertAt) this.#checkUtilisation(route.lane, depth, this.#criticalCapacity, c);
      } else {
        const events = this.#marketEvents;
        const mask = this.#marketMask;
        const tail = this.#marketTail;
        let h = this.#marketHead;
        let waiting: MarketEvent | undefined;
        for (;;) {
          if (h === tail) {
            this.#marketHead = h;
            return;
          }
          waiting = events[h];
          if (waiting !== undefined) break;
          h = (h + 1) & mask; // a tombstone: its slot was requeued further back
        }
        events[h] = undefined;
        const slot = this.#marketSlots[h]!;
        this.#marketHead = (h + 1) & mask;
        this.#slotPos[slot] = NO_SLOT;
        this.#marketSize--;
        event = waiting;
        route = this.#marketRoutes[slot & KIND_MASK]!;
      }
      this.#dispatch(event, route);
      if (++n === nextCheck) {
        // Reading the clock costs more than delivering an event: look again about halfway to
        // the deadline at the pace seen so far, but at least every MAX_CLOCK_STRIDE events (slow
        // handlers are checked often, fast ones rarely).
        const now = performance.now();
        if (now > deadline) return;
        const perEvent = (now - start) / n;
        const halfway = perEvent > 0 ? Math.floor((deadline - now) / perEvent / 2) : MAX_CLOCK_STRIDE;
        nextCheck = n + (halfway < 1 ? 1 : halfway > MAX_CLOCK_STRIDE ? MAX_CLOCK_STRIDE : halfway);
      }
    }
  }

  /**
   * Made once: an arrow written where a drain is scheduled would make V8 allocate a context for
   * `this` on every call of the method holding it, whether or not the branch that schedules runs.
   */
  readonly #drainSliceCallback = (): void => this.#drainSlice();

  #enqueueMarket(event: MarketEvent, kind: number): void {
    const counters = this.#marketCounters;
    counters.published++;
    const slot = slotOf(kind, event);
    let pos = this.#slotPos;
    if (slot >= pos.length) pos = this.#ensureSlots(slot + 1);
    if (pos[slot] !== NO_SLOT) {
      this.#conflate(event, slot, counters);
      return;
    }
    if (this.#marketSize >= this.#marketCapacity) {
      this.#dropMarket(event, counters);
      return;
    }
    this.#pushMarket(slot, event);
    const depth = ++this.#marketSize;
    if (depth > counters.quiet) {
      // A new high-water mark below the alert levels, the common case, written here (with no alert
      // raised, `quiet` is min(highWater, alertAt - 1), so depth passed the high-water mark): the call
      // to `#deepened` stays rare, so V8 does not inline it and `publish` stays small.
      if (depth < counters.alertAt && counters.alertLevel === 0) counters.highWater = counters.quiet = depth;
      else this.#deepened("market", depth, this.#marketCapacity, counters);
    }
  }

  #pushMarket(slot: number, event: MarketEvent): void {
    let t = this.#marketTail;
    let next = (t + 1) & this.#marketMask;
    if (next === this.#marketHead) {
      this.#compactMarket();
      t = this.#marketTail;
      next = t + 1; // within the new ring: it is at least twice as long as what it holds, and 64
    }
    this.#marketEvents[t] = event;
    this.#marketSlots[t] = slot;
    this.#slotPos[slot] = t;
    this.#marketTail = next;
  }

  /**
   * The market ring is full: copy the waiting events, in order, into a ring twice as long as they
   * need (so that at least as many pushes as there are waiting events pass before the next copy:
   * O(1) amortised). Tombstones are dropped; the ring shrinks back after a burst.
   */
  #compactMarket(): void {
    let length = MIN_MARKET_RING;
    while (length < this.#marketSize * 2) length *= 2;
    const events = new Array<MarketEvent | undefined>(length);
    const slots = new Int32Array(length);
    const oldEvents = this.#marketEvents;
    const oldSlots = this.#marketSlots;
    const mask = this.#marketMask;
    let n = 0;
    for (let h = this.#marketHead; h !== this.#marketTail; h = (h + 1) & mask) {
      const event = oldEvents[h];
      if (event === undefined) continue;
      const slot = oldSlots[h]!;
      events[n] = event;
      slots[n] = slot;
      this.#slotPos[slot] = n;
      n++;
    }
    this.#marketEvents = events;
    this.#marketSlots = slots;
    this.#marketMask = length - 1;
    this.#marketHead = 0;
    this.#marketTail = n;
  }

  #ensureSlots(n: number): Int32Array {
    const pos = new Int32Array(Math.max(64, this.#slotPos.length * 2, n)).fill(NO_SLOT);
    pos.set(this.#slotPos);
    this.#slotPos = pos;
    return pos;
  }

  /** A new (kind, symbol) while the lane is full: refused and counted. */
  #dropMarket(event: MarketEvent, counters: LaneCounters): void {
    counters.dropped++;
    this.#countDrop(event.type);
    this.#checkUtilisation("market", this.#marketSize, this.#marketCapacity, counters);
  }

  /**
   * An event waits in the slot: replaced, and moved to the back (the freshest data waits its fair
   * turn), unless it is last already (a burst for one symbol leaves no tombstones). Apart from
   * `#enqueueMarket` so that the rare paths do not weigh on inlining the common one.
   */
  #conflate(event: MarketEvent, slot: number, counters: LaneCounters): void {
    const at = this.#slotPos[slot]!;
    const replaced = this.#marketEvents[at]!;
    // A gap flag must survive conflation: the newer book still follows a gap.
    const queued = replaced.type === "market.book" && replaced.afterGap && event.type === "market.book" && !event.afterGap ? { ...event, afterGap: true } : event;
    if (at === ((this.#marketTail - 1) & this.#marketMask)) this.#marketEvents[at] = queued;
    else {
      this.#marketEvents[at] = undefined;
      this.#pushMarket(slot, queued);
    }
    counters.conflated++;
    this.#countDrop(replaced.type);
  }

  #countDrop(type: string): void {
    this.#droppedByType.set(type, (this.#droppedByType.get(type) ?? 0) + 1);
  }

  #dispatch(event: HeanEvent, route: TypeRoute): void {
    // Both read once: a handler that subscribes or unsubscribes replaces the route's arrays, and the
    // names must stay those of the handlers this dispatch iterates.
    const handlers = route.handlers;
    const names = route.names;
    for (let i = 0; i < handlers.length; i++) {
      try {
        const result = handlers[i]!(event);
        if (result !== undefined && typeof (result as Promise<void>).then === "function") this.#watch(result as Promise<void>, event, names[i]!);
      } catch (e) {
        this.#deadLetter(event, names[i]!, e);
      }
    }
  }

  /** Apart from `#dispatch` so that its closure's context is only allocated for async handlers. */
  #watch(result: Promise<void>, event: HeanEvent, handler: string): void {
    result.catch((e: unknown) => this.#deadLetter(event, handler, e));
  }

  #deadLetter(event: HeanEvent, handler: string, error: unknown): void {
    this.#deadLetterCount++;
    const letter: DeadLetter = { ts: this.#clock.now(), eventType: event.type, handler, error: describeError(error), event };
    this.#deadLetters.push(letter);
    if (this.#deadLetters.length > this.#deadLetterCapacity) this.#deadLetters.shift();
    // An alert about a failing alert handler would loop: count it, do not re-raise.
    if (event.type === "alert") return;
    const now = this.#clock.now();
    const last = this.#lastDeadLetterAlert.get(handler) ?? -Infinity;
    if (now - last < this.#alertThrottleMs) return;
    this.#lastDeadLetterAlert.set(handler, now);
    this.#raise("critical", "BUS_HANDLER_FAILED", `handler ${handler} threw on ${event.type}: ${letter.error.message}`, {
      handler,
      eventType: event.type,
      error: letter.error,
      deadLetters: this.#deadLetterCount,
    });
  }

  #checkUtilisation(lane: Lane, depth: number, capacity: number, counters: LaneCounters): void {
    this.#assessUtilisation(lane, depth, capacity, counters);
    quieten(counters);
  }

  #assessUtilisation(lane: Lane, depth: number, capacity: number, counters: LaneCounters): void {
    const pct = (depth / capacity) * 100;
    // Comparisons, not `[95, 80].find(...)`: an overloaded lane comes here on every publish, and the
    // closure would be allocated each time.
    const level = pct >= 95 ? 95 : pct >= 80 ? 80 : 0;
    if (level === 0 || level <= counters.alertLevel) {
      // Re-arm once the lane has drained well below the lowest threshold.
      if (level === 0 && pct < 50) counters.alertLevel = 0;
      return;
    }
    const now = this.#clock.now();
    counters.alertLevel = level;
    if (now - counters.lastAlertAt[level] < this.#alertThrottleMs) return;
    counters.lastAlertAt[level] = now;
    this.#raise(level === 95 ? "critical" : "warning", "BUS_LANE_SATURATED", `lane ${lane} at ${pct.toFixed(1)}% of capacity`, {
      lane,
      depth,
      capacity,
      level,
    });
  }

  #raise(severity: AlertEvent["severity"], code: string, message: string, context: Record<string, unknown>): void {
    this.publish({ type: "alert", ts: this.#clock.now(), severity, code, message, context });
  }

  #rebuildRoutes(): void {
    // New arrays, not edits in place: a dispatch in progress keeps iterating the list it started with.
    for (const type of ALL_EVENT_TYPES) {
      const route = this.#routes.get(type)!;
      route.subs = this.#subscriptions.filter((s) => s.types === undefined || s.types.has(type));
      route.handlers = route.subs.map((s) => s.handler);
      route.names = route.subs.map((s) => s.name);
    }
  }
}
