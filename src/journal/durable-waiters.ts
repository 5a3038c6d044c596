/**
 * Promises waiting for a seq to become durable, in seq order (flush targets only grow).
 * Rejections are pre-handled: a caller that drops a flush promise must not crash the process
 * when the journal fails; the failure is reported through `onFailure` anyway.
 */
import type { HeanError } from "../core/errors.ts";

interface Waiter {
  readonly seq: number;
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (e: HeanError) => void;
}

export class DurableWaiters {
  readonly #waiters: Waiter[] = [];

  /** A promise for `seq`; flushes for the same seq share one. */
  waitFor(seq: number): Promise<void> {
    const last = this.#waiters[this.#waiters.length - 1];
    if (last !== undefined && last.seq === seq) return last.promise;
    let resolve!: () => void;
    let reject!: (e: HeanError) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(ignore);
    this.#waiters.push({ seq, promise, resolve, reject });
    return promise;
  }

  resolveUpTo(seq: number): void {
    let done = 0;
    while (done < this.#waiters.length && this.#waiters[done]!.seq <= seq) this.#waiters[done++]!.resolve();
    if (done > 0) this.#waiters.splice(0, done);
  }

  rejectAll(error: HeanError): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

export function ignore(): void {}

/** An already-rejected promise nobody is forced to handle. */
export function rejected(error: HeanError): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(ignore);
  return promise;
}
