/** A FIFO queue on a power-of-two ring buffer: O(1) push and shift, no per-item allocation. */
export class Fifo<T> {
  #items: (T | undefined)[] = new Array(1024);
  #mask = 1023;
  #head = 0;
  #tail = 0;

  get length(): number {
    return this.#tail - this.#head;
  }

  push(item: T): void {
    if (this.#tail - this.#head > this.#mask) this.#grow();
    this.#items[this.#tail++ & this.#mask] = item;
  }

  peek(): T | undefined {
    return this.#head === this.#tail ? undefined : this.#items[this.#head & this.#mask];
  }

  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const i = this.#head++ & this.#mask;
    const item = this.#items[i];
    this.#items[i] = undefined;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return item;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#tail; i++) yield this.#items[i & this.#mask] as T;
  }

  #grow(): void {
    const size = this.#mask + 1;
    const next: (T | undefined)[] = new Array(size * 2);
    for (let i = 0; i < size; i++) next[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#mask = size * 2 - 1;
    this.#tail = size;
    this.#head = 0;
  }
}
