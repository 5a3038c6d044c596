/**
 * The market lane's queue: at most one waiting event per (kind, symbol), oldest-waiting first.
 *
 * Each (kind, symbol) has a numeric slot from the symbol's process-wide id: the `symbolId` the
 * publisher stamped on the event when it names the event's symbol (no hashing), else `symbolIdOf`.
 * Waiting events sit in a ring in arrival order, each beside its slot; a slot knows its position in
 * the ring. A replacement leaves a tombstone where the replaced event was and queues the new one at
 * the back (the freshest data waits its fair turn); dequeue skips tombstones. Enqueue, replace and
 * dequeue are O(1) (amortised: the ring is compacted when tombstones fill it) and allocate nothing on
 * the hot path: no key strings, no Map entries, no iterators. A ring is cheaper per event than the
 * doubly-linked list it replaced: one position written per enqueue instead of four links, and
 * nothing to unlink on dequeue.
 */
import { HeanError } from "../core/errors.ts";
import { symbolIdOf, symbolOfId } from "../core/events.ts";

/** The market-data kinds, each with its own slot per symbol. */
export const MARKET_KINDS = ["market.book", "market.trade"] as const;
export type MarketKind = (typeof MARKET_KINDS)[number];

/**
 * A slot is `symbolId << KIND_BITS | kindIndex`: the kind of a dequeued slot is a mask, not a
 * `%` (an integer division, ~20 cycles, on every delivery).
 */
const KIND_BITS = 1;
const KIND_MASK = (1 << KIND_BITS) - 1;
if (MARKET_KINDS.length > 1 << KIND_BITS) throw new HeanError("EVENT_INVALID", "more market kinds than KIND_BITS can number", { kinds: MARKET_KINDS.length, KIND_BITS });

const NONE = -1;
/** The ring's least length (a power of two). */
const MIN_RING = 64;

export interface SymbolEvent {
  readonly symbol: string;
  readonly symbolId?: number;
}

/** `enqueue` answers with these, or with the event it replaced (no allocation either way). */
export const QUEUED: unique symbol = Symbol("queued");
export const FULL: unique symbol = Symbol("full");

export class MarketSlots<T extends SymbolEvent> {
  /** Waiting slots at most; a new (kind, symbol) beyond it is refused (the caller counts the drop). */
  readonly capacity: number;
  /** Per slot: its event's position in the ring, or NONE when nothing waits in it. */
  #pos = new Int32Array(0);
  /** The ring (a power of two long): events in arrival order, `undefined` for a tombstone. */
  #ringEvents: (T | undefined)[] = new Array<T | undefined>(MIN_RING);
  /** The slot of each ring entry (read when an entry is dequeued, to free its slot). */
  #ringSlots = new Int32Array(MIN_RING);
  #mask = MIN_RING - 1;
  /**
   * Ring indices, kept within the mask (counters that only grew would leave the small-integer range).
   * The entries in use, tombstones included, are those from head up to tail; one entry always stays
   * free, so that head === tail means empty and no count of entries needs keeping.
   */
  #head = 0;
  #tail = 0;
  /** Events waiting (ring entries that are not tombstones). */
  #size = 0;
  /** The kind index of the event the last `dequeue` returned (so the caller needs no lookup by type). */
  dequeuedKind = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** Ring entries allocated (for tests of the bound: below 4 × the waiting events at the last compaction, and at least MIN_RING). */
  get ringLength(): number {
    return this.#mask + 1;
  }

  /**
   * Queue `event` in the slot of (`kindIndex`, its symbol): `QUEUED`; or, when an event waits in
   * that slot, replace it, move the slot to the back and return the replaced event; or `FULL` when
   * the slot is new and `capacity` slots already wait.
   */
  enqueue(kindIndex: number, event: T): T | typeof QUEUED | typeof FULL {
    const slot = this.#slotOf(kindIndex, event);
    const at = this.#pos[slot]!;
    if (at !== NONE) {
      const previous = this.#ringEvents[at]!;
      // Already last: replaced where it stands (a burst for one symbol leaves no tombstones).
      if (at === ((this.#tail - 1) & this.#mask)) {
        this.#ringEvents[at] = event;
        return previous;
      }
      this.#ringEvents[at] = undefined;
      this.#push(slot, event);
      return previous;
    }
    if (this.#size >= this.capacity) return FULL;
    this.#push(slot, event);
    this.#size++;
    return QUEUED;
  }

  /**
   * `enqueue`'s common case, the one a publish costs: when no event waits in the slot of
   * (`kindIndex`, its symbol) and there is room, queue `event` and return true; else change nothing
   * and return false (the caller then calls `enqueue`). A boolean, not `enqueue`'s answer, so that
   * the bus's publish path tests one flag and loads no queue state it does not need.
   */
  tryQueue(kindIndex: number, event: T): boolean {
    const slot = this.#slotOf(kindIndex, event);
    if (this.#pos[slot] !== NONE || this.#size >= this.capacity) return false;
    this.#push(slot, event);
    this.#size++;
    return true;
  }

  /** Swap the event waiting in (`kindIndex`, `event.symbol`) for `event`, in place. */
  overwrite(kindIndex: number, event: T): void {
    const at = this.#pos[this.#slotOf(kindIndex, event)]!;
    if (at !== NONE) this.#ringEvents[at] = event;
  }

  /** The oldest waiting event, removed. */
  dequeue(): T | undefined {
    const events = this.#ringEvents;
    const mask = this.#mask;
    const tail = this.#tail;
    let h = this.#head;
    while (h !== tail) {
      const event = events[h];
      if (event === undefined) {
        h = (h + 1) & mask; // a tombstone: its slot was requeued further back
        continue;
      }
      events[h] = undefined;
      const slot = this.#ringSlots[h]!;
      this.#head = (h + 1) & mask;
      this.#pos[slot] = NONE;
      this.#size--;
      this.dequeuedKind = slot & KIND_MASK;
      return event;
    }
    this.#head = h;
    return undefined;
  }

  #push(slot: number, event: T): void {
    let t = this.#tail;
    let next = (t + 1) & this.#mask;
    if (next === this.#head) {
      this.#makeRoom();
      t = this.#tail;
      next = t + 1; // within the new ring: it is at least twice as long as what it holds, and 64
    }
    this.#ringEvents[t] = event;
    this.#ringSlots[t] = slot;
    this.#pos[slot] = t;
    this.#tail = next;
  }

  /**
   * The ring is full: copy the waiting events, in order, into a ring twice as long as they need (so
   * that at least as many pushes as there are waiting events pass before the next copy: O(1)
   * amortised). Tombstones are dropped; the ring shrinks back after a burst.
   */
  #makeRoom(): void {
    let length = MIN_RING;
    while (length < this.#size * 2) length *= 2;
    const events = new Array<T | undefined>(length);
    const slots = new Int32Array(length);
    let n = 0;
    for (let h = this.#head; h !== this.#tail; h = (h + 1) & this.#mask) {
      const event = this.#ringEvents[h];
      if (event === undefined) continue;
      const slot = this.#ringSlots[h]!;
      events[n] = event;
      slots[n] = slot;
      this.#pos[slot] = n;
      n++;
    }
    this.#ringEvents = events;
    this.#ringSlots = slots;
    this.#mask = length - 1;
    this.#head = 0;
    this.#tail = n;
  }

  #slotOf(kindIndex: number, event: T): number {
    // A stamped id is an array index and a pointer compare (the publisher's symbol string is the one
    // it interned); the lookup by string costs ~8 ns an event more.
    const stamped = event.symbolId;
    const id = stamped !== undefined && symbolOfId(stamped) === event.symbol ? stamped : symbolIdOf(event.symbol);
    const slot = (id << KIND_BITS) | kindIndex;
    if (slot >= this.#pos.length) this.#ensureSlots(slot + 1);
    return slot;
  }

  #ensureSlots(n: number): void {
    if (n <= this.#pos.length) return;
    const pos = new Int32Array(Math.max(64, this.#pos.length * 2, n)).fill(NONE);
    pos.set(this.#pos);
    this.#pos = pos;
  }
}
