/**
 * Orders exactly once.
 *
 * A create carries `orderLinkId` = the client order id (journaled with the intent before this
 * runs) and is sent once. Its answer decides:
 * - retCode 0: accepted (the stream confirms and reports fills);
 * - a definitive refusal: rejected, with Bybit's code;
 * - 110072 (the orderLinkId exists): the order is there — reconcile it, never renew it;
 * - timeout, reset, 5xx, unreadable: `order.unknown`, then settled only by asking the venue
 *   about that orderLinkId (open orders, then history).
 *
 * Absence at the venue proves nothing while a request may still arrive. Bybit refuses any
 * request whose timestamp is older than the receive window, so once the venue's clock is past
 * the last send's timestamp + recvWindow (+ margin), an order it has no record of can never
 * appear: only then is it declared never received, and only then may it be sent again, under
 * the same orderLinkId (so even then the venue would refuse a duplicate with 110072).
 * After a restart the last send time is unknown; it is before this process started, which is
 * the bound used instead (and nothing is resent after a restart: the moment has passed).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { format } from "../../core/decimal.ts";
import type { HeanEvent } from "../../core/events.ts";
import { backoffMs } from "./backoff.ts";
import { RET_DUPLICATE_LINK_ID, RET_ORDER_CANCELLED, RET_ORDER_FINISHED, RET_ORDER_NOT_EXIST } from "./classify.ts";
import type { BybitHealth } from "./health.ts";
import type { BybitTuning } from "./options.ts";
import type { OrderTracker, Tracked } from "./order-tracker.ts";
import { type BybitRestClient, sleep } from "./rest-client.ts";
import type { ServerTime } from "./server-time.ts";
import { CANCEL_STATUSES, EXPIRY_REASONS, OPEN_STATUSES, POST_ONLY_WOULD_TAKE, type WireOrder, readExecution, readList, readOrder } from "./wire.ts";
import type { VenueOrderRequest } from "../venue.ts";

export type Alert = (severity: "info" | "warning" | "critical", code: string, message: string, context: Record<string, unknown>) => void;

export interface OrderGatewayOptions {
  readonly rest: BybitRestClient;
  readonly tracker: OrderTracker;
  readonly time: ServerTime;
  readonly tuning: BybitTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly health: BybitHealth;
  readonly emit: (event: HeanEvent | undefined) => void;
  readonly alert: Alert;
  /** Server time when this process started: every request of a previous process was stamped before it. */
  readonly startedAtServer: () => number;
}

const TIF: Readonly<Record<VenueOrderRequest["timeInForce"], string>> = { GTC: "GTC", IOC: "IOC", POST_ONLY: "PostOnly" };
const MAX_CREATE_ATTEMPTS = 3;
const MAX_CANCEL_ATTEMPTS = 3;
const SETTLE_FIRST_DELAY_MS = 200;
const NOT_OPEN_ON_CANCEL: ReadonlySet<number> = new Set([RET_ORDER_NOT_EXIST, RET_ORDER_FINISHED, RET_ORDER_CANCELLED]);

/** The exact create body: key order is part of what is signed. */
export function createParams(r: VenueOrderRequest): Record<string, string | boolean> {
  const params: Record<string, string | boolean> = {
    category: "linear",
    symbol: r.symbol,
    side: r.side === "buy" ? "Buy" : "Sell",
    orderType: r.orderType === "market" ? "Market" : "Limit",
    qty: format(r.qty),
  };
  if (r.orderType === "limit" && r.price !== undefined) params.price = format(r.price);
  params.timeInForce = r.orderType === "market" ? "IOC" : TIF[r.timeInForce];
  params.orderLinkId = r.clientOrderId;
  if (r.reduceOnly) params.reduceOnly = true;
  return params;
}

export class OrderGateway {
  readonly #o: OrderGatewayOptions;
  readonly #timers = new Set<TimerHandle>();
  readonly #fetchingFills = new Set<string>();
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
    const { rest, tuning, tracker, emit, health } = this.#o;
    t.phase = "creating";
    const r = await rest.send("POST", "/v5/order/create", createParams(t.request), {
      signed: true,
      timeoutMs: tuning.orderTimeoutMs,
      maxWaitMs: tuning.orderMaxWaitMs,
      admission: t.request.reduceOnly ? "essential" : "normal",
    });
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
      const orderId = typeof (r.result as { orderId?: unknown } | undefined)?.orderId === "string" ? (r.result as { orderId: string }).orderId : undefined;
      if (orderId !== undefined) emit(tracker.accepted(t, orderId));
      if (t.wantCancel) void this.#cancel(t);
      return;
    }
    if (c.outcome === "rejected" && c.retCode === RET_DUPLICATE_LINK_ID) {
      // It exists at the venue: find it and report what it is; never send anew.
      t.phase = "in-doubt";
      this.#o.alert("warning", "ORDER_LINK_ID_EXISTS", `${t.clientOrderId}: the venue already has this orderLinkId; reconciling it`, { clientOrderId: t.clientOrderId });
      this.#schedule(() => void this.settle(t, false), 0);
      return;
    }
    if (c.outcome === "rejected") {
      t.phase = "settled";
      emit(tracker.rejected(t, c.code, c.message));
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
        let found: WireOrder | undefined;
        try {
          found = await this.queryOrder(t.request.symbol, t.clientOrderId);
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
  async applyVenueOrder(t: Tracked, o: WireOrder, fillLag: "fetch" | "defer" = "fetch"): Promise<void> {
    const { tracker, emit } = this.#o;
    if (o.orderLinkId !== t.clientOrderId) return;
    t.venueSeen = true;
    // After a restart an intent may have reached the venue without its send being journaled.
    if (tracker.status(t.clientOrderId) === "PENDING_SUBMIT") emit(tracker.unknown(t, "restart: found at the venue, send never journaled"));
    t.venueOrderId = o.orderId;
    if (t.phase === "in-doubt") t.phase = "settled";
    const wasCreating = t.phase === "creating";
    if (OPEN_STATUSES.has(o.orderStatus)) {
      emit(tracker.accepted(t, o.orderId));
      if (t.wantCancel && !wasCreating && !t.cancelInFlight && t.cancelAckedAt === undefined) void this.#cancel(t);
    } else if (CANCEL_STATUSES.has(o.orderStatus)) {
      const kind = EXPIRY_REASONS.has(o.rejectReason) ? "expired" : "cancelled";
      emit(tracker.ended(t, kind, reasonOf(o), o.rejectReason === POST_ONLY_WOULD_TAKE, o.cumExecQty));
    } else if (o.orderStatus === "Rejected") {
      emit(tracker.rejected(t, `BYBIT_${o.rejectReason || "Rejected"}`, reasonOf(o), o.rejectReason === POST_ONLY_WOULD_TAKE) ?? tracker.ended(t, "cancelled", reasonOf(o)));
    }
    if (o.cumExecQty <= tracker.projectedFilled(t.clientOrderId)) return;
    if (fillLag === "fetch") {
      await this.fetchOrderFills(t.request.symbol, t.clientOrderId);
      return;
    }
    // The stream sends the order update and its executions separately: give them a moment.
    this.#schedule(() => {
      if (o.cumExecQty > tracker.projectedFilled(t.clientOrderId)) void this.fetchOrderFills(t.request.symbol, t.clientOrderId);
    }, 1_000);
  }

  /** The venue's record of one order by orderLinkId: open orders first, then history. */
  async queryOrder(symbol: string, clientOrderId: string): Promise<WireOrder | undefined> {
    const params = { category: "linear", symbol, orderLinkId: clientOrderId };
    for (const path of ["/v5/order/realtime", "/v5/order/history"]) {
      const result = await this.#o.rest.read(path, params, { signed: true });
      for (const item of readList(result).list) {
        const o = readOrder(item);
        if (o !== undefined && o.orderLinkId === clientOrderId) return o;
      }
    }
    return undefined;
  }

  /** Every execution of one order (paged); those the engine lacks go out as reconciled fills. */
  async fetchOrderFills(symbol: string, clientOrderId: string): Promise<number> {
    if (this.#fetchingFills.has(clientOrderId)) return 0;
    this.#fetchingFills.add(clientOrderId);
    let found = 0;
    try {
      let cursor = "";
      for (let page = 0; page < 20; page++) {
        const result = await this.#o.rest.read(
          "/v5/execution/list",
          { category: "linear", symbol, orderLinkId: clientOrderId, limit: 100, ...(cursor !== "" ? { cursor } : {}) },
          { signed: true },
        );
        const { list, cursor: next } = readList(result);
        for (const item of list) {
          const e = readExecution(item);
          if (e === undefined) continue;
          const fill = this.#o.tracker.fill(e, "reconciliation");
          if (fill !== undefined) {
            found++;
            this.#o.health.missedFills++;
            this.#o.emit(fill);
          }
        }
        if (next === "" || list.length === 0) break;
        cursor = next;
      }
    } catch {
      // The next reconciliation pass looks again.
    } finally {
      this.#fetchingFills.delete(clientOrderId);
    }
    return found;
  }

  // ------------------------------------------------------------------ cancel

  async #cancel(t: Tracked): Promise<void> {
    if (t.cancelInFlight || this.#o.tracker.finished(t) || this.#stopped) return;
    const { rest, tuning, clock } = this.#o;
    t.cancelInFlight = true;
    t.cancelAttempts++;
    const r = await rest.send("POST", "/v5/order/cancel", { category: "linear", symbol: t.request.symbol, orderLinkId: t.clientOrderId }, {
      signed: true,
      timeoutMs: tuning.requestTimeoutMs,
      maxWaitMs: tuning.orderMaxWaitMs,
      admission: "essential",
    });
    t.cancelInFlight = false;
    const c = r.classified;
    if (c.outcome === "ok") {
      t.cancelAckedAt = clock.now();
      this.#schedule(() => {
        if (!this.#o.tracker.finished(t)) void this.#checkCancel(t);
      }, tuning.cancelConfirmMs);
      return;
    }
    if (c.outcome === "rejected" && r.sent && c.retCode !== undefined && NOT_OPEN_ON_CANCEL.has(c.retCode)) {
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
    let found: WireOrder | undefined;
    try {
      found = await this.queryOrder(t.request.symbol, t.clientOrderId);
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
    if (!OPEN_STATUSES.has(found.orderStatus)) return;
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

function reasonOf(o: WireOrder): string {
  const parts = [o.orderStatus, o.cancelType !== "" && o.cancelType !== "UNKNOWN" ? o.cancelType : "", o.rejectReason !== "" && o.rejectReason !== "EC_NoError" ? o.rejectReason : ""];
  return parts.filter((p) => p !== "").join(": ");
}
