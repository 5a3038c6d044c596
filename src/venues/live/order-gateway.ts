/**
 * Orders exactly once.
 *
 * A create carries the client order id (journaled with the intent before this runs) and is sent
 * once. Its answer decides:
 * - ok: accepted (the stream confirms and reports fills);
 * - a definitive refusal: rejected, with the venue's code;
 * - the venue already holds that client order id: the order is there — reconcile it, never renew it;
 * - timeout, reset, 5xx, unreadable: `order.unknown`, then settled only by asking the venue
 *   about that client order id (open orders, then history).
 *
 * Absence at the venue proves nothing while a request may still arrive. A venue refuses any
 * signed request whose timestamp is older than the receive window, so once the venue's clock is
 * past the last send's timestamp + recvWindow (+ margin), an order it has no record of can never
 * appear: only then is it declared never received, and only then may it be sent again, under
 * the same client order id (so even then the venue would refuse a duplicate).
 * After a restart the last send time is unknown; it is before this process started, which is
 * the bound used instead (and nothing is resent after a restart: the moment has passed).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { describeError, isHeanError } from "../../core/errors.ts";
import type { HeanEvent } from "../../core/events.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { OrderStatusReport } from "../venue.ts";
import type { VenueOrderRequest } from "../../execution/venue-port.ts";
import type { Alert, LiveAdapter } from "./adapter.ts";
import { backoffMs } from "./backoff.ts";
import type { LiveHealth } from "./health.ts";
import type { OrderTracker, Tracked } from "./order-tracker.ts";
import { ALERTED_MEMORY, OncePerKey } from "./once-per-key.ts";
import type { ServerTime } from "./server-time.ts";
import { sleep } from "./sleep.ts";

export interface OrderGatewayOptions {
  readonly adapter: LiveAdapter;
  readonly tracker: OrderTracker;
  readonly time: ServerTime;
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly health: LiveHealth;
  readonly emit: (event: HeanEvent | undefined) => void;
  readonly alert: Alert;
  /** Server time when this process started: every request of a previous process was stamped before it. */
  readonly startedAtServer: () => number;
}

const MAX_CREATE_ATTEMPTS = 3;
const MAX_CANCEL_ATTEMPTS = 3;
const SETTLE_FIRST_DELAY_MS = 200;

/** Working at the venue: a cancel still has something to do. */
export function isOpen(o: OrderStatusReport): boolean {
  return o.status === "open" || o.status === "partially-filled";
}

export class OrderGateway {
  readonly #o: OrderGatewayOptions;
  readonly #timers = new Set<TimerHandle>();
  readonly #fetchingFills = new Set<string>();
  /** Orders whose fills could not be read: said once each, until a read of them succeeds. */
  readonly #fillsFetchFailed = new OncePerKey(ALERTED_MEMORY);
  #stopped = false;

  constructor(options: OrderGatewayOptions) {
    this.#o = options;
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
  }

  submit(request: VenueOrderRequest): void {
    // One identity, one create: a second submit of the same client order id is ignored.
    if (this.#o.tracker.known(request.clientOrderId)) return;
    void this.#create(this.#o.tracker.track(request));
  }

  cancel(clientOrderId: string): void {
    const t = this.#o.tracker.get(clientOrderId);
    if (t === undefined) return;
    t.wantCancel = true;
    // A cancel before the create is settled could reach the venue first and be answered "no such
    // order" while the create still lands: it waits for the create's outcome instead.
    if (t.phase !== "settled") {
      if (t.phase === "in-doubt") this.#schedule(() => void this.settle(t, false), 0);
      return;
    }
    void this.#cancel(t);
  }

  // ------------------------------------------------------------------ create

  async #create(t: Tracked): Promise<void> {
    const { adapter, tracker, emit, health } = this.#o;
    t.phase = "creating";
    const r = await adapter.createOrder(t.request, t.request.reduceOnly ? "essential" : "normal");
    if (r.sent) t.lastStampedAt = r.stampedAt;
    const c = r.classified;
    if (c.outcome !== "ok" && t.venueSeen) {
      // The stream already reported this order while its answer was lost: nothing is in doubt.
      t.phase = "settled";
      if (t.wantCancel) void this.#cancel(t);
      return;
    }
    if (c.outcome === "ok") {
      t.phase = "settled";
      if (r.venueOrderId !== undefined) emit(tracker.accepted(t, r.venueOrderId));
      if (t.wantCancel) void this.#cancel(t);
      return;
    }
    if (c.outcome === "rejected" && c.fact === "duplicate-client-id") {
      // It exists at the venue: find it and report what it is; never send anew.
      t.phase = "in-doubt";
      this.#o.alert("warning", "ORDER_LINK_ID_EXISTS", `${t.clientOrderId}: the venue already has this client order id; reconciling it`, { clientOrderId: t.clientOrderId });
      this.#schedule(() => void this.settle(t, false), 0);
      return;
    }
    if (c.outcome === "rejected") {
      t.phase = "settled";
      emit(tracker.rejected(t, c.code, c.message, c.fact === "post-only-would-take"));
      return;
    }
    t.phase = "in-doubt";
    health.unknownOutcomes++;
    emit(tracker.unknown(t, `${c.code}: ${c.message}`));
    this.#schedule(() => void this.settle(t, false), SETTLE_FIRST_DELAY_MS);
  }

  // ------------------------------------------------------------------ settling an in-doubt order

  /**
   * Ask the venue about an order whose create outcome is not known. `wait`: keep at it (sleeping
   * until the proof time) instead of scheduling a later attempt (boot uses it: trading waits).
   */
  async settle(t: Tracked, wait: boolean): Promise<void> {
    if (t.settling || this.#o.tracker.finished(t) || this.#stopped || t.phase === "creating") return;
    t.settling = true;
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.#stopped || this.#o.tracker.finished(t)) return;
        const { tracker, emit } = this.#o;
        if (tracker.status(t.clientOrderId) === "PENDING_SUBMIT") emit(tracker.unknown(t, "restart: the outcome of this intent was never journaled"));
        let found: OrderStatusReport | undefined;
        try {
          found = await this.#o.adapter.queryOrder(t.request.symbol, t.clientOrderId);
        } catch {
          const delay = backoffMs(attempt, 500, 5_000, this.#o.random);
          if (!wait || attempt >= 20) {
            this.#schedule(() => void this.settle(t, false), delay);
            return;
          }
          await sleep(this.#o.clock, delay);
          continue;
        }
        if (found !== undefined) {
          t.phase = "settled";
          await this.applyVenueOrder(t, found);
          return;
        }
        const proofAt = this.#proofAt(t);
        const now = this.#o.time.now();
        if (now < proofAt) {
          const delay = Math.max(50, proofAt - now + 20);
          if (!wait) {
            this.#schedule(() => void this.settle(t, false), delay);
            return;
          }
          await sleep(this.#o.clock, delay);
          continue;
        }
        this.#neverReached(t);
        return;
      }
    } finally {
      t.settling = false;
    }
  }

  /** Server time after which a create of this order that the venue has no record of can never land. */
  #proofAt(t: Tracked): number {
    const stamped = t.lastStampedAt ?? this.#o.startedAtServer();
    return stamped + this.#o.tuning.recvWindowMs + this.#o.tuning.proofMarginMs + this.#o.time.uncertaintyMs;
  }

  #neverReached(t: Tracked): void {
    const { tracker, emit, health, tuning } = this.#o;
    health.neverReachedVenue++;
    const sentByUs = t.lastStampedAt !== undefined;
    const resend =
      sentByUs &&
      !t.wantCancel &&
      t.attempts < MAX_CREATE_ATTEMPTS &&
      (tuning.resendUnseen === "always" || (tuning.resendUnseen === "reduce-only" && t.request.reduceOnly));
    if (resend) {
      const event = tracker.resubmitted(t);
      if (event !== undefined) {
        health.resends++;
        emit(event);
        void this.#create(t);
        return;
      }
    }
    t.phase = "settled";
    const status = tracker.status(t.clientOrderId);
    if (status === "ACCEPTED" || status === "PARTIALLY_FILLED" || status === "PENDING_CANCEL") {
      emit(tracker.ended(t, "cancelled", "the venue has no record of this order"));
      return;
    }
    emit(tracker.rejected(t, "NEVER_REACHED_VENUE", "the venue provably never received this order (receive window passed without a trace)"));
  }

  // ------------------------------------------------------------------ the venue's word on one order

  /** Turn the venue's view of one of our orders into the events the engine has not had yet. */
  async applyVenueOrder(t: Tracked, o: OrderStatusReport, fillLag: "fetch" | "defer" = "fetch"): Promise<void> {
    const { tracker, emit } = this.#o;
    if (o.clientOrderId !== t.clientOrderId) return;
    t.venueSeen = true;
    // After a restart an intent may have reached the venue without its send being journaled.
    if (tracker.status(t.clientOrderId) === "PENDING_SUBMIT") emit(tracker.unknown(t, "restart: found at the venue, send never journaled"));
    t.venueOrderId = o.venueOrderId;
    if (t.phase === "in-doubt") t.phase = "settled";
    const wasCreating = t.phase === "creating";
    const postOnlyWouldTake = o.postOnlyWouldTake === true;
    if (isOpen(o)) {
      emit(tracker.accepted(t, o.venueOrderId));
      if (t.wantCancel && !wasCreating && !t.cancelInFlight && t.cancelAckedAt === undefined) void this.#cancel(t);
    } else if (o.status === "cancelled" || o.status === "expired") {
      emit(tracker.ended(t, o.status, o.reason, postOnlyWouldTake, o.filledQty));
    } else if (o.status === "rejected") {
      emit(tracker.rejected(t, o.rejectCode, o.reason, postOnlyWouldTake) ?? tracker.ended(t, "cancelled", o.reason));
    }
    if (o.filledQty <= tracker.projectedFilled(t.clientOrderId)) return;
    if (fillLag === "fetch") {
      await this.fetchOrderFills(t.request.symbol, t.clientOrderId);
      return;
    }
    // A stream may send the order update and its executions separately: give them a moment.
    this.#schedule(() => {
      if (o.filledQty > tracker.projectedFilled(t.clientOrderId)) void this.fetchOrderFills(t.request.symbol, t.clientOrderId);
    }, 1_000);
  }

  /** Every execution of one order; those the engine lacks go out as reconciled fills. */
  async fetchOrderFills(symbol: string, clientOrderId: string): Promise<number> {
    if (this.#fetchingFills.has(clientOrderId)) return 0;
    this.#fetchingFills.add(clientOrderId);
    let found = 0;
    try {
      const reports = await this.#o.adapter.orderFills(symbol, clientOrderId);
      this.#fillsFetchFailed.forget(clientOrderId);
      for (const report of reports) {
        const fill = this.#o.tracker.fill(report, "reconciliation");
        if (fill === undefined) continue;
        found++;
        this.#o.health.missedFills++;
        this.#o.emit(fill);
      }
    } catch (e) {
      // The next reconciliation pass looks again; meanwhile the engine may lack fills of this order.
      if (this.#fillsFetchFailed.first(clientOrderId)) {
        const { code, message } = describeError(e);
        const venueCode = isHeanError(e) && typeof e.context.code === "string" ? e.context.code : undefined;
        this.#o.alert("warning", "ORDER_FILLS_FETCH_FAILED", `${symbol} ${clientOrderId}: the order's fills could not be read (${message}); reconciliation asks again`, {
          symbol,
          clientOrderId,
          error: code,
          ...(venueCode === undefined ? {} : { venueCode }),
        });
      }
    } finally {
      this.#fetchingFills.delete(clientOrderId);
    }
    return found;
  }

  // ------------------------------------------------------------------ cancel

  async #cancel(t: Tracked): Promise<void> {
    if (t.cancelInFlight || this.#o.tracker.finished(t) || this.#stopped) return;
    const { adapter, tuning, clock } = this.#o;
    t.cancelInFlight = true;
    t.cancelAttempts++;
    const r = await adapter.cancelOrder(t.request.symbol, t.clientOrderId);
    t.cancelInFlight = false;
    const c = r.classified;
    if (c.outcome === "ok") {
      t.cancelAckedAt = clock.now();
      this.#schedule(() => {
        if (!this.#o.tracker.finished(t)) void this.#checkCancel(t);
      }, tuning.cancelConfirmMs);
      return;
    }
    if (c.outcome === "rejected" && r.sent && c.fact === "order-not-open") {
      await this.#checkCancel(t);
      return;
    }
    if (c.outcome === "rejected" && r.sent && !c.retryable) {
      this.#cancelRefused(t, `${c.code}: ${c.message}`);
      return;
    }
    // Not sent (limiter, breaker), refused for now, or outcome unknown: look, then try again.
    this.#schedule(() => void this.#checkCancel(t), backoffMs(t.cancelAttempts - 1, 200, 2_000, this.#o.random));
  }

  /** After a cancel: what does the venue say? Still open → cancel again (bounded), else report. */
  async #checkCancel(t: Tracked): Promise<void> {
    if (this.#o.tracker.finished(t) || this.#stopped) return;
    let found: OrderStatusReport | undefined;
    try {
      found = await this.#o.adapter.queryOrder(t.request.symbol, t.clientOrderId);
    } catch {
      this.#schedule(() => void this.#checkCancel(t), backoffMs(t.cancelAttempts, 500, 5_000, this.#o.random));
      return;
    }
    if (found === undefined) {
      t.phase = "in-doubt";
      await this.settle(t, false);
      return;
    }
    await this.applyVenueOrder(t, found);
    if (!isOpen(found)) return;
    t.cancelAckedAt = undefined;
    if (t.cancelAttempts < MAX_CANCEL_ATTEMPTS) void this.#cancel(t);
    else this.#cancelRefused(t, `still open at the venue after ${t.cancelAttempts} cancel attempts`);
  }

  #cancelRefused(t: Tracked, reason: string): void {
    t.wantCancel = false;
    t.cancelAckedAt = undefined;
    t.cancelAttempts = 0;
    if (this.#o.tracker.status(t.clientOrderId) !== "PENDING_CANCEL" || this.#o.tracker.finished(t)) return;
    this.#o.emit({ type: "order.cancel-rejected", ts: this.#o.clock.now(), clientOrderId: t.clientOrderId, reason });
  }

  #schedule(fn: () => void, ms: number): void {
    if (this.#stopped) return;
    const timer = this.#o.clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) fn();
    }, ms);
    this.#timers.add(timer);
  }
}
