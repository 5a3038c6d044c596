/**
 * The router's journaled state: the working parent orders and the recently ended ones, their
 * legs and what they filled (older ended parents leave with `prune`; the journal keeps them).
 *
 * It lives inside the engine's state and changes only through `EngineState.apply` (router
 * events, and fills of child orders), so a replay of the journal rebuilds it exactly and a
 * restarted router carries on from it. Each `apply` checks before it mutates: an illegal event
 * throws a HeanError and changes nothing.
 */
import { OldestFirst } from "../core/oldest-first.ts";
import { type Dec, ZERO, add, format, mul, neg } from "../core/decimal.ts";
import { HeanError } from "../core/errors.ts";
import type {
  FallbackCause,
  FillEvent,
  LegCause,
  LegKind,
  RouterDoneEvent,
  RouterEvent,
  RouterLegEvent,
  RouterParentEvent,
  RouterTtlExpiredEvent,
} from "../core/events.ts";

export interface LegRecord {
  readonly clientOrderId: string;
  readonly kind: LegKind;
  readonly n: number;
  readonly cause: LegCause;
  readonly price: Dec;
  readonly qty: Dec;
  readonly at: number;
  ttlMs: number;
  /** When the maker leg's current TTL runs out; undefined for taker legs and once expired. */
  deadline: number | undefined;
  /** The router cancelled this maker leg because its TTL ran out. */
  ttlExpired: boolean;
}

export interface ParentRecord extends Omit<RouterParentEvent, "type" | "ts"> {
  readonly createdAt: number;
  readonly legs: LegRecord[];
  /** New maker legs after an expiry, plus TTL extensions at an unchanged touch. */
  reprices: number;
  ttlExpiries: number;
  fallbackCause: FallbackCause | undefined;
  filledQty: Dec;
  filledValue: Dec;
  makerQty: Dec;
  feesPaid: Dec;
  rebates: Dec;
  lastFillAt: number | undefined;
  done: RouterDoneEvent | undefined;
}

/** Which parents the book has let go of: how many were ever created, and the ended ones kept, oldest first. */
export interface ParentWindow {
  readonly created: number;
  readonly ended: readonly string[];
}

export class ParentBook {
  readonly #parents = new Map<string, ParentRecord>();
  readonly #working = new Map<string, ParentRecord>();
  /** Ended parents in the order they ended: the oldest leave first (see `prune`). */
  readonly #ended = new Set<string>();
  /** Dropping the oldest ended parent without rescanning the set's holes (see OldestFirst). */
  readonly #oldestEnded = new OldestFirst(this.#ended);
  #created = 0;

  /** Parents ever created, including those pruned (the next parent id counts on from it). */
  get count(): number {
    return this.#created;
  }

  /** Keeps the newest `keep` ended parents; returns those let go (the engine retires their legs). */
  prune(keep: number): ParentRecord[] {
    const gone: ParentRecord[] = [];
    while (this.#ended.size > keep) {
      const oldest = this.#oldestEnded.take()!;
      this.#ended.delete(oldest);
      const p = this.#parents.get(oldest);
      this.#parents.delete(oldest);
      if (p !== undefined) gone.push(p);
    }
    return gone;
  }

  get(parentId: string): ParentRecord | undefined {
    return this.#parents.get(parentId);
  }

  all(): IterableIterator<ParentRecord> {
    return this.#parents.values();
  }

  working(symbol?: string): ParentRecord[] {
    const out: ParentRecord[] = [];
    for (const p of this.#working.values()) if (symbol === undefined || p.symbol === symbol) out.push(p);
    return out;
  }

  /** The working parents of every symbol, without a copy: for per-book loops (do not hold on to it). */
  workingValues(): MapIterator<ParentRecord> {
    return this.#working.values();
  }

  hasWorking(symbol: string): boolean {
    for (const p of this.#working.values()) if (p.symbol === symbol) return true;
    return false;
  }

  apply(e: RouterEvent): void {
    switch (e.type) {
      case "router.parent":
        return this.#create(e);
      case "router.leg":
        return this.#leg(e);
      case "router.ttl-expired":
        return this.#ttlExpired(e);
      case "router.done":
        return this.#done(e);
    }
  }

  /** A fill of a child order (the engine has already checked it against the order). */
  onChildFill(parentId: string, fill: FillEvent): void {
    const p = this.#parents.get(parentId);
    if (p === undefined) return;
    p.filledQty = add(p.filledQty, fill.qty);
    p.filledValue = add(p.filledValue, mul(fill.price, fill.qty));
    if (fill.liquidity === "maker") p.makerQty = add(p.makerQty, fill.qty);
    if (fill.fee >= 0n) p.feesPaid = add(p.feesPaid, fill.fee);
    else p.rebates = add(p.rebates, neg(fill.fee));
    p.lastFillAt = Math.max(p.lastFillAt ?? fill.ts, fill.ts);
  }

  #create(e: RouterParentEvent): void {
    if (this.#parents.has(e.parentId)) {
      throw new HeanError("ORDER_DUPLICATE", `parent order id ${e.parentId} already used`, { parentId: e.parentId });
    }
    if (e.qty <= 0n) throw new HeanError("ORDER_INVALID", "parent quantity must be positive", { parentId: e.parentId, qty: format(e.qty) });
    const p: ParentRecord = {
      parentId: e.parentId,
      strategyId: e.strategyId,
      symbol: e.symbol,
      side: e.side,
      qty: e.qty,
      urgency: e.urgency,
      purpose: e.purpose,
      reduceOnly: e.reduceOnly,
      arrivalMid: e.arrivalMid,
      createdAt: e.ts,
      legs: [],
      reprices: 0,
      ttlExpiries: 0,
      fallbackCause: undefined,
      filledQty: ZERO,
      filledValue: ZERO,
      makerQty: ZERO,
      feesPaid: ZERO,
      rebates: ZERO,
      lastFillAt: undefined,
      done: undefined,
    };
    this.#parents.set(p.parentId, p);
    this.#working.set(p.parentId, p);
    this.#created++;
  }

  #leg(e: RouterLegEvent): void {
    const p = this.#open(e.parentId, e.type);
    if (p.legs.some((l) => l.clientOrderId === e.clientOrderId)) {
      throw new HeanError("ORDER_DUPLICATE", `leg ${e.clientOrderId} of ${e.parentId} already recorded`, { parentId: e.parentId, clientOrderId: e.clientOrderId });
    }
    if (e.qty <= 0n || !Number.isSafeInteger(e.n) || e.n < 1 || !(e.ttlMs >= 0)) {
      throw new HeanError("EVENT_INVALID", `leg ${e.clientOrderId}: quantity, number and TTL must be positive`, {
        clientOrderId: e.clientOrderId,
        qty: format(e.qty),
        n: e.n,
        ttlMs: e.ttlMs,
      });
    }
    p.legs.push({
      clientOrderId: e.clientOrderId,
      kind: e.kind,
      n: e.n,
      cause: e.cause,
      price: e.price,
      qty: e.qty,
      at: e.ts,
      ttlMs: e.ttlMs,
      deadline: e.kind === "maker" ? e.ts + e.ttlMs : undefined,
      ttlExpired: false,
    });
    if (e.kind === "maker" && e.cause === "reprice") p.reprices++;
    if (e.kind === "taker" && (e.cause === "post-only-would-take" || e.cause === "reprice-exhausted")) p.fallbackCause = e.cause;
  }

  #ttlExpired(e: RouterTtlExpiredEvent): void {
    const p = this.#open(e.parentId, e.type);
    const leg = p.legs.find((l) => l.clientOrderId === e.clientOrderId);
    if (leg === undefined || leg.kind !== "maker" || leg.ttlExpired) {
      throw new HeanError("EVENT_INVALID", `TTL expiry for ${e.clientOrderId}, which is not a live maker leg of ${e.parentId}`, {
        parentId: e.parentId,
        clientOrderId: e.clientOrderId,
      });
    }
    p.ttlExpiries++;
    if (e.action === "extend") {
      p.reprices++;
      leg.ttlMs = e.ttlMs;
      leg.deadline = e.ts + e.ttlMs;
    } else {
      leg.ttlExpired = true;
      leg.deadline = undefined;
    }
  }

  #done(e: RouterDoneEvent): void {
    const p = this.#open(e.parentId, e.type);
    p.done = e;
    this.#working.delete(p.parentId);
    this.#ended.add(p.parentId);
  }

  #open(parentId: string, what: string): ParentRecord {
    const p = this.#parents.get(parentId);
    if (p === undefined) throw new HeanError("ORDER_UNKNOWN", `${what} for unknown parent ${parentId}`, { parentId });
    if (p.done !== undefined) throw new HeanError("EVENT_INVALID", `${what} for parent ${parentId}, which has ended`, { parentId });
    return p;
  }

  // ------------------------------------------------------------ snapshots

  snapshot(): ParentRecord[] {
    return [...this.#parents.values()].map((p) => ({ ...p, legs: p.legs.map((l) => ({ ...l })) }));
  }

  window(): ParentWindow {
    return { created: this.#created, ended: [...this.#ended] };
  }

  /** Without a window (a snapshot from before pruning), parents end in the order they were created. */
  restore(records: readonly ParentRecord[], window?: ParentWindow): void {
    for (const r of records) {
      // The codec drops undefined fields: put them back so a restored record equals a replayed one.
      const legs = r.legs.map((l) => ({ ...l, deadline: l.deadline }));
      const p: ParentRecord = { ...r, legs, fallbackCause: r.fallbackCause, lastFillAt: r.lastFillAt, done: r.done };
      this.#parents.set(p.parentId, p);
      if (p.done === undefined) this.#working.set(p.parentId, p);
    }
    this.#created = window?.created ?? records.length;
    for (const id of window?.ended ?? records.filter((r) => r.done !== undefined).map((r) => r.parentId)) this.#ended.add(id);
  }
}
