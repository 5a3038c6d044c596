/**
 * The trading state and the one function that changes it: `apply(event)`.
 *
 * Live trading and replay run exactly this code on exactly the journaled events, so a replay
 * rebuilds the state the run had. `apply` checks everything before it mutates anything: an
 * illegal event throws a HeanError and leaves the state untouched.
 */
import { OldestFirst } from "../core/oldest-first.ts";
import { type Dec, ZERO, add, div, format, mul, mulDiv, sub } from "../core/decimal.ts";
import { commandPayload } from "../core/command-payload.ts";
import { HeanError } from "../core/errors.ts";
import type { Instrument } from "../core/instrument.ts";
import type {
  AccountSnapshotEvent,
  AccountSource,
  CashAdjustedEvent,
  CommandType,
  FillEvent,
  FundingPaidEvent,
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
import { ParentBook, type ParentRecord, type ParentWindow } from "./parent-book.ts";
import { DEFAULT_PERFORMANCE_BOUNDS, type PerformanceBounds, RunPerformance, type RunPerformanceSnapshot } from "../report/run-performance.ts";
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
  /**
   * The cumulative fill the venue reported with the cancel (set only when it did): final, and
   * ahead of `filledQty` while fills that raced the cancel are still on their way.
   */
  venueFilledQty?: Dec;
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
  /** `commandPayload` of the command: a resend must match it, or it is a conflict. */
  readonly payload: string;
  readonly source: string;
  readonly ts: number;
  result: { ok: boolean; message: string } | undefined;
}

/**
 * The venue's wallet as last reported, with the engine's cash at that moment. `divergence` is
 * venue wallet − engine cash: beyond fees in flight, the two books disagree.
 */
export type VenueAccountRecord = Omit<AccountSnapshotEvent, "type"> & {
  readonly engineCash: Dec;
  readonly divergence: Dec;
  /** Set on the snapshot that opened the account: the cash booked to match the venue. */
  readonly opening: Dec | undefined;
};

/**
 * What is remembered of an order after it left the state: enough to put a late or repeated
 * venue report about it right (de-duplicate, refuse an overfill, count a late fill once) and to
 * refuse its client order id for a new intent. The journal keeps the whole record.
 */
export interface RetiredOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly parentId: string | undefined;
  status: OrderStatus;
  filledQty: Dec;
}

export interface EngineStateOptions {
  /**
   * Terminal orders kept in state besides the working ones (and as many ended router parents,
   * each with its legs). Older ones leave the state, snapshots and reports; the journal keeps them.
   */
  readonly recentTerminalOrders?: number;
  /** How many orders that left the state to remember compactly (default `DEFAULT_REMEMBERED_ORDERS`). */
  readonly rememberedOrders?: number;
  /** How many fill ids to remember for de-duplication (default `DEFAULT_REMEMBERED_FILL_IDS`). */
  readonly rememberedFillIds?: number;
  /** How much of the run's trades and equity curve to keep item by item (default `DEFAULT_PERFORMANCE_BOUNDS`). */
  readonly performance?: PerformanceBounds;
}

export const DEFAULT_RECENT_TERMINAL_ORDERS = 500;

/**
 * `duplicate-*`: seen before with the same content; nothing changes and nothing acts on it again
 * (`duplicate-cash`: a funding or cash adjustment id already booked, the same payment seen twice).
 * `conflicting-fill`: a known execution id with other numbers; the first stands, nothing changes,
 * and the engine alerts (one of the two reports is wrong: never drop that silently).
 */
export type ApplyOutcome = "applied" | "duplicate-fill" | "conflicting-fill" | "duplicate-command" | "duplicate-cash" | "ignored";

/**
 * How many recent fill ids to remember (and snapshot). Duplicates come from stream replays and
 * reconciliation overlaps, minutes old at most: far fewer than this many fills.
 */
export const DEFAULT_REMEMBERED_FILL_IDS = 50_000;
/** Funding settles a few times a day per symbol; adjustments are rarer still. */
const CASH_ID_MEMORY = 50_000;

/**
 * How many orders that left the state to remember compactly. Late venue reports (a fill that
 * raced a cancel, a stream replay, a reconciliation overlap) come minutes after the order ended,
 * while this many orders take far longer to end; past it, the venue's positions are the check.
 */
export const DEFAULT_REMEMBERED_ORDERS = 20_000;

export class EngineState {
  portfolio: Portfolio;
  /** Working orders, the recent terminal ones and the legs of the parents kept (see `EngineStateOptions`). */
  readonly orders = new Map<string, OrderRecord>();
  /** The router's parent orders and their legs (journaled: a restarted router carries on). */
  readonly parents = new ParentBook();
  /** The orders still working, kept apart so hot paths never scan every order ever made. */
  readonly #working = new Map<string, OrderRecord>();
  /** Fill id → `fillPrint` (undefined: restored from a snapshot that did not keep it). */
  readonly #fillIds = new Map<string, string | undefined>();
  /** Terminal orders that leave the state on their own (no parent kept), oldest first. */
  readonly #ended = new Set<string>();
  readonly #retired = new Map<string, RetiredOrder>();
  // The windows below drop their oldest entry per new one (see OldestFirst for why not keys().next()).
  readonly #oldestEnded = new OldestFirst(this.#ended);
  readonly #oldestRetired = new OldestFirst(this.#retired);
  readonly #oldestFillId = new OldestFirst(this.#fillIds);
  readonly #keep: number;
  readonly #retiredMemory: number;
  readonly #fillIdMemory: number;
  readonly #performanceBounds: PerformanceBounds;
  /** The strategy of the latest entry intent per symbol: who owns a position after its entry order left the state. */
  readonly lastEntryStrategy = new Map<string, string>();
  /** Booked funding (`f:<id>`) and adjustment (`a:<id>`) ids. */
  readonly #cashIds = new Set<string>();
  /** The venue's latest account snapshot, from any source. */
  venueAccount: VenueAccountRecord | undefined;
  /** The latest snapshot read by reconciliation: the one that decides divergence. */
  reconciledAccount: VenueAccountRecord | undefined;
  /**
   * When the account opened at the venue's wallet (the venue's time of the opening snapshot):
   * whatever the account did before is in the opening balance, none of it this journal's to book.
   */
  accountOpenedAt: number | undefined;
  fundingCount = 0;
  adjustmentCount = 0;
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
  /** Round-trip trades, equity curve and drawdown of the run, from the applied events. */
  performance: RunPerformance;
  /** Per-symbol open time of positions as journaled (survives restarts via replay). */
  startedAt: number | null = null;

  constructor(initialCash: Dec, options: EngineStateOptions = {}) {
    this.portfolio = new Portfolio(initialCash);
    this.#keep = options.recentTerminalOrders ?? DEFAULT_RECENT_TERMINAL_ORDERS;
    this.#retiredMemory = options.rememberedOrders ?? DEFAULT_REMEMBERED_ORDERS;
    this.#fillIdMemory = options.rememberedFillIds ?? DEFAULT_REMEMBERED_FILL_IDS;
    this.#performanceBounds = options.performance ?? DEFAULT_PERFORMANCE_BOUNDS;
    this.performance = new RunPerformance(this.#performanceBounds);
  }

  /** What is remembered of an order that left the state (undefined while it is in `orders`). */
  retiredOrder(clientOrderId: string): RetiredOrder | undefined {
    return this.#retired.get(clientOrderId);
  }

  hasFill(fillId: string): boolean {
    return this.#fillIds.has(fillId);
  }

  /** Whether a cash adjustment under this id has been booked (within the ids remembered). */
  hasCashAdjustment(adjustmentId: string): boolean {
    return this.#cashIds.has(`a:${adjustmentId}`);
  }

  /** What the recorded fill under this id said (`fillPrint`), when known. */
  recordedFill(fillId: string): string | undefined {
    return this.#fillIds.get(fillId);
  }

  /** Whether any order on the symbol is working: `workingOrders(symbol).length > 0` without the array (strategies ask on every book). */
  hasWorkingOrders(symbol: string): boolean {
    for (const o of this.#working.values()) if (o.symbol === symbol) return true;
    return false;
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
    if (WORKING.has(status)) {
      this.#working.set(o.clientOrderId, o);
      return;
    }
    this.#working.delete(o.clientOrderId);
    // A router leg leaves with its parent, so the router and the parent's measures keep every leg.
    const parent = o.parentId === undefined ? undefined : this.parents.get(o.parentId);
    if (parent === undefined) this.#ended.add(o.clientOrderId);
  }

  /**
   * Keep the newest terminal orders and ended parents; the rest leave the state. Counted in
   * applied events, never in time, so a replay prunes exactly as the live run did.
   */
  #prune(): void {
    while (this.#ended.size > this.#keep) {
      this.#retire(this.#oldestEnded.take()!);
    }
    for (const p of this.parents.prune(this.#keep)) {
      for (const leg of p.legs) {
        const o = this.orders.get(leg.clientOrderId);
        // A leg still working outlives its parent and leaves on its own once it ends.
        if (o !== undefined && !WORKING.has(o.status)) this.#retire(o.clientOrderId);
      }
    }
  }

  #retire(clientOrderId: string): void {
    this.#ended.delete(clientOrderId);
    const o = this.orders.get(clientOrderId);
    if (o === undefined) return;
    this.orders.delete(clientOrderId);
    const { symbol, side, qty, parentId, status, filledQty } = o;
    this.#retired.set(clientOrderId, { clientOrderId, symbol, side, qty, parentId, status, filledQty });
    this.#forgetOldest();
  }

  /** Maps iterate in insertion order: the first keys are the oldest. A `while`, as a snapshot may hold more than today's config keeps. */
  #forgetOldest(): void {
    while (this.#retired.size > this.#retiredMemory) this.#retired.delete(this.#oldestRetired.take()!);
    while (this.#fillIds.size > this.#fillIdMemory) this.#fillIds.delete(this.#oldestFillId.take()!);
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
    if (outcome === "applied") {
      this.eventsApplied++;
      this.performance.apply(event, (marks) => this.portfolio.equityAt(marks), () => this.portfolio.adjustments);
      this.#prune();
    }
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
        if (e.filledQty !== undefined) this.#checkVenueFilled(e.clientOrderId, e.filledQty);
        const o = this.#transition(e.clientOrderId, "cancelled", e.ts);
        o.reason = e.reason;
        o.postOnlyWouldTake = e.postOnlyWouldTake;
        if (e.venueOrderId !== undefined) o.venueOrderId = e.venueOrderId;
        if (e.filledQty !== undefined) o.venueFilledQty = e.filledQty;
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
      case "account.snapshot":
        return this.#accountSnapshot(e);
      case "funding.paid":
        return this.#funding(e);
      case "cash.adjusted":
        return this.#cashAdjusted(e);
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
      case "command": {
        const payload = commandPayload(e.command, e.args);
        const known = this.commands.get(e.commandId);
        if (known?.payload === payload) return "duplicate-command";
        if (known !== undefined) {
          throw new HeanError("COMMAND_CONFLICT", `commandId ${e.commandId} was already used for ${known.command}; refusing ${e.command} under it`, {
            commandId: e.commandId,
            earlier: known.command,
            refused: e.command,
          });
        }
        this.commands.set(e.commandId, { commandId: e.commandId, command: e.command, payload, source: e.source, ts: e.ts, result: undefined });
        return "applied";
      }
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
      // The explanation of an entry's size: kept in the journal for audit and replay, no state of its own.
      case "order.sized":
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
    if (this.orders.has(e.clientOrderId) || this.#retired.has(e.clientOrderId)) {
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
    if (e.purpose === "entry") this.lastEntryStrategy.set(e.symbol, e.strategyId);
    this.intentCount++;
    return "applied";
  }

  #fill(e: FillEvent): ApplyOutcome {
    if (this.#fillIds.has(e.fillId)) {
      const known = this.#fillIds.get(e.fillId);
      return known === undefined || known === fillPrint(e) ? "duplicate-fill" : "conflicting-fill";
    }
    if (e.qty <= 0n || e.price <= 0n) {
      throw new HeanError("EVENT_INVALID", "fill quantity and price must be positive", { fillId: e.fillId, qty: format(e.qty), price: format(e.price) });
    }
    const id = e.clientOrderId;
    const order = id === undefined ? undefined : this.orders.get(id);
    // A late report about an order that already left the state still lands on it, once.
    const retired = id === undefined || order !== undefined ? undefined : this.#retired.get(id);
    const target = order ?? retired;
    if (id !== undefined && target === undefined) {
      throw new HeanError("ORDER_UNKNOWN", `fill ${e.fillId} for unknown order ${id}`, { fillId: e.fillId, clientOrderId: id });
    }
    if (target !== undefined) {
      if (target.symbol !== e.symbol || target.side !== e.side) {
        throw new HeanError("EVENT_INVALID", `fill ${e.fillId} does not match order ${target.clientOrderId}`, {
          fillId: e.fillId,
          orderSymbol: target.symbol,
          fillSymbol: e.symbol,
          orderSide: target.side,
          fillSide: e.side,
        });
      }
      const filled = add(target.filledQty, e.qty);
      if (filled > target.qty) {
        throw new HeanError("FILL_OVERFILL", `fill ${e.fillId} overfills ${target.clientOrderId}`, {
          fillId: e.fillId,
          qty: format(target.qty),
          filled: format(target.filledQty),
          fill: format(e.qty),
        });
      }
      const trigger: OrderTrigger = filled === target.qty ? "full-fill" : "partial-fill";
      const status = nextStatus(target.clientOrderId, target.status, trigger, true);
      if (order !== undefined) {
        this.#setStatus(order, status);
        order.filledValue = add(order.filledValue, mul(e.price, e.qty));
        order.fees = add(order.fees, e.fee);
        order.updatedAt = e.ts;
        if (order.venueOrderId === undefined) order.venueOrderId = e.venueOrderId;
      } else {
        target.status = status;
      }
      target.filledQty = filled;
      if (target.parentId !== undefined) this.parents.onChildFill(target.parentId, e);
    } else {
      this.externalFillCount++;
    }
    this.portfolio.applyFill(e);
    this.#rememberFill(e);
    this.fillCount++;
    return "applied";
  }

  // ------------------------------------------------------------ account truth

  /**
   * Records the venue's wallet. The first snapshot read by reconciliation opens the account: cash
   * is set to the venue's wallet balance (live capital is what the venue holds, not the configured
   * `initialCash`), booked as an adjustment so that drawdown does not count it. A snapshot equal to
   * the latest, against unchanged engine cash, says nothing new: ignored (not journaled).
   */
  #accountSnapshot(e: AccountSnapshotEvent): ApplyOutcome {
    for (const [k, v] of [["walletBalance", e.walletBalance], ["equity", e.equity], ["available", e.available], ["initialMargin", e.initialMargin], ["maintenanceMargin", e.maintenanceMargin]] as const) {
      if (typeof v !== "bigint") throw new HeanError("EVENT_INVALID", `account snapshot ${k} must be a decimal`, { field: k });
    }
    const last = this.venueAccount;
    const cash = this.portfolio.cash;
    if (
      last !== undefined &&
      last.source === e.source &&
      last.venue === e.venue &&
      last.walletBalance === e.walletBalance &&
      last.equity === e.equity &&
      last.available === e.available &&
      last.initialMargin === e.initialMargin &&
      last.maintenanceMargin === e.maintenanceMargin &&
      last.engineCash === cash
    ) {
      return "ignored";
    }
    let opening: Dec | undefined;
    if (e.source === "reconciliation" && this.reconciledAccount === undefined) {
      opening = sub(e.walletBalance, cash);
      this.#adjust(opening, "opening");
      this.accountOpenedAt = e.venueTs;
    }
    const engineCash = this.portfolio.cash;
    const { type: _type, ...reported } = e;
    const record: VenueAccountRecord = { ...reported, engineCash, divergence: sub(e.walletBalance, engineCash), opening };
    this.venueAccount = record;
    if (e.source === "reconciliation") this.reconciledAccount = record;
    return "applied";
  }

  #funding(e: FundingPaidEvent): ApplyOutcome {
    if (typeof e.fundingId !== "string" || e.fundingId === "" || typeof e.symbol !== "string" || e.symbol === "" || typeof e.paid !== "bigint") {
      throw new HeanError("EVENT_INVALID", "funding needs an id, a symbol and a decimal amount", { fundingId: String(e.fundingId), symbol: String(e.symbol) });
    }
    const key = `f:${e.fundingId}`;
    if (this.#cashIds.has(key)) return "duplicate-cash";
    this.portfolio.applyFunding(e.paid);
    this.#rememberCash(key);
    this.fundingCount++;
    return "applied";
  }

  #cashAdjusted(e: CashAdjustedEvent): ApplyOutcome {
    if (typeof e.adjustmentId !== "string" || e.adjustmentId === "" || typeof e.amount !== "bigint") {
      throw new HeanError("EVENT_INVALID", "a cash adjustment needs an id and a decimal amount", { adjustmentId: String(e.adjustmentId) });
    }
    const key = `a:${e.adjustmentId}`;
    if (this.#cashIds.has(key)) return "duplicate-cash";
    this.#adjust(e.amount);
    this.#rememberCash(key);
    this.adjustmentCount++;
    return "applied";
  }

  /**
   * Cash in or out that is not P&L: the risk references move with it, so it is neither a gain nor
   * a drawdown. A transfer scales them with the cash (× cash after / cash before): drawdown and
   * the day's loss keep their percentages, as the governor's thresholds are percentages. Moved by
   * the same amount instead, a withdrawal made what was lost before it a larger share of what was
   * left (a 54.85 % "drawdown" and a HARD_STOP after a 0.07 % loss, once 99.9 % was withdrawn)
   * and a deposit diluted a loss. Cash, not equity: the marks between journaled ones are not in
   * the journal, and a replay must come to the same references. The account's opening (the
   * engine's capital set to the venue's) moves them by its amount: it defines them. A cash that is
   * not positive either side falls back to the amount.
   */
  #adjust(amount: Dec, kind: "opening" | "transfer" = "transfer"): void {
    const before = this.portfolio.cash;
    this.portfolio.adjustCash(amount);
    const r = this.riskReference;
    if (r === undefined || amount === ZERO) return;
    const after = add(before, amount);
    const move = kind === "transfer" && before > ZERO && after > ZERO ? (x: Dec): Dec => mulDiv(x, after, before) : (x: Dec): Dec => add(x, amount);
    this.riskReference = {
      capitalBase: move(r.capitalBase),
      highWaterMark: move(r.highWaterMark),
      dayStart: r.dayStart,
      dayStartEquity: move(r.dayStartEquity),
    };
  }

  #rememberCash(key: string): void {
    this.#cashIds.add(key);
    if (this.#cashIds.size > CASH_ID_MEMORY) {
      const oldest = this.#cashIds.values().next().value;
      if (oldest !== undefined) this.#cashIds.delete(oldest);
    }
  }

  #rememberFill(e: FillEvent): void {
    this.#fillIds.set(e.fillId, fillPrint(e));
    this.#forgetOldest();
  }

  /** A venue's cumulative fill must fit the order: anything else is a wrong number, refused. */
  #checkVenueFilled(clientOrderId: string, filledQty: Dec): void {
    const o = this.orders.get(clientOrderId);
    if (o === undefined || (filledQty >= 0n && filledQty <= o.qty)) return;
    throw new HeanError("EVENT_INVALID", `cancel of ${clientOrderId} reports a cumulative fill of ${format(filledQty)} for an order of ${format(o.qty)}`, {
      clientOrderId,
      qty: format(o.qty),
      filledQty: format(filledQty),
    });
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
      version: 2,
      lastSeq: this.lastSeq,
      eventsApplied: this.eventsApplied,
      portfolio: this.portfolio.snapshot(),
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      endedOrders: [...this.#ended],
      retiredOrders: [...this.#retired.values()].map((o) => ({ ...o })),
      fillIds: [...this.#fillIds.keys()],
      fillPrints: [...this.#fillIds.values()].map((p) => p ?? ""),
      lastEntryStrategy: [...this.lastEntryStrategy],
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
      parentWindow: this.parents.window(),
      cashIds: [...this.#cashIds],
      venueAccount: this.venueAccount,
      reconciledAccount: this.reconciledAccount,
      accountOpenedAt: this.accountOpenedAt,
      fundingCount: this.fundingCount,
      adjustmentCount: this.adjustmentCount,
      performance: this.performance.snapshot(),
    };
  }

  static fromSnapshot(s: EngineSnapshot, options: EngineStateOptions = {}): EngineState {
    const st = new EngineState(s.portfolio.initialCash, options);
    st.portfolio = Portfolio.fromSnapshot(s.portfolio);
    for (const o of s.orders) {
      const order = { ...o };
      st.orders.set(o.clientOrderId, order);
      if (WORKING.has(order.status)) st.#working.set(order.clientOrderId, order);
    }
    for (const id of s.endedOrders) st.#ended.add(id);
    // The codec drops undefined fields: put them back so a restored record equals a live one.
    for (const r of s.retiredOrders) st.#retired.set(r.clientOrderId, { ...r, parentId: r.parentId });
    s.fillIds.forEach((id, i) => st.#fillIds.set(id, s.fillPrints?.[i] || undefined));
    st.#forgetOldest();
    for (const [symbol, strategyId] of s.lastEntryStrategy) st.lastEntryStrategy.set(symbol, strategyId);
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
    // Snapshots written before payloads were kept know only the type: a resend with arguments is then a conflict, the safe side.
    for (const c of s.commands) st.commands.set(c.commandId, { ...c, payload: c.payload ?? commandPayload(c.command, {}) });
    for (const [k, v] of s.deniedByCode) st.deniedByCode.set(k, v);
    st.startedAt = s.startedAt;
    st.parents.restore(s.parents ?? [], s.parentWindow);
    for (const id of s.cashIds ?? []) st.#cashIds.add(id);
    st.venueAccount = s.venueAccount;
    st.reconciledAccount = s.reconciledAccount;
    st.accountOpenedAt = s.accountOpenedAt;
    st.fundingCount = s.fundingCount ?? 0;
    st.adjustmentCount = s.adjustmentCount ?? 0;
    // Older snapshots carry no trades: the ledger starts from the positions it is shown next.
    if (s.performance !== undefined) st.performance = RunPerformance.fromSnapshot(s.performance, st.#performanceBounds);
    // A smaller window than the run that wrote the snapshot takes effect at once.
    st.#prune();
    return st;
  }
}

export interface EngineSnapshot {
  /** 2: terminal orders are pruned to a window (version 1 snapshots held every order; replay ignores them). */
  readonly version: 2;
  readonly lastSeq: number;
  readonly eventsApplied: number;
  readonly portfolio: PortfolioSnapshot;
  readonly orders: readonly OrderRecord[];
  /** Terminal orders in the order they leave the state. */
  readonly endedOrders: readonly string[];
  readonly retiredOrders: readonly RetiredOrder[];
  readonly fillIds: readonly string[];
  readonly lastEntryStrategy: readonly (readonly [string, string])[];
  /** `fillPrint` of each of `fillIds`, in the same order ("" when unknown); absent in older snapshots. */
  readonly fillPrints?: readonly string[];
  readonly intentCount: number;
  readonly fillCount: number;
  readonly externalFillCount: number;
  readonly risk: RiskRecord;
  readonly killSwitch: KillSwitchState;
  readonly stopLosses: readonly (readonly [string, number])[];
  /** Absent in snapshots written before instruments came from the venue. */
  readonly instruments?: readonly Instrument[];
  readonly riskReference: RiskReference | undefined;
  /** `payload` is absent in snapshots written before it was kept. */
  readonly commands: readonly (Omit<CommandRecord, "payload"> & { readonly payload?: string })[];
  readonly deniedByCode: readonly (readonly [string, number])[];
  readonly startedAt: number | null;
  /** Absent in snapshots written before the router existed. */
  readonly parents?: readonly ParentRecord[];
  readonly parentWindow?: ParentWindow;
  /** Absent in snapshots written before account truth was journaled (as are the four below). */
  readonly cashIds?: readonly string[];
  readonly venueAccount?: VenueAccountRecord | undefined;
  readonly reconciledAccount?: VenueAccountRecord | undefined;
  /** Absent in snapshots written before it was kept (the boot search then starts as before). */
  readonly accountOpenedAt?: number | undefined;
  readonly fundingCount?: number;
  readonly adjustmentCount?: number;
  /** Absent in snapshots written before trades were followed. */
  readonly performance?: RunPerformanceSnapshot;
}

/**
 * What one execution says that no second report of it may say differently: symbol, side,
 * quantity and price. (Fees, times and the source may legitimately differ between the stream
 * and a reconciliation of the same execution.)
 */
export function fillPrint(e: FillEvent): string {
  return `${e.symbol} ${e.side} ${format(e.qty)} @ ${format(e.price)}`;
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
