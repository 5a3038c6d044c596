/**
 * The order side of an in-process venue on the matching engine's paper account, the same for
 * paper trading on the simulated market (`SimVenue`) and for a backtest (`BacktestVenue`): a
 * request reaches the engine after the ack latency, and what it causes (accepted, fills,
 * cancelled or expired, rejected) comes back at once on the order channel, as do the fills the
 * market causes later. The channel is FIFO: jitter never reorders it.
 */
import type { Clock } from "../../core/clock.ts";
import type { FillEvent, HeanEvent } from "../../core/events.ts";
import type { EventSink, VenueOrderRequest, VenueOrderSnapshot, VenuePosition } from "../../execution/venue-port.ts";
import { FifoDelay, type LatencySpec, sampleLatency } from "./latency.ts";
import { Prng } from "./market/prng.ts";
import type { MatchingEngine } from "./matching/matching-engine.ts";
import type { EngineEvent } from "./matching/types.ts";
import * as paperAccount from "./paper-account.ts";
import { PAPER_ACCOUNT } from "./paper-account.ts";
import { fillFromExecution, orderOutcome } from "./sim-venue-mapping.ts";

/** An event to hand to hean, built when it is delivered (stamped with that time). */
export type OutboundEvent = (now: number) => HeanEvent;

export class PaperOrders {
  readonly #engine: MatchingEngine;
  readonly #ack: LatencySpec;
  /** Its own stream: order latencies do not depend on how much market data flows. */
  readonly #ackRng: Prng;
  readonly #inbound: FifoDelay<() => void>;
  readonly #outbound: FifoDelay<OutboundEvent>;
  #sink: EventSink | undefined;

  constructor(engine: MatchingEngine, clock: Clock, ack: LatencySpec, seed: number) {
    this.#engine = engine;
    this.#ack = ack;
    this.#ackRng = Prng.fork(seed, "latency:orders");
    this.#inbound = new FifoDelay(clock, (apply) => apply());
    this.#outbound = new FifoDelay(clock, (build) => this.#sink?.(build(clock.now())));
  }

  /** Start answering (the venue's start); until then, and after `disconnect`, requests are ignored. */
  connect(sink: EventSink): void {
    this.#sink = sink;
  }

  /** Stop: what is in flight either way is dropped, as a closed connection drops it. */
  disconnect(): void {
    this.#sink = undefined;
    this.#inbound.clear();
    this.#outbound.clear();
  }

  /** Ignored unless connected, and when it is not even an object. */
  submit(order: VenueOrderRequest): void {
    if (this.#sink === undefined || typeof order !== "object" || order === null) return;
    this.#inbound.push(() => {
      const rejected = paperAccount.place(this.#engine, order);
      if (rejected !== undefined) this.#outbound.push(rejected, 0);
    }, sampleLatency(this.#ack, this.#ackRng));
  }

  /** Ignored unless connected, and without a client order id to correlate the outcome with. */
  cancel(clientOrderId: string, symbol: string): void {
    if (this.#sink === undefined || typeof clientOrderId !== "string") return;
    this.#inbound.push(() => {
      const refused = paperAccount.cancel(this.#engine, clientOrderId, symbol);
      if (refused !== undefined) this.#outbound.push(refused, 0);
    }, sampleLatency(this.#ack, this.#ackRng));
  }

  /** The outcome of an engine event about the paper account, sent back on the order channel. */
  onEngine(e: EngineEvent): void {
    if (e.type === "order") {
      if (e.order.account !== PAPER_ACCOUNT) return;
      const build = orderOutcome(e.change, e.order);
      if (build !== undefined) this.#outbound.push(build, 0);
    } else if (e.type === "execution") {
      const execution = e.execution;
      if (execution.account === PAPER_ACCOUNT) this.#outbound.push((ts) => fillFromExecution(execution, ts, "stream"), 0);
    }
  }

  /** Something else the account's venue says on the order channel (a backtest's funding). */
  send(build: OutboundEvent): void {
    this.#outbound.push(build, 0);
  }

  /** Requests and outcomes still in flight. */
  get pending(): number {
    return this.#inbound.pending + this.#outbound.pending;
  }

  async queryOrder(clientOrderId: string, symbol: string): Promise<VenueOrderSnapshot | undefined> {
    return paperAccount.queryOrder(this.#engine, clientOrderId, symbol);
  }

  async openOrders(): Promise<VenueOrderSnapshot[]> {
    return paperAccount.openOrders(this.#engine);
  }

  async positions(): Promise<VenuePosition[]> {
    return paperAccount.positions(this.#engine);
  }

  async fillsSince(sinceMs: number): Promise<FillEvent[]> {
    return paperAccount.fillsSince(this.#engine, sinceMs);
  }
}
