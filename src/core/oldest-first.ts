/**
 * The oldest key of a Map or Set (insertion order), for windows that drop their oldest entry as
 * each new one comes. `map.keys().next()` looks simple but starts from the table's first slot
 * every time, and a deleted entry leaves a hole there until V8 rehashes: dropping the oldest of
 * a 10,000-entry window that way cost 12–30 µs per call (a scan over the holes), several times
 * per order. One iterator kept across calls resumes where it stopped (~1 µs).
 *
 * Only for callers that delete every key `take` gives them before asking again: the iterator
 * never goes back. Keys deleted elsewhere are skipped and keys added later are reached, as any
 * live Map/Set iterator does; once it has run out, the next call starts a new one.
 */
export class OldestFirst<K> {
  readonly #source: { keys(): IterableIterator<K> };
  #it: IterableIterator<K> | undefined;

  constructor(source: { keys(): IterableIterator<K> }) {
    this.#source = source;
  }

  /** The oldest key still there, or undefined when empty. The caller deletes it. */
  take(): K | undefined {
    if (this.#it !== undefined) {
      const r = this.#it.next();
      if (r.done !== true) return r.value;
    }
    this.#it = this.#source.keys();
    const r = this.#it.next();
    return r.done === true ? undefined : r.value;
  }
}
