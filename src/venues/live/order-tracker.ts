/**
 * What the adapter knows about each order and what it has already told the engine.
 *
 * A venue reports an order many times (REST answer, stream updates, reconciliation); the engine
 * must hear each fact once and only in an order its state machine accepts. The engine's state
 * is read directly (single thread), but events the adapter has sent travel through the inbox
 * and may not be applied yet, so each decision combines the engine's status with the adapter's
 * own record of what it sent: accepted once, one terminal event, fills de-duplicated by
 * `execId` (also across stream and REST), and never an event the state machine would refuse.
 */
import type { Clock } from "../../core/clock.ts";
import { type Dec, ZERO, add, neg } from "../../core/decimal.ts";
import type {
  FillEvent,
  OrderAcceptedEvent,
  OrderCancelledEvent,
  OrderExpiredEvent,
  OrderRejectedEvent,
  OrderSubmittedEvent,
  OrderUnknownEvent,
} from "../../core/events.ts";
import { type OrderStatus, TERMINAL } from "../../engine/order-state.ts";
import { type AccountOrder, type AccountView, type FillReport } from "../venue.ts";
import { type VenueOrderRequest, venueRequestOf } from "../../execution/venue-port.ts";
import { fillEventOf } from "./fill-event.ts";

export type Phase =
  /** A create request of this process is on the wire. */
  | "creating"
  /** The create's outcome is not known: settle by asking the venue (never by sending anew). */
  | "in-doubt"
  /** The venue's answer is known. */
  | "settled";

export interface Tracked {
  readonly clientOrderId: string;
  readonly request: VenueOrderRequest;
  phase: Phase;
  venueOrderId: string | undefined;
  attempts: number;
  /** The venue-time stamp (signature timestamp) of the latest create that may have reached the venue. */
  lastStampedAt: number | undefined;
  acceptedSent: boolean;
  /** When a terminal event (rejected, cancelled, expired) was sent; see `finished`. */
  terminalSentAt: number | undefined;
  leftPendingSubmit: boolean;
  wantCancel: boolean;
  cancelInFlight: boolean;
  cancelAttempts: number;
  /** When the latest cancel was acknowledged and not yet confirmed (local ms). */
  cancelAckedAt: number | undefined;
  settling: boolean;
  /** The venue has spoken about this order (stream or query): its create is not in doubt. */
  venueSeen: boolean;
}

interface PendingFill {
  readonly fillId: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly signedQty: Dec;
  readonly qty: Dec;
  readonly at: number;
}

const SEEN_MEMORY = 100_000;
/** A sent fill the engine has not applied after this long was refused or lost: stop counting it. */
const PENDING_FILL_MAX_AGE_MS = 30_000;

/** A terminal event the engine still has not applied after this long was refused. */
const REDELIVER_AFTER_MS = 3_000;

const CAN_ACCEPT: ReadonlySet<OrderStatus> = new Set(["SUBMITTED", "UNKNOWN", "PENDING_CANCEL"]);
const CAN_END: ReadonlySet<OrderStatus> = new Set(["SUBMITTED", "UNKNOWN", "ACCEPTED", "PARTIALLY_FILLED", "PENDING_CANCEL"]);
const IN_FLIGHT: ReadonlySet<OrderStatus> = new Set(["PENDING_SUBMIT", "SUBMITTED", "UNKNOWN"]);

export class OrderTracker {
  readonly #account: AccountView;
  readonly #clock: Clock;
  readonly #orders = new Map<string, Tracked>();
  readonly #seen = new Set<string>();
  #pending: PendingFill[] = [];
  readonly #foreignFee: (report: FillReport) => Dec;
  readonly #notOurs: (report: FillReport) => void;

  /**
   * `feeOf` books a fee the venue charged in another asset (`FillReport.feeAsset`): the live
   * venue estimates it in the settlement currency and stops new exposure. `notOurs` hears of
   * every fill on an order this engine did not place (another engine's is told by its id).
   */
  constructor(account: AccountView, clock: Clock, feeOf: (report: FillReport) => Dec = () => ZERO, notOurs: (report: FillReport) => void = () => {}) {
    this.#account = account;
    this.#clock = clock;
    this.#foreignFee = feeOf;
    this.#notOurs = notOurs;
  }

  /** A new create from this process. */
  track(request: VenueOrderRequest): Tracked {
    const existing = this.#orders.get(request.clientOrderId);
    if (existing !== undefined) return existing;
    const t = fresh(request, "creating");
    this.#orders.set(request.clientOrderId, t);
    return t;
  }

  known(clientOrderId: string): boolean {
    return this.#orders.has(clientOrderId);
  }

  /** The record for an order the engine knows (made from the engine's record when first asked). */
  get(clientOrderId: string): Tracked | undefined {
    const t = this.#orders.get(clientOrderId);
    if (t !== undefined) return t;
    const o = this.#account.order(clientOrderId);
    if (o === undefined) return undefined;
    const made = fresh(venueRequestOf(o), IN_FLIGHT.has(o.status) ? "in-doubt" : "settled");
    made.venueOrderId = o.venueOrderId;
    made.acceptedSent = o.venueOrderId !== undefined;
    // A cancel journaled before a restart (its request may never have reached the venue: a crash,
    // a ban) is still wanted: an order found open is cancelled, not left working unwatched.
    made.wantCancel = o.status === "PENDING_CANCEL";
    this.#orders.set(clientOrderId, made);
    return made;
  }

  status(clientOrderId: string): OrderStatus | undefined {
    return this.#account.order(clientOrderId)?.status;
  }

  /** The engine's status once what this adapter already sent about leaving PENDING_SUBMIT is applied. */
  #effective(t: Tracked): OrderStatus | undefined {
    const s = this.status(t.clientOrderId);
    return s === "PENDING_SUBMIT" && t.leftPendingSubmit ? "UNKNOWN" : s;
  }

  /** Filled quantity once every fill already sent is applied. */
  projectedFilled(clientOrderId: string): Dec {
    this.#prune();
    let filled = this.#account.order(clientOrderId)?.filledQty ?? ZERO;
    for (const p of this.#pending) if (p.clientOrderId === clientOrderId) filled = add(filled, p.qty);
    return filled;
  }

  /** Signed quantity of sent fills on `symbol` the engine has not applied yet. */
  pendingQty(symbol: string): Dec {
    this.#prune();
    let qty = ZERO;
    for (const p of this.#pending) if (p.symbol === symbol) qty = add(qty, p.signedQty);
    return qty;
  }

  /** When the latest fill on `symbol` was sent (0: none pending or recent). */
  lastFillSentAt(symbol: string): number {
    let at = 0;
    for (const p of this.#pending) if (p.symbol === symbol && p.at > at) at = p.at;
    return at;
  }

  /**
   * A terminal event was sent, and either the engine has applied it or it is recent. One the
   * engine refused (a cancel request raced it through the inbox) no longer counts after a while,
   * so the next look at the venue can send the terminal event the engine's state now allows.
   */
  finished(t: Tracked): boolean {
    if (t.terminalSentAt === undefined) return false;
    const s = this.status(t.clientOrderId);
    return s === undefined || TERMINAL.has(s) || this.#clock.now() - t.terminalSentAt < REDELIVER_AFTER_MS;
  }

  /** Orders this process tracks that are still in doubt. */
  inDoubt(): Tracked[] {
    return [...this.#orders.values()].filter((t) => t.phase === "in-doubt" && !this.finished(t));
  }

  /**
   * Drop records of orders that are over in the engine and quiet here (memory stays bounded on a
   * long run). A late message about one recreates its record from the engine's, which allows no
   * event but fills.
   */
  prune(): void {
    for (const [id, t] of this.#orders) {
      const s = this.status(id);
      if (s !== undefined && TERMINAL.has(s) && t.phase === "settled" && !t.settling && !t.cancelInFlight) this.#orders.delete(id);
    }
  }

  // ------------------------------------------------------------ events, each only when legal

  accepted(t: Tracked, venueOrderId: string): OrderAcceptedEvent | undefined {
    t.venueOrderId = venueOrderId;
    const s = this.#effective(t);
    if (t.acceptedSent || this.finished(t) || s === undefined || !CAN_ACCEPT.has(s)) return undefined;
    if (this.projectedFilled(t.clientOrderId) >= t.request.qty) return undefined;
    t.acceptedSent = true;
    return { type: "order.accepted", ts: this.#clock.now(), clientOrderId: t.clientOrderId, venueOrderId };
  }

  unknown(t: Tracked, cause: string): OrderUnknownEvent | undefined {
    const s = this.#effective(t);
    if (this.finished(t) || t.acceptedSent || t.venueSeen || s === undefined || !IN_FLIGHT.has(s)) return undefined;
    if (this.projectedFilled(t.clientOrderId) > 0n) return undefined;
    t.leftPendingSubmit = true;
    return { type: "order.unknown", ts: this.#clock.now(), clientOrderId: t.clientOrderId, cause };
  }

  resubmitted(t: Tracked): OrderSubmittedEvent | undefined {
    const s = this.#effective(t);
    if (this.finished(t) || (s !== "UNKNOWN" && s !== "PENDING_SUBMIT")) return undefined;
    t.attempts++;
    t.leftPendingSubmit = true;
    return { type: "order.submitted", ts: this.#clock.now(), clientOrderId: t.clientOrderId, attempt: t.attempts };
  }

  /** A definitive refusal of the create. Becomes a cancel when a cancel is already pending. */
  rejected(t: Tracked, code: string, reason: string, postOnlyWouldTake = false): OrderRejectedEvent | OrderCancelledEvent | OrderExpiredEvent | undefined {
    const s = this.#effective(t);
    if (this.finished(t) || t.acceptedSent || s === undefined) return undefined;
    if (this.projectedFilled(t.clientOrderId) > 0n) return undefined;
    if (s === "PENDING_CANCEL") return this.ended(t, "cancelled", `${code}: ${reason}`, postOnlyWouldTake);
    if (!IN_FLIGHT.has(s)) return undefined;
    t.terminalSentAt = this.#clock.now();
    return { type: "order.rejected", ts: this.#clock.now(), clientOrderId: t.clientOrderId, code, reason, postOnlyWouldTake };
  }

  /** `filledQty`: the venue's cumulative fill at the end, when it said (carried on the cancel). */
  ended(t: Tracked, kind: "cancelled" | "expired", reason: string, postOnlyWouldTake = false, filledQty?: Dec): OrderCancelledEvent | OrderExpiredEvent | undefined {
    const s = this.#effective(t);
    if (this.finished(t) || s === undefined || !CAN_END.has(s)) return undefined;
    if (this.projectedFilled(t.clientOrderId) >= t.request.qty) return undefined;
    t.terminalSentAt = this.#clock.now();
    const ts = this.#clock.now();
    if (kind === "expired") return { type: "order.expired", ts, clientOrderId: t.clientOrderId, reason };
    return { type: "order.cancelled", ts, clientOrderId: t.clientOrderId, venueOrderId: t.venueOrderId, reason, postOnlyWouldTake, ...(filledQty === undefined ? {} : { filledQty }) };
  }

  /**
   * A fill, once per venue execution id whatever its source. Fills on orders the engine never
   * placed (no or unknown client order id: liquidations, manual trades) are adopted as external.
   */
  fill(e: FillReport, source: FillEvent["source"]): FillEvent | undefined {
    if (this.#seen.has(e.fillId) || this.#account.hasFill(e.fillId)) return undefined;
    this.#remember(e.fillId);
    const order = e.clientOrderId === "" ? undefined : this.#account.placed(e.clientOrderId);
    const ours = order !== undefined && order.symbol === e.symbol && order.side === e.side;
    if (ours) {
      const t = this.#orders.get(e.clientOrderId);
      if (t !== undefined) t.venueSeen = true;
    } else {
      this.#notOurs(e);
    }
    const signedQty = e.side === "buy" ? e.qty : neg(e.qty);
    const now = this.#clock.now();
    this.#pending.push({ fillId: e.fillId, clientOrderId: ours ? e.clientOrderId : undefined, symbol: e.symbol, signedQty, qty: e.qty, at: now });
    const booked = e.feeAsset === undefined ? e : { ...e, fee: this.#foreignFee(e), feeAsset: undefined };
    return fillEventOf(booked, now, ours ? e.clientOrderId : undefined, source);
  }

  /** A synthetic fill of our own making (position adoption), sent once under its deterministic id. */
  adoptionFill(event: FillEvent): FillEvent | undefined {
    if (this.#seen.has(event.fillId) || this.#account.hasFill(event.fillId)) return undefined;
    this.#remember(event.fillId);
    const signedQty = event.side === "buy" ? event.qty : neg(event.qty);
    this.#pending.push({ fillId: event.fillId, clientOrderId: undefined, symbol: event.symbol, signedQty, qty: event.qty, at: this.#clock.now() });
    return event;
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > SEEN_MEMORY) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  #prune(): void {
    if (this.#pending.length === 0) return;
    const cutoff = this.#clock.now() - PENDING_FILL_MAX_AGE_MS;
    this.#pending = this.#pending.filter((p) => p.at >= cutoff && !this.#account.hasFill(p.fillId));
  }
}

function fresh(request: VenueOrderRequest, phase: Phase): Tracked {
  return {
    clientOrderId: request.clientOrderId,
    request,
    phase,
    venueOrderId: undefined,
    attempts: 1,
    lastStampedAt: undefined,
    acceptedSent: false,
    terminalSentAt: undefined,
    leftPendingSubmit: false,
    wantCancel: false,
    cancelInFlight: false,
    cancelAttempts: 0,
    cancelAckedAt: undefined,
    settling: false,
    venueSeen: false,
  };
}

