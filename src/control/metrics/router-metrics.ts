/**
 * The router's measures as Prometheus metrics, counted from its journaled events as they pass:
 * parents by urgency and end reason, legs, TTL expiries, fallbacks by cause, maker fill ratio,
 * time to fill, realised slippage against the arrival mid, fees paid and rebates earned.
 *
 * Like `order-metrics.ts`, `observe` runs inside the engine's turn: lookups and increments only,
 * and the map of parents it remembers is bounded.
 */
import { Counter, Gauge, Histogram, type Registry } from "@prometheus-io/client";
import { toNumber } from "../../core/decimal.ts";
import type { FallbackCause, HeanEvent, RouterDoneEvent, Urgency } from "../../core/events.ts";

const MAX_TRACKED_PARENTS = 50_000;
const FALLBACK_CAUSES: readonly FallbackCause[] = ["post-only-would-take", "reprice-exhausted"];
const TIME_TO_FILL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const SLIPPAGE_BUCKETS = [-10, -5, -2, -1, -0.5, 0, 0.5, 1, 2, 5, 10, 15, 25, 50];

interface TrackedParent {
  readonly urgency: Urgency;
  readonly requestedNotional: number;
}

export class RouterMetrics {
  readonly #parents = new Map<string, TrackedParent>();
  #filledNotional = 0;
  #makerNotional = 0;
  #requestedNotional = 0;

  readonly #ended: Counter<"urgency" | "reason">;
  readonly #legs: Counter<"kind" | "cause">;
  readonly #ttlExpiries: Counter<"action" | "reason">;
  readonly #fallbacks: Counter<"cause">;
  readonly #makerRatio: Gauge;
  readonly #fillRatio: Gauge;
  readonly #timeToFill: Histogram<"urgency">;
  readonly #slippage: Histogram<"urgency">;
  readonly #fees: Counter;
  readonly #rebates: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#ended = new Counter({
      name: "hean_router_parents_total",
      help: "Parent orders the router finished, by urgency and end reason (filled, taker-done, maker-expired, cancelled, ...).",
      labelNames: ["urgency", "reason"],
      registers,
    });
    this.#legs = new Counter({
      name: "hean_router_legs_total",
      help: "Child orders the router sent, by kind (maker, taker) and cause (initial, reprice, fallback causes, immediate).",
      labelNames: ["kind", "cause"],
      registers,
    });
    this.#ttlExpiries = new Counter({
      name: "hean_router_ttl_expiries_total",
      help: "Maker legs that expired, by action (cancel, or extend at an unchanged touch) and reason (ttl, touch-moved-away).",
      labelNames: ["action", "reason"],
      registers,
    });
    this.#fallbacks = new Counter({
      name: "hean_router_fallbacks_total",
      help: "Bounded taker fallbacks of normal-urgency parents, by cause (post-only-would-take, reprice-exhausted).",
      labelNames: ["cause"],
      registers,
    });
    this.#makerRatio = new Gauge({
      name: "hean_router_maker_fill_ratio",
      help: "Notional the router filled with maker legs over all notional it filled, since start (0 before the first fill).",
      registers,
    });
    this.#fillRatio = new Gauge({
      name: "hean_router_fill_ratio",
      help: "Notional the router filled over notional its finished parents asked for, since start.",
      registers,
    });
    this.#timeToFill = new Histogram({
      name: "hean_router_time_to_fill_seconds",
      help: "Time from a parent's arrival to its last fill, in seconds, by urgency.",
      labelNames: ["urgency"],
      buckets: TIME_TO_FILL_BUCKETS,
      registers,
    });
    this.#slippage = new Histogram({
      name: "hean_router_slippage_bps",
      help: "Average fill price of a parent against its arrival mid, in basis points (positive is a cost), by urgency.",
      labelNames: ["urgency"],
      buckets: SLIPPAGE_BUCKETS,
      registers,
    });
    this.#fees = new Counter({
      name: "hean_router_fees_paid_quote_total",
      help: "Fees paid on router child orders, in quote currency.",
      registers,
    });
    this.#rebates = new Counter({
      name: "hean_router_rebates_quote_total",
      help: "Maker rebates earned on router child orders, in quote currency.",
      registers,
    });
    for (const cause of FALLBACK_CAUSES) this.#fallbacks.inc({ cause }, 0);
    for (const [action, reason] of [["cancel", "ttl"], ["cancel", "touch-moved-away"], ["extend", "ttl"]] as const) this.#ttlExpiries.inc({ action, reason }, 0);
  }

  observe(event: HeanEvent): void {
    switch (event.type) {
      case "router.parent":
        this.#track(event.parentId, { urgency: event.urgency, requestedNotional: toNumber(event.qty) * toNumber(event.arrivalMid) });
        return;
      case "router.leg":
        this.#legs.inc({ kind: event.kind, cause: event.cause });
        if (event.kind === "taker" && (event.cause === "post-only-would-take" || event.cause === "reprice-exhausted")) this.#fallbacks.inc({ cause: event.cause });
        return;
      case "router.ttl-expired":
        this.#ttlExpiries.inc({ action: event.action, reason: event.reason });
        return;
      case "router.done":
        this.#done(event);
        return;
      default:
        return;
    }
  }

  #done(e: RouterDoneEvent): void {
    const parent = this.#parents.get(e.parentId);
    this.#parents.delete(e.parentId);
    const urgency = parent?.urgency ?? "unknown";
    this.#ended.inc({ urgency, reason: e.reason });
    const price = e.avgPrice === undefined ? 0 : toNumber(e.avgPrice);
    this.#filledNotional += toNumber(e.filledQty) * price;
    this.#makerNotional += toNumber(e.makerQty) * price;
    this.#requestedNotional += parent?.requestedNotional ?? toNumber(e.filledQty) * price;
    if (this.#filledNotional > 0) this.#makerRatio.set(this.#makerNotional / this.#filledNotional);
    if (this.#requestedNotional > 0) this.#fillRatio.set(this.#filledNotional / this.#requestedNotional);
    if (e.timeToFillMs !== undefined) this.#timeToFill.observe({ urgency }, e.timeToFillMs / 1000);
    if (e.slippageBps !== undefined && Number.isFinite(e.slippageBps)) this.#slippage.observe({ urgency }, e.slippageBps);
    if (e.feesPaid > 0n) this.#fees.inc(toNumber(e.feesPaid));
    if (e.rebates > 0n) this.#rebates.inc(toNumber(e.rebates));
  }

  #track(parentId: string, parent: TrackedParent): void {
    if (this.#parents.size >= MAX_TRACKED_PARENTS) {
      const oldest = this.#parents.keys().next().value;
      if (oldest !== undefined) this.#parents.delete(oldest);
    }
    this.#parents.set(parentId, parent);
  }
}
