/**
 * The trading state and the one function that changes it: `apply(event)`.
 *
 * Live trading and replay run exactly this code on exactly the journaled events, so a replay
 * rebuilds the state the run had. `apply` checks everything before it mutates anything: an
 * illegal event throws a HeanError and leaves the state untouched.
 */
import { type Dec, ZERO, add, div, format, mul, sub } from "../core/decimal.ts";
import { HeanError } from "../core/errors.ts";
import type { Instrument } from "../core/instrument.ts";
import type {
  CommandType,
  FillEvent,
  HeanEvent,
  KillSwitchReason,
  OrderIntentEvent,
  OrderPurpose,
  OrderType,
  RiskState,
  Side,
  TimeInForce,
} from "../core/events.ts";
import { Portfolio, type PortfolioSnapshot } from "../portfolio/portfolio.ts";
import { ParentBook, type ParentRecord } from "../execution/router/parent-book.ts";
import { type OrderStatus, type OrderTrigger, WORKING, nextStatus } from "./order-state.ts";

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly qty: Dec;
  readonly price: Dec | undefined;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly purpose: OrderPurpose;
  readonly parentId: string | undefined;
  readonly arrivalMid: Dec | undefined;
  readonly createdAt: number;
  status: OrderStatus;
  venueOrderId: string | undefined;
  filledQty: Dec;
  filledValue: Dec;
  fees: Dec;
  attempts: number;
  updatedAt: number;
  postOnlyWouldTake: boolean;
  reason: string | undefined;
}

export interface KillSwitchState {
  active: boolean;
  reason: KillSwitchReason | null;
  triggeredAt: number | null;
  firstCloseAt: number | null;
  flatAt: number | null;
  detail: string;
}

export interface RiskRecord {
  state: RiskState;
  reasons: readonly string[];
  since: number;
  values: Readonly<Record<string, string>>;
}

export interface RiskReference {
  readonly capitalBase: Dec;
  readonly highWaterMark: Dec;
  readonly dayStart: number;
  readonly dayStartEquity: Dec;
}

export interface CommandRecord {
  readonly commandId: string;
  readonly command: CommandType;
  readonly source: string;
  readonly ts: number;
  result: { ok: boolean; message: string } | undefined;
}

export type ApplyOutcome = "applied" | "duplicate-fill" | "ignored";

/**
 * How many recent fill ids to remember (and snapshot). Duplicates come from stream replays and
 * reconciliation overlaps, minutes old at most: far fewer than this many fills.
 */
const FILL_ID_MEMORY = 50_000;

export class EngineState {
  portfolio: Portfolio;
  readonly orders = new Map<string, OrderRecord>();
  /** The router's parent orders and their legs (journaled: a restarted router carries on). */
  readonly parents = new ParentBook();
  /** The orders still working, kept apart so hot paths never scan every order ever made. */
  readonly #working = new Map<string, OrderRecord>();
  readonly #fillIds = new Set<string>();
  intentCount = 0;
  fillCount = 0;
  externalFillCount = 0;
  eventsApplied = 0;
  lastSeq = 0;
  risk: RiskRecord = { state: "NORMAL", reasons: [], since: 0, values: {} };
  killSwitch: KillSwitchState = { active: false, reason: null, triggeredAt: null, firstCloseAt: null, flatAt: null, detail: "" };
  readonly stopLosses = new Map<string, number>();
  /** The venue's rules per symbol as last journaled (`venue.instruments`). */
  readonly instruments = new Map<string, Instrument>();
  riskReference: RiskReference | undefined;
  readonly commands = new Map<string, CommandRecord>();
  readonly deniedByCode = new Map<string, number>();
  /** Per-symbol open time of positions as journaled (survives restarts via replay). */
  startedAt: number | null = null;

  constructor(initialCash: Dec) {
    this.portfolio = new Portfolio(initialCash);
  }

  hasFill(fillId: string): boolean {
    return this.#fillIds.has(fillId);
  }

  workingOrders(symbol?: string): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const o of this.#working.values()) {
      if (symbol === undefined || o.symbol === symbol) out.push(o);
    }
    return out;
  }

  #setStatus(o: OrderRecord, status: OrderStatus): void {
    o.status = status;
    if (WORKING.has(status)) this.#working.set(o.clientOrderId, o);
    else this.#working.delete(o.clientOrderId);
  }

  /** "halted": nothing new; "reduce-only": exits only; "active": trade. */
  tradingState(): "active" | "reduce-only" | "halted" {
    if (this.killSwitch.active || this.risk.state === "HARD_STOP") return "halted";
    if (this.risk.state === "QUARANTINE") return "reduce-only";
    return "active";
  }

  apply(event: HeanEvent, seq = 0): ApplyOutcome {
    const outcome = this.#apply(event);
    if (seq > 0) this.lastSeq = seq;
    if (outcome === "applied") this.eventsApplied++;
    return outcome;
  }

  #apply(e: HeanEvent): ApplyOutcome {
    switch (e.type) {
      case "order.intent":
        return this.#intent(e);
      case "order.denied":
        this.deniedByCode.set(e.code, (this.deniedByCode.get(e.code) ?? 0) + 1);
        return "applied";
      case "order.submitted": {
        const o = this.#transition(e.clientOrderId, "submitted", e.ts);
        o.attempts = e.attempt;
        return "applied";
      }
      case "order.accepted": {
        const o = this.#transition(e.clientOrderId, "accepted", e.ts);
        o.venueOrderId = e.venueOrderId;
        return "applied";
      }
      case "order.rejected": {
        const o = this.#transition(e.clientOrderId, "rejected", e.ts);
        o.reason = `${e.code}: ${e.reason}`;
        o.postOnlyWouldTake = e.postOnlyWouldTake;
        return "applied";
      }
      case "order.unknown":
        this.#transition(e.clientOrderId, "unknown", e.ts).reason = e.cause;
        return "applied";
      case "order.cancel-requested":
        this.#transition(e.clientOrderId, "cancel-requested", e.ts);
        return "applied";
      case "order.cancel-rejected":
        this.#transition(e.clientOrderId, "cancel-rejected", e.ts);
        return "applied";
      case "order.cancelled": {
        const o = this.#transition(e.clientOrderId, "cancelled", e.ts);
        o.reason = e.reason;
        o.postOnlyWouldTake = e.postOnlyWouldTake;
        if (e.venueOrderId !== undefined) o.venueOrderId = e.venueOrderId;
        return "applied";
      }
      case "order.expired":
        this.#transition(e.clientOrderId, "expired", e.ts).reason = e.reason;
        return "applied";
      case "order.filled":
        return this.#fill(e);
      case "router.parent":
      case "router.leg":
      case "router.ttl-expired":
      case "router.done":
        this.parents.apply(e);
        return "applied";
      case "mark":
        this.portfolio.setMark(e.symbol, e.bid, e.ask, e.ts);
        return "applied";
      case "risk.state":
        if (e.from !== this.risk.state) {
          throw new HeanError("EVENT_INVALID", `risk transition from ${e.from} but state is ${this.risk.state}`, {
            from: e.from,
            to: e.to,
            current: this.risk.state,
          });
        }
        this.risk = { state: e.to, reasons: e.reasons, since: e.ts, values: e.values };
        return "applied";
      case "risk.kill-switch":
        this.#killSwitch(e.step, e.reason, e.ts, e.detail);
        return "applied";
      case "risk.stoploss-set":
        this.stopLosses.set(e.symbol, e.pct);
        return "applied";
      case "risk.force-close":
        return "applied";
      case "risk.reference":
        this.riskReference = { capitalBase: e.capitalBase, highWaterMark: e.highWaterMark, dayStart: e.dayStart, dayStartEquity: e.dayStartEquity };
        return "applied";
      case "command":
        if (this.commands.has(e.commandId)) return "ignored";
        this.commands.set(e.commandId, { commandId: e.commandId, command: e.command, source: e.source, ts: e.ts, result: undefined });
        return "applied";
      case "command.result": {
        const c = this.commands.get(e.commandId);
        if (c === undefined) throw new HeanError("COMMAND_INVALID", `result for unknown command ${e.commandId}`, { commandId: e.commandId });
        c.result = { ok: e.ok, message: e.message };
        return "applied";
      }
      case "system.started":
        if (this.startedAt === null) this.startedAt = e.ts;
        return "applied";
      case "system.stopped":
        return "applied";
      case "venue.instruments":
        for (const i of e.instruments) this.instruments.set(i.symbol, i);
        return "applied";
      default:
        // Market data, signals, alerts and derived events do not change journaled state.
        return "ignored";
    }
  }

  #intent(e: OrderIntentEvent): ApplyOutcome {
    if (this.orders.has(e.clientOrderId)) {
      throw new HeanError("ORDER_DUPLICATE", `client order id ${e.clientOrderId} already used`, { clientOrderId: e.clientOrderId });
    }
    if (e.qty <= 0n) throw new HeanError("ORDER_INVALID", "intent quantity must be positive", { qty: format(e.qty) });
    const order: OrderRecord = {
      clientOrderId: e.clientOrderId,
      strategyId: e.strategyId,
      symbol: e.symbol,
      side: e.side,
      orderType: e.orderType,
      qty: e.qty,
      price: e.price,
      timeInForce: e.timeInForce,
      reduceOnly: e.reduceOnly,
      purpose: e.purpose,
      parentId: e.parentId,
      arrivalMid: e.arrivalMid,
      createdAt: e.ts,
      status: "PENDING_SUBMIT",
      venueOrderId: undefined,
      filledQty: ZERO,
      filledValue: ZERO,
      fees: ZERO,
      attempts: 0,
      updatedAt: e.ts,
      postOnlyWouldTake: false,
      reason: undefined,
    };
    this.orders.set(e.clientOrderId, order);
    this.#working.set(e.clientOrderId, order);
    this.intentCount++;
    return "applied";
  }

  #fill(e: FillEvent): ApplyOutcome {
    if (this.#fillIds.has(e.fillId)) return "duplicate-fill";
    if (e.qty <= 0n || e.price <= 0n) {
      throw new HeanError("EVENT_INVALID", "fill quantity and price must be positive", { fillId: e.fillId, qty: format(e.qty), price: format(e.price) });
    }
    const order = e.clientOrderId === undefined ? undefined : this.orders.get(e.clientOrderId);
    if (e.clientOrderId !== undefined && order === undefined) {
      throw new HeanError("ORDER_UNKNOWN", `fill ${e.fillId} for unknown order ${e.clientOrderId}`, { fillId: e.fillId, clientOrderId: e.clientOrderId });
    }
    if (order !== undefined) {
      if (order.symbol !== e.symbol || order.side !== e.side) {
        throw new HeanError("EVENT_INVALID", `fill ${e.fillId} does not match order ${order.clientOrderId}`, {
          fillId: e.fillId,
          orderSymbol: order.symbol,
          fillSymbol: e.symbol,
          orderSide: order.side,
          fillSide: e.side,
        });
      }
      const filled = add(order.filledQty, e.qty);
      if (filled > order.qty) {
        throw new HeanError("FILL_OVERFILL", `fill ${e.fillId} overfills ${order.clientOrderId}`, {
          fillId: e.fillId,
          qty: format(order.qty),
          filled: format(order.filledQty),
          fill: format(e.qty),
        });
      }
      const trigger: OrderTrigger = filled === order.qty ? "full-fill" : "partial-fill";
      this.#setStatus(order, nextStatus(order.clientOrderId, order.status, trigger, true));
      order.filledQty = filled;
      order.filledValue = add(order.filledValue, mul(e.price, e.qty));
      order.fees = add(order.fees, e.fee);
      order.updatedAt = e.ts;
      if (order.venueOrderId === undefined) order.venueOrderId = e.venueOrderId;
      if (order.parentId !== undefined) this.parents.onChildFill(order.parentId, e);
    } else {
      this.externalFillCount++;
    }
    this.portfolio.applyFill(e);
    this.#rememberFill(e.fillId);
    this.fillCount++;
    return "applied";
  }

  #rememberFill(fillId: string): void {
    this.#fillIds.add(fillId);
    if (this.#fillIds.size > FILL_ID_MEMORY) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = this.#fillIds.values().next().value;
      if (oldest !== undefined) this.#fillIds.delete(oldest);
    }
  }

  #transition(clientOrderId: string, trigger: OrderTrigger, ts: number): OrderRecord {
    const o = this.orders.get(clientOrderId);
    if (o === undefined) {
      throw new HeanError("ORDER_UNKNOWN", `${trigger} for unknown order ${clientOrderId}`, { clientOrderId, trigger });
    }
    this.#setStatus(o, nextStatus(clientOrderId, o.status, trigger, o.filledQty > 0n));
    o.updatedAt = ts;
    return o;
  }

  #killSwitch(step: string, reason: KillSwitchReason, ts: number, detail: string): void {
    const k = this.killSwitch;
    switch (step) {
      case "triggered":
        if (!k.active) this.killSwitch = { active: true, reason, triggeredAt: ts, firstCloseAt: null, flatAt: null, detail };
        return;
      case "closing":
        if (k.firstCloseAt === null) k.firstCloseAt = ts;
        return;
      case "flat":
        k.flatAt ??= ts;
        return;
      case "reset":
        this.killSwitch = { ...k, active: false };
        return;
      default:
        return;
    }
  }

  // ------------------------------------------------------------ snapshots

  snapshot(): EngineSnapshot {
    return {
      version: 1,
      lastSeq: this.lastSeq,
      eventsApplied: this.eventsApplied,
      portfolio: this.portfolio.snapshot(),
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      fillIds: [...this.#fillIds],
      intentCount: this.intentCount,
      fillCount: this.fillCount,
      externalFillCount: this.externalFillCount,
      risk: this.risk,
      killSwitch: { ...this.killSwitch },
      stopLosses: [...this.stopLosses],
      instruments: [...this.instruments.values()],
      riskReference: this.riskReference,
      commands: [...this.commands.values()].map((c) => ({ ...c })),
      deniedByCode: [...this.deniedByCode],
      startedAt: this.startedAt,
      parents: this.parents.snapshot(),
    };
  }

  static fromSnapshot(s: EngineSnapshot): EngineState {
    const st = new EngineState(s.portfolio.initialCash);
    st.portfolio = Portfolio.fromSnapshot(s.portfolio);
    for (const o of s.orders) {
      const order = { ...o };
      st.orders.set(o.clientOrderId, order);
      if (WORKING.has(order.status)) st.#working.set(order.clientOrderId, order);
    }
    for (const id of s.fillIds) st.#fillIds.add(id);
    st.intentCount = s.intentCount;
    st.fillCount = s.fillCount;
    st.externalFillCount = s.externalFillCount;
    st.lastSeq = s.lastSeq;
    st.eventsApplied = s.eventsApplied;
    st.risk = s.risk;
    st.killSwitch = { ...s.killSwitch };
    for (const [k, v] of s.stopLosses) st.stopLosses.set(k, v);
    for (const i of s.instruments ?? []) st.instruments.set(i.symbol, i);
    st.riskReference = s.riskReference;
    for (const c of s.commands) st.commands.set(c.commandId, { ...c });
    for (const [k, v] of s.deniedByCode) st.deniedByCode.set(k, v);
    st.startedAt = s.startedAt;
    st.parents.restore(s.parents ?? []);
    return st;
  }
}

export interface EngineSnapshot {
  readonly version: 1;
  readonly lastSeq: number;
  readonly eventsApplied: number;
  readonly portfolio: PortfolioSnapshot;
  readonly orders: readonly OrderRecord[];
  readonly fillIds: readonly string[];
  readonly intentCount: number;
  readonly fillCount: number;
  readonly externalFillCount: number;
  readonly risk: RiskRecord;
  readonly killSwitch: KillSwitchState;
  readonly stopLosses: readonly (readonly [string, number])[];
  /** Absent in snapshots written before instruments came from the venue. */
  readonly instruments?: readonly Instrument[];
  readonly riskReference: RiskReference | undefined;
  readonly commands: readonly CommandRecord[];
  readonly deniedByCode: readonly (readonly [string, number])[];
  readonly startedAt: number | null;
  /** Absent in snapshots written before the router existed. */
  readonly parents?: readonly ParentRecord[];
}

/** Average fill price of an order (rounded), or undefined with no fills. */
export function avgFillPrice(o: OrderRecord): Dec | undefined {
  if (o.filledQty === 0n) return undefined;
  return div(o.filledValue, o.filledQty);
}

/** The kill switch as reports and views show it: reaction is trigger → first close order. */
export function killSwitchSummary(k: KillSwitchState) {
  return {
    active: k.active,
    reason: k.reason,
    triggeredAt: k.triggeredAt,
    flatAt: k.flatAt,
    reactionMs: k.triggeredAt !== null && k.firstCloseAt !== null ? k.firstCloseAt - k.triggeredAt : null,
  };
}

export const remainingQty = (o: OrderRecord): Dec => sub(o.qty, o.filledQty);
