import { OldestFirst } from "../../core/oldest-first.ts";

/**
 * Keys already acted on, the newest `capacity` of them (the oldest is forgotten first, so memory
 * stays bounded on a long run): something said about one order or one search is said once, not
 * on every pass that meets it again.
 */
export class OncePerKey {
  readonly #seen = new Set<string>();
  readonly #oldest = new OldestFirst(this.#seen);
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** True the first time `key` is met (since it was forgotten). */
  first(key: string): boolean {
    if (this.#seen.has(key)) return false;
    if (this.#seen.size >= this.#capacity) this.#seen.delete(this.#oldest.take()!);
    this.#seen.add(key);
    return true;
  }

  /** What `key` was about is fine again: the next time it goes wrong is said again. */
  forget(key: string): void {
    this.#seen.delete(key);
  }
}

/** How many keys an alert said once remembers: far more orders and searches than one pass meets. */
export const ALERTED_MEMORY = 10_000;
