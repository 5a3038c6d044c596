/**
 * From a candidate order to the venue, exactly once.
 *
 * 1. Pre-trade risk check: a denial is journaled with its reason and numbers, nothing is sent.
 * 2. The intent is recorded with its client order id (derived from the journal id and the
 *    intent count: the same identity for life, also across restarts).
 * 3. Only when the journal says the intent is durable is it handed to the venue. Intents made in
 *    the same turn share one commit (group commit), so this costs one fsync per burst.
 * 4. Just before the send, the send check looks again at what may have changed while the commit
 *    was in flight (market data gone stale): a refused intent is journaled as rejected, unsent.
 */
import type { Clock } from "../core/clock.ts";
import type { Dec } from "../core/decimal.ts";
import { describeError } from "../core/errors.ts";
import type { OrderDeniedEvent, OrderIntentEvent } from "../core/events.ts";
import { clientOrderId } from "../core/ids.ts";
import type { Engine } from "../engine/engine.ts";
import type { OrderRecord } from "../engine/engine-state.ts";
import { type Venue, venueRequestOf } from "./venue-port.ts";

/**
 * An order before it has an identity: the intent's fields, with the client order id optional
 * (a router child's id is derived from its parent's; by default the journal's next intent id).
 */
export type CandidateOrder = Omit<OrderIntentEvent, "type" | "ts" | "clientOrderId"> & { readonly clientOrderId?: string | undefined };

export type PreTradeCheck = (order: CandidateOrder) =>
  | { readonly ok: true; readonly order: CandidateOrder }
  | { readonly ok: false; readonly denial: Pick<OrderDeniedEvent, "code" | "message" | "values"> };

/** A durable intent about to go out: undefined to send it, or why it must not go after all. */
export type SendCheck = (order: OrderRecord) => { readonly code: string; readonly message: string } | undefined;

export type SubmitResult = { readonly ok: true; readonly clientOrderId: string } | { readonly ok: false; readonly code: string; readonly message: string };

export interface ExecutorOptions {
  readonly engine: Engine;
  readonly venue: Venue;
  readonly clock: Clock;
  readonly preTrade: PreTradeCheck;
  readonly sendCheck?: SendCheck;
  /** Called right after an order is handed to the venue (latency measurement). */
  readonly onHandedToVenue?: (clientOrderId: string) => void;
}

export class Executor {
  readonly #engine: Engine;
  readonly #venue: Venue;
  readonly #clock: Clock;
  readonly #preTrade: PreTradeCheck;
  readonly #sendCheck: SendCheck | undefined;
  readonly #onHanded: ((id: string) => void) | undefined;
  readonly #toSend: string[] = [];
  /** Sends waiting on a commit (the pump, the kill switch's urgent batches): what `idle` waits for. */
  readonly #sends = new Set<Promise<void>>();
  #pumping = false;
  #closed = false;

  constructor(options: ExecutorOptions) {
    this.#engine = options.engine;
    this.#venue = options.venue;
    this.#clock = options.clock;
    this.#preTrade = options.preTrade;
    this.#sendCheck = options.sendCheck;
    this.#onHanded = options.onHandedToVenue;
  }

  submit(candidate: CandidateOrder): SubmitResult {
    const result = this.#recordIntent(candidate);
    if (!result.ok) return result;
    // The kill switch does not queue behind ordinary intents: its own commit, observed at once.
    if (candidate.purpose === "kill-switch") this.#track(this.#sendUrgent([result.clientOrderId]));
    else {
      this.#toSend.push(result.clientOrderId);
      if (!this.#pumping) this.#track(this.#pump());
    }
    return result;
  }

  /**
   * The kill switch's closes of one pass: every intent is recorded first, then one urgent commit
   * covers them all and each goes out as soon as it is durable. Submitted one by one, the second
   * close waited for a commit of its own after the first (one more fsync per open position).
   */
  submitUrgent(candidates: readonly CandidateOrder[]): SubmitResult[] {
    const results = candidates.map((c) => this.#recordIntent(c));
    const ids = results.flatMap((r) => (r.ok ? [r.clientOrderId] : []));
    if (ids.length > 0) this.#track(this.#sendUrgent(ids));
    return results;
  }

  /** Pre-trade check and intent record: the order exists, not yet sent. */
  #recordIntent(candidate: CandidateOrder): SubmitResult {
    const now = this.#clock.now();
    if (this.#closed) return { ok: false, code: "EXECUTOR_CLOSED", message: "intake is stopped" };
    const failure = this.#engine.journalFailure;
    if (failure !== undefined) return { ok: false, code: "JOURNAL_FAILED", message: failure };
    const checked = this.#preTrade(candidate);
    if (!checked.ok) {
      this.#engine.record({
        type: "order.denied",
        ts: now,
        strategyId: candidate.strategyId,
        symbol: candidate.symbol,
        side: candidate.side,
        qty: candidate.qty,
        ...checked.denial,
      });
      return { ok: false, code: checked.denial.code, message: checked.denial.message };
    }
    const o = checked.order;
    const id = candidate.clientOrderId ?? clientOrderId(this.#engine.journal.journalId, this.#engine.state.intentCount + 1);
    const outcome = this.#engine.record({
      type: "order.intent",
      ts: now,
      clientOrderId: id,
      strategyId: o.strategyId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      qty: o.qty,
      price: o.price,
      timeInForce: o.timeInForce,
      reduceOnly: o.reduceOnly,
      purpose: o.purpose,
      parentId: o.parentId,
      arrivalMid: o.arrivalMid,
    });
    if (outcome !== "applied") return { ok: false, code: "INTENT_REFUSED", message: `the engine refused the intent (${outcome})` };
    return { ok: true, clientOrderId: id };
  }

  cancel(clientOrderId: string, reason: string): boolean {
    const o = this.#engine.state.orders.get(clientOrderId);
    if (o === undefined) return false;
    // A cancel for an order still waiting on its commit would race its own send: the caller retries.
    if (o.status === "PENDING_SUBMIT") return false;
    if (this.#engine.record({ type: "order.cancel-requested", ts: this.#clock.now(), clientOrderId, reason }) !== "applied") return false;
    this.#venue.cancel(clientOrderId, o.symbol);
    return true;
  }

  /** Intents waiting on their journal commit to go out, ordinary or urgent (a backtest lets them go before time moves on). */
  get sending(): boolean {
    return this.#sends.size > 0;
  }

  /** Stop accepting new intents (shutdown); what is queued still goes out (`idle` says when). */
  close(): void {
    this.#closed = true;
  }

  /**
   * Resolves once no recorded intent is waiting on its commit any more: each has gone to the
   * venue or been rejected unsent. A shutdown waits for it before stopping the venue, which
   * would drop what came after while the journal says it was submitted.
   */
  async idle(): Promise<void> {
    while (this.#sends.size > 0) await Promise.allSettled([...this.#sends]);
  }

  #track(send: Promise<void>): void {
    this.#sends.add(send);
    // Not caught here: a send that throws is a bug, and stays as loud as it was untracked.
    void send.finally(() => this.#sends.delete(send));
  }

  /** One at a time: `submit` starts it only when none runs (a running one takes what is queued). */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#toSend.length > 0) {
        const batch = this.#toSend.splice(0, this.#toSend.length);
        try {
          await this.#engine.flush();
        } catch (e) {
          this.#rejectNotDurable(batch, e);
          continue;
        }
        for (const id of batch) this.#send(id);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Journal before effect still: sent only once durable (every record before it is too). */
  async #sendUrgent(ids: readonly string[]): Promise<void> {
    try {
      await this.#engine.flushUrgent();
    } catch (e) {
      this.#rejectNotDurable(ids, e);
      return;
    }
    for (const id of ids) this.#send(id);
  }

  /** Not durable, so never sent: say so for each intent (in memory; the journal is down). */
  #rejectNotDurable(ids: readonly string[], error: unknown): void {
    const reason = describeError(error).message;
    for (const id of ids) {
      this.#engine.record({ type: "order.rejected", ts: this.#clock.now(), clientOrderId: id, code: "JOURNAL_NOT_DURABLE", reason, postOnlyWouldTake: false });
    }
  }

  #send(id: string): void {
    const o = this.#engine.state.orders.get(id);
    if (o === undefined || o.status !== "PENDING_SUBMIT") return;
    const refused = this.#sendCheck?.(o);
    if (refused !== undefined) {
      this.#engine.record({ type: "order.rejected", ts: this.#clock.now(), clientOrderId: id, code: refused.code, reason: refused.message, postOnlyWouldTake: false });
      return;
    }
    this.#engine.record({ type: "order.submitted", ts: this.#clock.now(), clientOrderId: id, attempt: 1 });
    try {
      this.#venue.submit(venueRequestOf(o));
    } catch (e) {
      // A venue answers with events and must not throw. If one does, whether the order left is
      // unknown: it stays submitted for reconciliation to settle, the rest of the batch still goes.
      const error = describeError(e);
      this.#engine.record({
        type: "alert",
        ts: this.#clock.now(),
        severity: "critical",
        code: "VENUE_SUBMIT_FAILED",
        message: `the venue threw on order ${id}: ${error.message}; left to reconciliation`,
        context: { clientOrderId: id, error },
      });
      return;
    }
    this.#onHanded?.(id);
  }
}
