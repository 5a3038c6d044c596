/**
 * The maker-first router: one parent order in, child orders out, the same code on paper and
 * live (only the venue differs).
 *
 * - `passive`: post-only legs only; each rests for an adaptive TTL, is repriced to the touch up
 *   to `maxReprices` times, and the parent may end unfilled.
 * - `normal`: the same, then one limit IOC bounded at `fallbackSlippageBps` beyond the touch —
 *   at once when the venue refuses or cancels a post-only leg because it would take, or when
 *   repricing is used up.
 * - `immediate`: the bounded IOC straight away, never a maker leg.
 *
 * Every decision is journaled (`router.*` events, applied by the engine like any other), every
 * child goes through the executor (pre-trade check, intent journaled and durable before it is
 * sent) under its own id derived from the parent's, and the router acts only on the engine's
 * state, never on memory of its own: after a restart `start()` picks up every working parent
 * where the journal left it (re-arming its TTL from the journaled deadline), and a leg is never
 * sent twice. Timers run on the Clock.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { midPrice } from "../../core/bid-ask.ts";
import { type Dec, ZERO, add, min, roundToStep, sub, toNumber } from "../../core/decimal.ts";
import type { BookEvent, HeanEvent, LegCause, LegKind, OrderPurpose, RouterEndReason, RouterParentEvent, Side, Urgency } from "../../core/events.ts";
import type { Instrument, InstrumentRegistry } from "../../core/instrument.ts";
import type { EventBus } from "../../bus/event-bus.ts";
import type { Engine } from "../../engine/engine.ts";
import { WORKING } from "../../engine/order-state.ts";
import type { Executor } from "../executor.ts";
import { type ExecutionConfig, URGENCIES } from "./config.ts";
import { legOrderId, parentOrderId } from "./ids.ts";
import { MarketStats } from "./market-stats.ts";
import { type Step, nextStep } from "./next-step.ts";
import type { LegRecord, ParentRecord } from "../../engine/parent-book.ts";
import { makerPrice, takerPrice } from "./pricing.ts";
import { doneEvent } from "./summary.ts";
import { MakerFillRate, adaptiveTtl } from "./ttl-model.ts";

/** A parent order as asked for: the parent event's terms, before it has an id and an arrival mid. */
export type RouteRequest = Pick<RouterParentEvent, "strategyId" | "symbol" | "side" | "qty" | "urgency" | "purpose" | "reduceOnly">;

export type RouteResult =
  | { readonly ok: true; readonly parentId: string; readonly clientOrderId: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface RouterOptions {
  readonly engine: Engine;
  readonly executor: Executor;
  readonly outbox: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  readonly config: ExecutionConfig;
}

/** How soon to try a cancel again when the order was still waiting for its commit, or the venue refused; doubles per try. */
const CANCEL_RETRY_MS = 50;
const CANCEL_RETRY_MAX_MS = 5_000;

interface ParentTerms {
  readonly parentId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly urgency: Urgency;
  readonly purpose: OrderPurpose;
  readonly reduceOnly: boolean;
  readonly arrivalMid: Dec;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly legs: readonly LegRecord[];
}

type LegPlan =
  | { readonly ok: true; readonly clientOrderId: string; readonly n: number; readonly price: Dec; readonly qty: Dec; readonly ttlMs: number }
  | { readonly ok: false; readonly reason: RouterEndReason; readonly detail: string };

export class Router {
  readonly #o: RouterOptions;
  readonly #stats = new MarketStats();
  readonly #fillRate = new MakerFillRate();
  readonly #timers = new Map<string, TimerHandle>();
  readonly #cancelTries = new Map<string, number>();
  #started = false;
  #accepting = false;

  constructor(options: RouterOptions) {
    this.#o = options;
    options.outbox.subscribe("router", (e) => this.#onEvent(e), [
      "market.book",
      "order.filled",
      "order.cancelled",
      "order.expired",
      "order.rejected",
      "order.accepted",
      "order.cancel-rejected",
    ]);
  }

  get config(): ExecutionConfig {
    return this.#o.config;
  }

  /** Take up every parent the journal left working, then accept new ones. */
  start(): void {
    this.#started = true;
    this.#accepting = true;
    for (const p of this.#o.engine.state.parents.all()) {
      // A working parent's latest leg is learned from when the router leaves it.
      const legs = p.done === undefined ? p.legs.slice(0, -1) : p.legs;
      for (const leg of legs) if (leg.kind === "maker") this.#learnFill(leg);
    }
    for (const p of this.#o.engine.state.parents.working()) this.#advance(p);
  }

  /**
   * No new parents or legs from now on. Parents whose legs end from here (a shutdown cancel)
   * are recorded as ended; legs still resting stay as they are and a restart carries on.
   */
  stop(): void {
    this.#accepting = false;
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
    this.#cancelTries.clear();
  }

  /** True while a parent on the symbol is being worked (strategies wait for it). */
  hasWorking(symbol: string): boolean {
    return this.#o.engine.state.parents.hasWorking(symbol);
  }

  route(req: RouteRequest): RouteResult {
    const { engine, instruments, clock } = this.#o;
    if (!this.#accepting) return { ok: false, code: "ROUTER_STOPPED", message: "the router is not accepting orders" };
    if (typeof req.qty !== "bigint" || req.qty <= 0n) return { ok: false, code: "SIZE_ZERO", message: "a parent order needs a positive quantity" };
    if (req.side !== "buy" && req.side !== "sell") return { ok: false, code: "INVALID_SIDE", message: `side must be buy or sell, got ${String(req.side)}` };
    if (!URGENCIES.includes(req.urgency)) return { ok: false, code: "INVALID_URGENCY", message: `urgency must be one of ${URGENCIES.join(", ")}, got ${String(req.urgency)}` };
    const instrument = instruments.find(req.symbol);
    if (instrument === undefined) return { ok: false, code: "UNKNOWN_SYMBOL", message: `unknown symbol ${JSON.stringify(req.symbol)}` };
    const book = engine.lastBook(req.symbol);
    if (book === undefined) return { ok: false, code: "NO_MARKET_DATA", message: `no book for ${req.symbol} yet` };
    const terms: ParentTerms = {
      ...req,
      parentId: parentOrderId(engine.journal.journalId, engine.state.parents.count + 1),
      arrivalMid: midPrice(book),
      filledQty: ZERO,
      legs: [],
    };
    const kind: LegKind = req.urgency === "immediate" ? "taker" : "maker";
    const plan = this.#plan(terms, kind, instrument, book);
    if (!plan.ok) return { ok: false, code: plan.reason.toUpperCase().replaceAll("-", "_"), message: plan.detail };
    const sent = this.#submit(terms, plan, kind);
    if (!sent.ok) return sent;
    // Recorded in the same turn as the first child's intent, so in the same commit and before it is sent.
    engine.record({
      type: "router.parent",
      ts: clock.now(),
      parentId: terms.parentId,
      strategyId: req.strategyId,
      symbol: req.symbol,
      side: req.side,
      qty: req.qty,
      urgency: req.urgency,
      purpose: req.purpose,
      reduceOnly: req.reduceOnly,
      arrivalMid: terms.arrivalMid,
    });
    const parent = engine.state.parents.get(terms.parentId);
    if (parent === undefined) return { ok: false, code: "PARENT_REFUSED", message: "the engine refused the parent order" };
    this.#recordLeg(parent, plan, kind, kind === "taker" ? "immediate" : "initial");
    return { ok: true, parentId: terms.parentId, clientOrderId: plan.clientOrderId };
  }

  // ------------------------------------------------------------ reacting

  #onEvent(e: HeanEvent): void {
    if (e.type === "market.book") {
      this.#stats.onBook(e);
      if (this.#started) this.#watchTouch(e);
      return;
    }
    if (!this.#started || !("clientOrderId" in e) || e.clientOrderId === undefined) return;
    const state = this.#o.engine.state;
    const parentId = state.orders.get(e.clientOrderId)?.parentId;
    const parent = parentId === undefined ? undefined : state.parents.get(parentId);
    if (parent === undefined || parent.done !== undefined) return;
    if (e.type === "order.cancel-rejected") {
      this.#armCancelRetry(parent);
      return;
    }
    this.#advance(parent);
  }

  /** Look at the parent's latest leg and do the one thing the state calls for. */
  #advance(p: ParentRecord): void {
    const { engine } = this.#o;
    const leg = p.legs.at(-1);
    const child = leg === undefined ? undefined : engine.state.orders.get(leg.clientOrderId);
    const step: Step = nextStep(p, child, {
      maxReprices: this.#o.config.maxReprices,
      accepting: this.#accepting,
      halted: engine.state.tradingState() === "halted",
    });
    if (step.kind === "wait") {
      if (leg !== undefined && leg.kind === "maker" && !this.#timers.has(p.parentId)) this.#armTtl(p, leg);
      return;
    }
    this.#clearTimer(p.parentId, true);
    if (leg !== undefined && leg.kind === "maker") this.#learnFill(leg);
    if (step.kind === "done") return this.#finish(p, step.reason, step.detail);
    const instrument = this.#o.instruments.find(p.symbol);
    const book = engine.lastBook(p.symbol);
    if (instrument === undefined || book === undefined) return this.#finish(p, "no-market-data", `no book for ${p.symbol}`);
    const plan = this.#plan(p, step.leg, instrument, book);
    if (!plan.ok) return this.#finish(p, plan.reason, plan.detail);
    const sent = this.#submit(p, plan, step.leg);
    if (!sent.ok) return this.#finish(p, "denied", `${sent.code}: ${sent.message}`);
    this.#recordLeg(p, plan, step.leg, step.cause);
  }

  #onTtl(parentId: string, clientOrderId: string): void {
    this.#timers.delete(parentId);
    const { engine, clock } = this.#o;
    const p = engine.state.parents.get(parentId);
    const leg = p?.legs.at(-1);
    if (p === undefined || p.done !== undefined || leg === undefined || leg.clientOrderId !== clientOrderId) return;
    const child = engine.state.orders.get(clientOrderId);
    if (child === undefined || !WORKING.has(child.status)) return this.#advance(p);
    if (!this.#accepting || engine.state.tradingState() === "halted") return;
    if (leg.ttlExpired) return this.#cancelLeg(p, leg);
    const instrument = this.#o.instruments.find(p.symbol);
    const book = engine.lastBook(p.symbol);
    const resting = child.status === "ACCEPTED" || child.status === "PARTIALLY_FILLED";
    const touchPrice = instrument === undefined || book === undefined ? undefined : makerPrice(p.side, book, this.#o.config.makerOffsetTicks, instrument);
    if (resting && touchPrice === leg.price && p.reprices < this.#o.config.maxReprices && instrument !== undefined) {
      // Still at the touch: keep the place in the queue rather than cancel and rejoin behind it.
      const ttlMs = this.#ttl(p.side, p.symbol, instrument);
      engine.record({ type: "router.ttl-expired", ts: clock.now(), parentId, clientOrderId, action: "extend", reason: "ttl", ttlMs });
      this.#armTtl(p, leg);
      return;
    }
    this.#expire(p, leg, "ttl");
  }

  /**
   * A resting maker leg whose touch has run away from it by more than resting could save (the
   * spread plus the fee difference) ends now rather than at its TTL: waiting for the market to
   * come back is a bet, not execution, and an exit that rests while the price runs must not
   * hold up its fallback. O(working parents on the symbol) per book.
   */
  #watchTouch(book: BookEvent): void {
    const { engine, instruments } = this.#o;
    if (!this.#accepting || engine.state.tradingState() === "halted") return;
    if (!engine.state.parents.hasWorking(book.symbol)) return;
    const instrument = instruments.find(book.symbol);
    if (instrument === undefined) return;
    // Decided first, expired after: expiring journals and cancels, which may end a parent.
    let ranAway: [ParentRecord, LegRecord][] | undefined;
    for (const p of engine.state.parents.workingValues()) {
      if (p.symbol !== book.symbol) continue;
      const leg = p.legs[p.legs.length - 1];
      if (leg === undefined || leg.kind !== "maker" || leg.ttlExpired) continue;
      const status = engine.state.orders.get(leg.clientOrderId)?.status;
      if (status !== "ACCEPTED" && status !== "PARTIALLY_FILLED") continue;
      const now = makerPrice(p.side, book, this.#o.config.makerOffsetTicks, instrument);
      if (now === undefined) continue;
      const away = p.side === "buy" ? toNumber(now) - toNumber(leg.price) : toNumber(leg.price) - toNumber(now);
      const awayBps = (away / toNumber(leg.price)) * 10_000;
      const edgeBps = (this.#stats.spreadBps(book.symbol) ?? 0) + feeEdgeBps(instrument);
      if (awayBps > edgeBps) (ranAway ??= []).push([p, leg]);
    }
    if (ranAway !== undefined) for (const [p, leg] of ranAway) this.#expire(p, leg, "touch-moved-away");
  }

  #expire(p: ParentRecord, leg: LegRecord, reason: "ttl" | "touch-moved-away"): void {
    this.#clearTimer(p.parentId);
    const { engine, clock, executor } = this.#o;
    engine.record({ type: "router.ttl-expired", ts: clock.now(), parentId: p.parentId, clientOrderId: leg.clientOrderId, action: "cancel", reason, ttlMs: 0 });
    if (!executor.cancel(leg.clientOrderId, `router: maker leg expired (${reason})`)) this.#armCancelRetry(p);
  }

  #cancelLeg(p: ParentRecord, leg: LegRecord): void {
    const child = this.#o.engine.state.orders.get(leg.clientOrderId);
    if (child === undefined || !WORKING.has(child.status) || child.status === "PENDING_CANCEL") return;
    if (!this.#o.executor.cancel(leg.clientOrderId, "router: maker leg expired")) this.#armCancelRetry(p);
  }

  // ------------------------------------------------------------ legs

  #plan(p: ParentTerms, kind: LegKind, instrument: Instrument, book: BookEvent): LegPlan {
    const { engine, config } = this.#o;
    let qty = sub(p.qty, this.#confirmedFilled(p));
    if (p.reduceOnly) {
      const pos = engine.state.portfolio.position(p.symbol).qty;
      const reducible = p.side === "sell" ? (pos > 0n ? pos : ZERO) : pos < 0n ? (-pos as Dec) : ZERO;
      qty = min(qty, reducible);
      if (qty <= 0n) return { ok: false, reason: "nothing-to-reduce", detail: `no ${p.side === "sell" ? "long" : "short"} position left on ${p.symbol}` };
    }
    qty = roundToStep(qty, instrument.lotSize, "floor");
    if (qty <= 0n || qty < instrument.minQty) return { ok: false, reason: "below-minimum", detail: `what is left is below ${p.symbol}'s minimum quantity` };
    const price =
      kind === "maker" ? makerPrice(p.side, book, config.makerOffsetTicks, instrument) : takerPrice(p.side, book, config.fallbackSlippageBps, instrument);
    if (price === undefined) return { ok: false, reason: "no-market-data", detail: `the book of ${p.symbol} gives no price to rest at` };
    let n = p.legs.filter((l) => l.kind === kind).length + 1;
    // An id is never reused, even one whose intent outlived a lost leg record.
    while (engine.state.orders.has(legOrderId(p.parentId, kind, n))) n++;
    const ttlMs = kind === "maker" ? this.#ttl(p.side, p.symbol, instrument) : 0;
    return { ok: true, clientOrderId: legOrderId(p.parentId, kind, n), n, price, qty, ttlMs };
  }

  /**
   * What the parent has filled as far as the venue has said: the fills seen, plus whatever a
   * leg's cancel reported beyond them (fills that raced the cancel, still on their way). The
   * next leg is sized from this, so a late fill can never take the parent past its quantity.
   */
  #confirmedFilled(p: ParentTerms): Dec {
    let filled = p.filledQty;
    for (const leg of p.legs) {
      const o = this.#o.engine.state.orders.get(leg.clientOrderId);
      if (o?.venueFilledQty !== undefined && o.venueFilledQty > o.filledQty) filled = add(filled, sub(o.venueFilledQty, o.filledQty));
    }
    return filled;
  }

  #submit(p: ParentTerms, plan: Extract<LegPlan, { ok: true }>, kind: LegKind): RouteResult {
    const result = this.#o.executor.submit({
      strategyId: p.strategyId,
      symbol: p.symbol,
      side: p.side,
      orderType: "limit",
      qty: plan.qty,
      price: plan.price,
      timeInForce: kind === "maker" ? "POST_ONLY" : "IOC",
      reduceOnly: p.reduceOnly,
      purpose: p.purpose,
      parentId: p.parentId,
      arrivalMid: p.arrivalMid,
      clientOrderId: plan.clientOrderId,
    });
    return result.ok ? { ok: true, parentId: p.parentId, clientOrderId: result.clientOrderId } : result;
  }

  #recordLeg(p: ParentRecord, plan: Extract<LegPlan, { ok: true }>, kind: LegKind, cause: LegCause): void {
    const { engine, clock } = this.#o;
    // The pre-trade check may have rounded the order: the leg records what was sent.
    const order = engine.state.orders.get(plan.clientOrderId);
    engine.record({
      type: "router.leg",
      ts: clock.now(),
      parentId: p.parentId,
      clientOrderId: plan.clientOrderId,
      kind,
      n: plan.n,
      cause,
      price: order?.price ?? plan.price,
      qty: order?.qty ?? plan.qty,
      ttlMs: plan.ttlMs,
    });
    const leg = p.legs.at(-1);
    if (kind === "maker" && leg?.clientOrderId === plan.clientOrderId) this.#armTtl(p, leg);
  }

  #ttl(side: Side, symbol: string, instrument: Instrument): number {
    const touch = this.#stats.touch(symbol);
    const own = touch === undefined ? undefined : side === "buy" ? touch.bidQty : touch.askQty;
    const depth = touch === undefined ? 0 : touch.bidQty + touch.askQty;
    return adaptiveTtl(
      {
        spreadBps: touch?.spreadBps ?? 0,
        feeEdgeBps: feeEdgeBps(instrument),
        volBpsPerSqrtS: touch?.volBpsPerSqrtS,
        makerFillRate: this.#fillRate.value,
        ownDepthShare: own === undefined || depth <= 0 ? undefined : own / depth,
      },
      this.#o.config.ttl,
    ).ttlMs;
  }

  /** Each maker leg counts once toward the recent fill rate: when the router leaves it (or, at start, from history). */
  #learnFill(leg: LegRecord): void {
    const order = this.#o.engine.state.orders.get(leg.clientOrderId);
    if (order === undefined || WORKING.has(order.status)) return;
    this.#fillRate.record(order.filledQty > 0n);
  }

  #finish(p: ParentRecord, reason: RouterEndReason, detail: string): void {
    this.#clearTimer(p.parentId, true);
    this.#o.engine.record(doneEvent(p, reason, detail, this.#o.clock.now()));
  }

  // ------------------------------------------------------------ timers

  #armTtl(p: ParentRecord, leg: LegRecord): void {
    this.#clearTimer(p.parentId);
    if (!this.#accepting) return;
    const due = leg.ttlExpired ? CANCEL_RETRY_MS : Math.max(0, (leg.deadline ?? this.#o.clock.now()) - this.#o.clock.now());
    const id = leg.clientOrderId;
    this.#timers.set(p.parentId, this.#o.clock.setTimeout(() => this.#onTtl(p.parentId, id), due));
  }

  #armCancelRetry(p: ParentRecord): void {
    const leg = p.legs.at(-1);
    if (leg === undefined || leg.kind !== "maker" || !leg.ttlExpired) return;
    this.#clearTimer(p.parentId);
    if (!this.#accepting) return;
    const tries = this.#cancelTries.get(p.parentId) ?? 0;
    this.#cancelTries.set(p.parentId, tries + 1);
    const delay = Math.min(CANCEL_RETRY_MAX_MS, CANCEL_RETRY_MS * 2 ** Math.min(tries, 10));
    this.#timers.set(p.parentId, this.#o.clock.setTimeout(() => this.#onTtl(p.parentId, leg.clientOrderId), delay));
  }

  /** Cancels the parent's timer; a leg ending also ends its cancel retries. */
  #clearTimer(parentId: string, legEnded = false): void {
    this.#timers.get(parentId)?.cancel();
    this.#timers.delete(parentId);
    if (legEnded) this.#cancelTries.delete(parentId);
  }
}

/** What resting saves in fees over taking, in bps of notional (a maker rebate adds to it). */
function feeEdgeBps(instrument: Instrument): number {
  return (toNumber(instrument.takerFee) - toNumber(instrument.makerFee)) * 10_000;
}
