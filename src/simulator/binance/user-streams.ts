/**
 * The user data stream: one listen key per account (POST returns the live one and extends it),
 * valid 60 minutes after the last POST/PUT on the simulator's clock. When it lapses every
 * connection on it gets `listenKeyExpired` and nothing more. Account events reach the
 * connections of the account's live key through the duplicate and reorder faults.
 */
import { createHash } from "node:crypto";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { FaultState } from "../shared/faults.ts";
import { FaultyDelivery } from "../shared/faulty-delivery.ts";
import type { SeededRandom } from "../shared/rng.ts";
import type { WsPeer } from "../shared/ws-peer.ts";
import type { ListenKeyPort } from "./rest-routes.ts";

export const LISTEN_KEY_TTL_MS = 60 * 60 * 1000;

interface KeyState {
  readonly key: string;
  readonly accountId: string;
  expiresAt: number;
  timer: TimerHandle;
}

export class UserStreams implements ListenKeyPort {
  readonly #clock: Clock;
  readonly #random: SeededRandom;
  readonly #delivery: FaultyDelivery;
  readonly #byAccount = new Map<string, KeyState>();
  readonly #byKey = new Map<string, KeyState>();
  readonly #peers = new Map<WsPeer, { key: string; combined: boolean }>();

  constructor(clock: Clock, faults: FaultState, random: SeededRandom) {
    this.#clock = clock;
    this.#random = random;
    this.#delivery = new FaultyDelivery(faults, clock);
  }

  open(accountId: string): string {
    const live = this.#byAccount.get(accountId);
    if (live !== undefined) {
      this.#extend(live);
      return live.key;
    }
    const key = createHash("sha256").update(`${accountId}:${this.#random.uuid()}`).digest("hex");
    const state: KeyState = { key, accountId, expiresAt: 0, timer: { cancel: () => undefined } };
    this.#byAccount.set(accountId, state);
    this.#byKey.set(key, state);
    this.#extend(state);
    return key;
  }

  keepAlive(accountId: string): string | undefined {
    const live = this.#byAccount.get(accountId);
    if (live === undefined) return undefined;
    this.#extend(live);
    return live.key;
  }

  close(accountId: string): void {
    const live = this.#byAccount.get(accountId);
    if (live === undefined) return;
    live.timer.cancel();
    this.#byAccount.delete(accountId);
    this.#byKey.delete(live.key);
    for (const [peer, s] of this.#peers) if (s.key === live.key) peer.close(1000, "listen key closed");
  }

  /** Expire every key now (the fault), as if 60 minutes had passed without a keepalive. */
  expireAll(): void {
    for (const state of [...this.#byAccount.values()]) this.#expire(state);
  }

  isLive(key: string): boolean {
    return this.#byKey.has(key);
  }

  attach(peer: WsPeer, key: string, combined: boolean): void {
    this.#peers.set(peer, { key, combined });
  }

  detach(peer: WsPeer): void {
    this.#peers.delete(peer);
    this.#delivery.forget(peer);
  }

  /** Every user-stream connection: TCP dropped (the private-drop faults). */
  terminateAll(): void {
    for (const peer of [...this.#peers.keys()]) peer.terminate();
  }

  streams(): { key: string; peer: WsPeer }[] {
    return [...this.#peers].map(([peer, s]) => ({ key: s.key, peer }));
  }

  publish(accountId: string, event: Record<string, unknown>): void {
    const live = this.#byAccount.get(accountId);
    if (live === undefined) return;
    for (const [peer, s] of this.#peers) {
      if (s.key !== live.key) continue;
      this.#delivery.deliver(peer, JSON.stringify(s.combined ? { stream: s.key, data: event } : event));
    }
  }

  reset(): void {
    for (const s of this.#byAccount.values()) s.timer.cancel();
    this.#byAccount.clear();
    this.#byKey.clear();
  }

  #extend(state: KeyState): void {
    state.timer.cancel();
    state.expiresAt = this.#clock.now() + LISTEN_KEY_TTL_MS;
    state.timer = this.#clock.setTimeout(() => this.#expire(state), LISTEN_KEY_TTL_MS);
  }

  #expire(state: KeyState): void {
    state.timer.cancel();
    this.#byAccount.delete(state.accountId);
    this.#byKey.delete(state.key);
    const event = { e: "listenKeyExpired", E: String(this.#clock.now()), listenKey: state.key };
    for (const [peer, s] of this.#peers) {
      if (s.key !== state.key) continue;
      peer.send(s.combined ? { stream: s.key, data: event } : event);
    }
  }
}
