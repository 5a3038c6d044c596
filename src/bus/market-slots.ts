/**
 * The market lane's queue: at most one waiting event per (kind, symbol), oldest-waiting first.
 *
 * Each (kind, symbol) gets a numeric slot the first time it is seen (symbols are interned once),
 * and waiting slots form an intrusive doubly-linked list over typed arrays. Enqueue, replace (which
 * moves the slot to the back, so the freshest data waits its fair turn) and dequeue are O(1) and
 * allocate nothing on the hot path: no key strings, no Map entries, no iterators.
 */

/** The market-data kinds, each with its own slot per symbol. */
export const MARKET_KINDS = ["market.book", "market.trade"] as const;
export type MarketKind = (typeof MARKET_KINDS)[number];

const NONE = -1;

export interface SymbolEvent {
  readonly symbol: string;
}

/** `enqueue` answers with these, or with the event it replaced (no allocation either way). */
export const QUEUED: unique symbol = Symbol("queued");
export const FULL: unique symbol = Symbol("full");

export class MarketSlots<T extends SymbolEvent> {
  /** Waiting slots at most; a new (kind, symbol) beyond it is refused (the caller counts the drop). */
  readonly capacity: number;
  /**
   * Symbol → id. A prototype-less object, not a Map: V8 finds an interned string key in it faster
   * (~5-10 ns an event less on the market lane), and without a prototype no symbol name can
   * collide with an inherited property.
   */
  readonly #symbolIds: Record<string, number> = Object.create(null) as Record<string, number>;
  #symbols = 0;
  #events: (T | undefined)[] = [];
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  #head = NONE;
  #tail = NONE;
  #size = 0;
  /** The kind index of the event the last `dequeue` returned (so the caller needs no lookup by type). */
  dequeuedKind = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Queue `event` in the slot of (`kindIndex`, its symbol): `QUEUED`; or, when an event waits in
   * that slot, replace it, move the slot to the back and return the replaced event; or `FULL` when
   * the slot is new and `capacity` slots already wait.
   */
  enqueue(kindIndex: number, event: T): T | typeof QUEUED | typeof FULL {
    const slot = this.#slotOf(kindIndex, event.symbol);
    const previous = this.#events[slot];
    if (previous !== undefined) {
      this.#events[slot] = event;
      if (this.#tail !== slot) {
        this.#unlink(slot);
        this.#append(slot);
      }
      return previous;
    }
    if (this.#size >= this.capacity) return FULL;
    this.#events[slot] = event;
    this.#append(slot);
    this.#size++;
    return QUEUED;
  }

  /** Swap the event waiting in (`kindIndex`, `event.symbol`) for `event`, in place. */
  overwrite(kindIndex: number, event: T): void {
    const slot = this.#slotOf(kindIndex, event.symbol);
    if (this.#events[slot] !== undefined) this.#events[slot] = event;
  }

  /** The oldest waiting event, removed. */
  dequeue(): T | undefined {
    const slot = this.#head;
    if (slot === NONE) return undefined;
    const event = this.#events[slot];
    this.#events[slot] = undefined;
    this.#unlink(slot);
    this.#size--;
    this.dequeuedKind = slot % MARKET_KINDS.length;
    return event;
  }

  #slotOf(kindIndex: number, symbol: string): number {
    let id = this.#symbolIds[symbol];
    if (id === undefined) {
      id = this.#symbols++;
      this.#symbolIds[symbol] = id;
      this.#ensureSlots((id + 1) * MARKET_KINDS.length);
    }
    return id * MARKET_KINDS.length + kindIndex;
  }

  #ensureSlots(n: number): void {
    if (n <= this.#prev.length) return;
    const size = Math.max(64, this.#prev.length * 2, n);
    const prev = new Int32Array(size).fill(NONE);
    const next = new Int32Array(size).fill(NONE);
    prev.set(this.#prev);
    next.set(this.#next);
    this.#prev = prev;
    this.#next = next;
    this.#events.length = size;
  }

  #append(slot: number): void {
    this.#prev[slot] = this.#tail;
    this.#next[slot] = NONE;
    if (this.#tail === NONE) this.#head = slot;
    else this.#next[this.#tail] = slot;
    this.#tail = slot;
  }

  #unlink(slot: number): void {
    const p = this.#prev[slot]!;
    const n = this.#next[slot]!;
    if (p === NONE) this.#head = n;
    else this.#next[p] = n;
    if (n === NONE) this.#tail = p;
    else this.#prev[n] = p;
    this.#prev[slot] = NONE;
    this.#next[slot] = NONE;
  }
}
