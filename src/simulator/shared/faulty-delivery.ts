/**
 * Delivery of account (private) messages through the duplicate and reorder faults: a
 * duplicated message goes out twice; a reordered one is held back and sent after the message
 * that follows it on the same connection (or after 200 ms when none follows).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { FaultState } from "./faults.ts";
import type { WsPeer } from "./ws-peer.ts";

const REORDER_FLUSH_MS = 200;

export class FaultyDelivery {
  readonly #faults: FaultState;
  readonly #clock: Clock;
  readonly #held = new Map<WsPeer, { readonly text: string; readonly timer: TimerHandle }>();

  constructor(faults: FaultState, clock: Clock) {
    this.#faults = faults;
    this.#clock = clock;
  }

  deliver(peer: WsPeer, text: string): void {
    const held = this.#held.get(peer);
    const copies = this.#faults.take("duplicatePrivate") ? 2 : 1;
    if (held === undefined && this.#faults.take("reorderPrivate")) {
      // With both faults on one message, the extra copy goes out in order and the original comes late.
      if (copies === 2) peer.sendText(text);
      const timer = this.#clock.setTimeout(() => {
        this.#held.delete(peer);
        peer.sendText(text);
      }, REORDER_FLUSH_MS);
      this.#held.set(peer, { text, timer });
      return;
    }
    for (let i = 0; i < copies; i++) peer.sendText(text);
    if (held !== undefined) {
      held.timer.cancel();
      this.#held.delete(peer);
      peer.sendText(held.text);
    }
  }

  /** The connection is gone: drop what was held for it. */
  forget(peer: WsPeer): void {
    this.#held.get(peer)?.timer.cancel();
    this.#held.delete(peer);
  }
}
