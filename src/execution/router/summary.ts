/**
 * What a parent achieved, as recorded in its `router.done` event: quantities exact, the
 * measures (slippage, time to fill) as floats, for reports and metrics only.
 */
import { ZERO, div, sub, toNumber } from "../../core/decimal.ts";
import type { RouterDoneEvent, RouterEndReason } from "../../core/events.ts";
import type { ParentRecord } from "../../engine/parent-book.ts";

export function doneEvent(p: ParentRecord, reason: RouterEndReason, detail: string, ts: number): RouterDoneEvent {
  const filled = p.filledQty > 0n;
  const avgPrice = filled ? div(p.filledValue, p.filledQty) : undefined;
  const remaining = sub(p.qty, p.filledQty);
  const slippage = avgPrice === undefined ? undefined : slippageBps(p.side, toNumber(avgPrice), toNumber(p.arrivalMid));
  const event: RouterDoneEvent = {
    type: "router.done",
    ts,
    parentId: p.parentId,
    reason,
    detail,
    filledQty: p.filledQty,
    remainingQty: remaining > 0n ? remaining : ZERO,
    makerQty: p.makerQty,
    feesPaid: p.feesPaid,
    rebates: p.rebates,
    makerLegs: p.legs.filter((l) => l.kind === "maker").length,
    takerLegs: p.legs.filter((l) => l.kind === "taker").length,
    ttlExpiries: p.ttlExpiries,
  };
  // Optional figures are left out rather than undefined: the journal drops undefined fields, and
  // the live record must equal the replayed one.
  return {
    ...event,
    ...(avgPrice !== undefined ? { avgPrice } : {}),
    ...(slippage !== undefined ? { slippageBps: slippage } : {}),
    ...(filled && p.lastFillAt !== undefined ? { timeToFillMs: Math.max(0, p.lastFillAt - p.createdAt) } : {}),
    ...(p.fallbackCause !== undefined ? { fallbackCause: p.fallbackCause } : {}),
  };
}

/** Positive when the fills were worse than the arrival mid (a buy above it, a sell below it). */
export function slippageBps(side: "buy" | "sell", avgPrice: number, arrivalMid: number): number | undefined {
  if (!(arrivalMid > 0) || !Number.isFinite(avgPrice)) return undefined;
  const signed = side === "buy" ? avgPrice - arrivalMid : arrivalMid - avgPrice;
  return (signed / arrivalMid) * 10_000;
}
