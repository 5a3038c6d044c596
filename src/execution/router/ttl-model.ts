/**
 * How long a maker leg may rest. A fixed TTL (the audited engine's 200 ms) is too short in a
 * quiet market and too long in a fast one; this one weighs what resting can earn against what
 * waiting risks, then leans on what recent legs and the book say:
 *
 * - core: resting saves the spread plus the fee difference (taker − maker) over crossing now;
 *   waiting T seconds risks a drift of σ√T. The core TTL is the T at which one σ of drift eats
 *   half of that edge: T = (½ · edge / σ)². A wider spread or lower volatility waits longer.
 * - recent maker fill rate r (0..1): × (0.5 + r). When resting rarely fills, waiting mostly
 *   delays the fallback; when it often fills, a little longer catches more.
 * - depth at the touch: with our side holding a share s of the two touch quantities, × (1.5 − s).
 *   A heavy own side (thin opposite side) tends to push the price away from a resting order;
 *   a thin own side means the queue ahead is short and the price leans towards it.
 *
 * The result is clamped to the configured bounds; before the volatility estimate has warmed up
 * the core is the configured base. Pure and O(1).
 */
import type { TtlBounds } from "./config.ts";

export interface TtlInputs {
  readonly spreadBps: number;
  /** Taker fee rate minus maker fee rate, in bps (a maker rebate makes it larger). */
  readonly feeEdgeBps: number;
  readonly volBpsPerSqrtS: number | undefined;
  /** Recent fraction of maker legs that filled (at least partly). */
  readonly makerFillRate: number;
  /** Our side's touch quantity over both touches' (0..1); undefined when unknown. */
  readonly ownDepthShare: number | undefined;
}

export interface TtlDecision {
  readonly ttlMs: number;
  readonly coreMs: number;
  readonly fillFactor: number;
  readonly depthFactor: number;
}

const EDGE_SHARE = 0.5;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export function adaptiveTtl(inputs: TtlInputs, bounds: TtlBounds): TtlDecision {
  const edge = Math.max(0, finiteOr(inputs.spreadBps, 0)) + Math.max(0, finiteOr(inputs.feeEdgeBps, 0));
  const vol = inputs.volBpsPerSqrtS;
  const coreMs =
    vol === undefined || !Number.isFinite(vol) || vol <= 0 || edge <= 0 ? bounds.baseMs : ((EDGE_SHARE * edge) / vol) ** 2 * 1_000;
  const fillFactor = 0.5 + clamp(finiteOr(inputs.makerFillRate, 0.5), 0, 1);
  const share = inputs.ownDepthShare;
  const depthFactor = share === undefined || !Number.isFinite(share) ? 1 : 1.5 - clamp(share, 0, 1);
  const ttlMs = Math.round(clamp(coreMs * fillFactor * depthFactor, bounds.minMs, bounds.maxMs));
  return { ttlMs, coreMs, fillFactor, depthFactor };
}

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** An exponentially weighted fill rate of maker legs: 1 for a leg that filled, 0 for one that did not. */
export class MakerFillRate {
  readonly #alpha: number;
  #rate: number;

  constructor(initial = 0.5, alpha = 0.2) {
    this.#rate = initial;
    this.#alpha = alpha;
  }

  get value(): number {
    return this.#rate;
  }

  record(filled: boolean): void {
    this.#rate += this.#alpha * ((filled ? 1 : 0) - this.#rate);
  }
}
