/**
 * A FIFO of pairs on a power-of-two ring buffer: O(1) push and shift, no per-item allocation.
 * The two halves of a pair sit in parallel arrays at the same index, so queuing a pair needs no
 * wrapper object; `shift` returns the first half and leaves the second in `second` (returning both
 * would allocate).
 */
export class PairFifo<A, B> {
  #firsts: (A | undefined)[] = new Array(1024);
  #seconds: (B | undefined)[] = new Array(1024);
  #mask = 1023;
  #head = 0;
  #tail = 0;
  /** The second half of the pair the last `shift` returned. */
  second: B | undefined = undefined;

  get length(): number {
    return this.#tail - this.#head;
  }

  push(first: A, second: B): void {
    if (this.#tail - this.#head > this.#mask) this.#grow();
    const i = this.#tail++ & this.#mask;
    this.#firsts[i] = first;
    this.#seconds[i] = second;
  }

  shift(): A | undefined {
    if (this.#head === this.#tail) return undefined;
    const i = this.#head++ & this.#mask;
    const first = this.#firsts[i];
    this.second = this.#seconds[i];
    // Cleared so that a delivered event is not kept alive by the ring.
    this.#firsts[i] = undefined;
    this.#seconds[i] = undefined;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return first;
  }

  #grow(): void {
    const size = this.#mask + 1;
    const firsts: (A | undefined)[] = new Array(size * 2);
    const seconds: (B | undefined)[] = new Array(size * 2);
    for (let i = 0; i < size; i++) {
      const j = (this.#head + i) & this.#mask;
      firsts[i] = this.#firsts[j];
      seconds[i] = this.#seconds[j];
    }
    this.#firsts = firsts;
    this.#seconds = seconds;
    this.#mask = size * 2 - 1;
    this.#tail = size;
    this.#head = 0;
  }
}
