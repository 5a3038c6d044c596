/**
 * A memo of a pure function for values that repeat (prices, sizes, ticks): at most `capacity`
 * entries, cleared whole when full rather than kept in LRU order. No bookkeeping per hit, it
 * never grows past its bound, and a new burst of values refills it at once.
 */
export class BoundedMemo<K, V> {
  readonly #values = new Map<K, V>();
  readonly #capacity: number;
  readonly #compute: (key: K) => V;

  constructor(capacity: number, compute: (key: K) => V) {
    this.#capacity = capacity;
    this.#compute = compute;
  }

  get(key: K): V {
    let value = this.#values.get(key);
    if (value === undefined) {
      value = this.#compute(key);
      if (this.#values.size >= this.#capacity) this.#values.clear();
      this.#values.set(key, value);
    }
    return value;
  }
}
