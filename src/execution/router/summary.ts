/**
 * What a parent achieved, as recorded in its `router.done` event: quantities exact, the
 * measures (slippage, time to fill) as floats, for reports and metrics only.
 */
import { ZERO, div, sub, toNumber } from "../../core/decimal.ts";
import type { RouterDoneEvent, RouterEndReason } from "../../core/events.ts";
import type { ParentRecord } from "./parent-book.ts";

export function doneEvent(p: ParentRecord, reason: RouterEndReason, detail: string, ts: number): RouterDoneEvent {
  const filled = p.filledQty > 0n;
  const avgPrice = filled ? div(p.filledValue, p.filledQty) : undefined;
  const remaining = sub(p.qty, p.filledQty);
  return {
    type: "router.done",
    ts,
    parentId: p.parentId,
    reason,
    detail,
    filledQty: p.filledQty,
    remainingQty: remaining > 0n ? remaining : ZERO,
    makerQty: p.makerQty,
    avgPrice,
    feesPaid: p.feesPaid,
    rebates: p.rebates,
    slippageBps: avgPrice === undefined ? undefined : slippageBps(p.side, toNumber(avgPrice), toNumber(p.arrivalMid)),
    timeToFillMs: filled && p.lastFillAt !== undefined ? Math.max(0, p.lastFillAt - p.createdAt) : undefined,
    makerLegs: p.legs.filter((l) => l.kind === "maker").length,
    takerLegs: p.legs.filter((l) => l.kind === "taker").length,
    ttlExpiries: p.ttlExpiries,
    fallbackCause: p.fallbackCause,
  };
}

/** Positive when the fills were worse than the arrival mid (a buy above it, a sell below it). */
export function slippageBps(side: "buy" | "sell", avgPrice: number, arrivalMid: number): number | undefined {
  if (!(arrivalMid > 0) || !Number.isFinite(avgPrice)) return undefined;
  const signed = side === "buy" ? avgPrice - arrivalMid : arrivalMid - avgPrice;
  return (signed / arrivalMid) * 10_000;
}
