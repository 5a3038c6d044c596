/**
 * The execution measures of a run, from the router's journaled parents: the `execution` section
 * of the run report and the figures the router benchmark compares. Only ended parents count
 * (their `router.done` figures); those still working are counted apart. Notional-weighted
 * figures use the arrival mid, so symbols of different prices add up sensibly.
 */
import { type Dec, ZERO, add, format, toNumber } from "../../core/decimal.ts";
import type { FallbackCause, RouterEndReason, Urgency } from "../../core/events.ts";
import type { ParentRecord } from "../../engine/parent-book.ts";

export interface Distribution {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

export interface ExecutionMeasures {
  readonly parents: number;
  readonly working: number;
  readonly byUrgency: Readonly<Record<Urgency, number>>;
  readonly byEndReason: Readonly<Partial<Record<RouterEndReason, number>>>;
  /** Filled notional over requested notional (at the arrival mid); null without parents. */
  readonly fillRatio: number | null;
  /** Maker-filled quantity over filled quantity, notional-weighted; null without fills. */
  readonly makerFillRatio: number | null;
  readonly makerLegs: number;
  readonly makerLegsFilled: number;
  readonly takerLegs: number;
  readonly ttlExpiries: number;
  readonly fallbacks: Readonly<Record<FallbackCause, number>>;
  /** Arrival to last fill, of parents that filled anything. */
  readonly timeToFillMs: Distribution | null;
  /** Against the arrival mid, positive is a cost; `mean` is notional-weighted. */
  readonly slippageBps: Distribution | null;
  readonly filledNotional: number;
  readonly feesPaid: string;
  readonly rebates: string;
  /** (fees paid − rebates) over filled notional, in bps; null without fills. */
  readonly netFeesBps: number | null;
}

export function measureExecution(parents: Iterable<ParentRecord>, filledQtyOf: (clientOrderId: string) => Dec | undefined): ExecutionMeasures {
  const byUrgency: Record<Urgency, number> = { passive: 0, normal: 0, immediate: 0 };
  const byEndReason: Partial<Record<RouterEndReason, number>> = {};
  const fallbacks: Record<FallbackCause, number> = { "post-only-would-take": 0, "reprice-exhausted": 0 };
  const times: number[] = [];
  const slips: { bps: number; weight: number }[] = [];
  let ended = 0;
  let working = 0;
  let requested = 0;
  let filledNotional = 0;
  let makerNotional = 0;
  let makerLegs = 0;
  let makerLegsFilled = 0;
  let takerLegs = 0;
  let ttlExpiries = 0;
  let feesPaid = ZERO;
  let rebates = ZERO;
  for (const p of parents) {
    const d = p.done;
    if (d === undefined) {
      working++;
      continue;
    }
    ended++;
    byUrgency[p.urgency]++;
    byEndReason[d.reason] = (byEndReason[d.reason] ?? 0) + 1;
    const mid = toNumber(p.arrivalMid);
    requested += toNumber(p.qty) * mid;
    const filled = toNumber(d.filledQty) * mid;
    filledNotional += filled;
    makerNotional += toNumber(d.makerQty) * mid;
    for (const leg of p.legs) {
      if (leg.kind === "taker") continue;
      makerLegs++;
      if ((filledQtyOf(leg.clientOrderId) ?? ZERO) > 0n) makerLegsFilled++;
    }
    takerLegs += d.takerLegs;
    ttlExpiries += d.ttlExpiries;
    if (d.fallbackCause !== undefined) fallbacks[d.fallbackCause]++;
    if (d.timeToFillMs !== undefined) times.push(d.timeToFillMs);
    if (d.slippageBps !== undefined && filled > 0) slips.push({ bps: d.slippageBps, weight: filled });
    feesPaid = add(feesPaid, d.feesPaid);
    rebates = add(rebates, d.rebates);
  }
  const net = toNumber(feesPaid) - toNumber(rebates);
  return {
    parents: ended,
    working,
    byUrgency,
    byEndReason,
    fillRatio: requested > 0 ? filledNotional / requested : null,
    makerFillRatio: filledNotional > 0 ? makerNotional / filledNotional : null,
    makerLegs,
    makerLegsFilled,
    takerLegs,
    ttlExpiries,
    fallbacks,
    timeToFillMs: distribution(times, undefined),
    slippageBps: distribution(
      slips.map((s) => s.bps),
      slips.map((s) => s.weight),
    ),
    filledNotional,
    feesPaid: format(feesPaid),
    rebates: format(rebates),
    netFeesBps: filledNotional > 0 ? (net / filledNotional) * 10_000 : null,
  };
}

function distribution(values: readonly number[], weights: readonly number[] | undefined): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  let mean: number;
  if (weights === undefined) {
    mean = values.reduce((s, v) => s + v, 0) / values.length;
  } else {
    const total = weights.reduce((s, w) => s + w, 0);
    mean = values.reduce((s, v, i) => s + v * weights[i]!, 0) / total;
  }
  return { count: values.length, mean, p50: at(0.5), p90: at(0.9), max: sorted.at(-1)! };
}
