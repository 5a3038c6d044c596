/**
 * Bybit's clock as seen from here. Signed requests must carry a timestamp inside
 * `server − recvWindow ≤ ts < server + 1000`, and the proof that an unanswered order never
 * reached the venue is stated in server time, so the offset is measured (`/v5/market/time`,
 * midpoint of the round trip) and kept fresh.
 */
import type { Clock } from "../../core/clock.ts";

export class ServerTime {
  readonly #clock: Clock;
  #offsetMs = 0;
  #syncedAt: number | null = null;
  #roundTripMs = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Server time now, as best known (ms). */
  now(): number {
    return Math.round(this.#clock.now() + this.#offsetMs);
  }

  /** Local clock time at which the server clock reads `serverMs`. */
  toLocal(serverMs: number): number {
    return serverMs - this.#offsetMs;
  }

  /** One measurement: sent and received in local time, the server's time in between. */
  update(localSent: number, localReceived: number, serverMs: number): void {
    if (!Number.isFinite(serverMs) || localReceived < localSent) return;
    const rtt = localReceived - localSent;
    // A slow round trip measures badly: keep the previous offset unless this one is as good.
    if (this.#syncedAt !== null && rtt > Math.max(2 * this.#roundTripMs, 500)) return;
    this.#offsetMs = serverMs - (localSent + localReceived) / 2;
    this.#roundTripMs = rtt;
    this.#syncedAt = localReceived;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Half the round trip of the measurement: how wrong `now()` may be. */
  get uncertaintyMs(): number {
    return this.#roundTripMs / 2;
  }

  get syncedAt(): number | null {
    return this.#syncedAt;
  }
}
