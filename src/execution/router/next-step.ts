/**
 * The router's decision, as a pure function of the parent and its latest child: wait, send a
 * leg (which kind, and why), or end the parent (and why).
 *
 *   urgency     first leg   maker leg expired (TTL)                 maker leg would take
 *   passive     maker       reprice while allowed, then end          reprice while allowed, then end
 *   normal      maker       reprice while allowed, then fall back    fall back at once
 *   immediate   taker       —                                        —
 *
 * A taker leg is the last leg: whatever it leaves is reported, not chased. A leg cancelled,
 * expired or rejected by anyone but the router (kill switch, operator, shutdown, venue) ends
 * the parent: the router never fights those.
 */
import type { LegCause, LegKind, RouterEndReason } from "../../core/events.ts";
import { type OrderStatus, WORKING } from "../../engine/order-state.ts";
import type { ParentRecord } from "../../engine/parent-book.ts";

export interface ChildView {
  readonly status: OrderStatus;
  readonly postOnlyWouldTake: boolean;
  readonly reason: string | undefined;
}

export interface StepContext {
  readonly maxReprices: number;
  /** False once the router is stopping: no new legs. */
  readonly accepting: boolean;
  /** True while trading is halted (kill switch, HARD_STOP): the kill switch owns the account. */
  readonly halted: boolean;
}

export type Step =
  | { readonly kind: "wait" }
  | { readonly kind: "leg"; readonly leg: LegKind; readonly cause: LegCause }
  | { readonly kind: "done"; readonly reason: RouterEndReason; readonly detail: string };

const WAIT: Step = { kind: "wait" };

export function nextStep(parent: ParentRecord, child: ChildView | undefined, ctx: StepContext): Step {
  if (parent.done !== undefined) return WAIT;
  const leg = parent.legs.at(-1);
  if (leg === undefined) return gate(parent.urgency === "immediate" ? { kind: "leg", leg: "taker", cause: "immediate" } : { kind: "leg", leg: "maker", cause: "initial" }, ctx);
  if (child !== undefined && WORKING.has(child.status)) return WAIT;
  if (parent.filledQty >= parent.qty) return { kind: "done", reason: "filled", detail: "filled in full" };
  if (child === undefined) return { kind: "done", reason: "rejected", detail: `leg ${leg.clientOrderId} has no order` };
  if (leg.kind === "taker") return { kind: "done", reason: "taker-done", detail: `taker leg ended ${child.status.toLowerCase()}: the rest is not chased` };
  const canReprice = parent.reprices < ctx.maxReprices;
  if (leg.ttlExpired) {
    if (canReprice) return gate({ kind: "leg", leg: "maker", cause: "reprice" }, ctx);
    if (parent.urgency === "normal") return gate({ kind: "leg", leg: "taker", cause: "reprice-exhausted" }, ctx);
    return { kind: "done", reason: "maker-expired", detail: `no fill after ${parent.reprices} reprices` };
  }
  if (child.postOnlyWouldTake) {
    if (parent.urgency === "normal") return gate({ kind: "leg", leg: "taker", cause: "post-only-would-take" }, ctx);
    if (canReprice) return gate({ kind: "leg", leg: "maker", cause: "reprice" }, ctx);
    return { kind: "done", reason: "maker-expired", detail: "post-only would take and no reprice left" };
  }
  const reason: RouterEndReason = child.status === "REJECTED" ? "rejected" : "cancelled";
  return { kind: "done", reason, detail: `leg ${leg.clientOrderId} ${child.status.toLowerCase()}${child.reason === undefined ? "" : `: ${child.reason}`}` };
}

function gate(step: Step, ctx: StepContext): Step {
  if (!ctx.accepting) return { kind: "done", reason: "stopped", detail: "the router is stopping" };
  if (ctx.halted) return { kind: "done", reason: "halted", detail: "trading is halted: the kill switch owns the account" };
  return step;
}
