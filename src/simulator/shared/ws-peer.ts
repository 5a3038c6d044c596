/**
 * One WebSocket client of the simulator: its subscriptions, its credential after `auth`, and an
 * outbound queue that adds the injected latency while keeping messages in order (a real
 * connection never reorders; the reorder fault is applied above this, on purpose).
 */
import type { WebSocket } from "ws";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { ApiCredential } from "./credential.ts";

export type PeerKind = "public" | "private" | "trade";

export class WsPeer {
  readonly connId: string;
  readonly kind: PeerKind;
  readonly subscriptions = new Set<string>();
  credential: ApiCredential | undefined;
  lastInboundAt: number;
  readonly #ws: WebSocket;
  readonly #clock: Clock;
  readonly #delay: () => number;
  #lastDeliveryAt = 0;
  readonly #timers = new Set<TimerHandle>();

  constructor(ws: WebSocket, kind: PeerKind, connId: string, clock: Clock, delay: () => number) {
    this.#ws = ws;
    this.kind = kind;
    this.connId = connId;
    this.#clock = clock;
    this.#delay = delay;
    this.lastInboundAt = clock.now();
    ws.on("close", () => this.#cancelTimers());
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  send(message: unknown): void {
    this.sendText(JSON.stringify(message));
  }

  sendText(text: string): void {
    if (!this.open) return;
    const now = this.#clock.now();
    const delay = this.#delay();
    if (delay <= 0 && this.#timers.size === 0) {
      this.#ws.send(text);
      return;
    }
    // Never deliver before an earlier message: latency shifts, it does not shuffle.
    const at = Math.max(now + delay, this.#lastDeliveryAt);
    this.#lastDeliveryAt = at;
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (this.open) this.#ws.send(text);
    }, at - now);
    this.#timers.add(timer);
  }

  /** A clean close frame (the client sees a close code), as a venue does on maintenance. */
  close(code: number, reason: string): void {
    this.#cancelTimers();
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }

  /** Drop the TCP connection without a close frame, as a network fault does. */
  terminate(): void {
    this.#cancelTimers();
    this.#ws.terminate();
  }

  #cancelTimers(): void {
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
  }
}
