/**
 * Position sizing: how much to buy or sell for a new entry. Pure, exact where it decides the
 * quantity, and it shows its work: every step's quantity is in `steps`.
 *
 * 1. risk: lose `riskPerTradePct` % of the strategy's capital (equity × its capital share, 1 when
 *    it runs alone) if the stop is hit: qty = equity × share × riskPct / (stopDistance × price).
 * 2. volatility (when realised volatility is known): × clamp(target / realised, 0.25, 1).
 *    Unusable realised volatility (NaN, negative) takes the floor, 0.25.
 * 3. Kelly (when enabled and the signal has a confidence p): the Kelly fraction of an even-money
 *    bet, f = 2p − 1, clamped to [0, cap], used as a share of the cap: × f / cap. It only ever
 *    shrinks the risk budget: none at p ≤ 0.5, all of it at p ≥ (1 + cap) / 2.
 * 3b. size fraction: × the share of its allowance the strategy asked for, clamped to [0, 1].
 * 3c. loss step-down: × the factor for the strategy's losing streak (see loss-step-down.ts).
 * 4. governor: × the state's size factor (0 in QUARANTINE/HARD_STOP).
 * 5. limits: order notional, position notional headroom, gross exposure headroom, and leverage
 *    headroom (equity × maxLeverage − gross), met at `notionalPrice`: the pre-trade check
 *    measures an order's notional at its limit, and a buy's taker leg may pay above the mid.
 *    Leverage is only ever this cap: it never multiplies a size (the audited sizer turned 0.1
 *    into 0.3 that way). With a capital share, also the strategy's own headroom:
 *    equity × share × maxLeverage − its exposure.
 * Every factor only ever shrinks the size: nothing a strategy asks for can pass a limit.
 * 6. instrument: at most maxQty, floored to the lot; below minQty or minNotional it is 0.
 */
import { type Dec, ZERO, div, format, fromNumber, max, min, mul, sub } from "../core/decimal.ts";
import type { Instrument } from "../core/instrument.ts";
import { roundQty } from "../core/instrument.ts";
import type { RiskConfig } from "./config.ts";

export interface SizingInput {
  readonly equity: Dec;
  readonly price: Dec;
  /** The highest limit a leg of this order may carry (default: `price`): the notional limits hold at it. */
  readonly notionalPrice?: Dec | undefined;
  /** Entry-to-stop distance as a fraction of price (0.005 = 0.5 %). */
  readonly stopDistance: number;
  /** Realised volatility in percent, same horizon as `volatilityTargetPct`. */
  readonly realisedVolPct?: number | undefined;
  /** Signal confidence, 0..1 (the probability the trade wins). */
  readonly confidence?: number | undefined;
  readonly instrument: Instrument;
  /** From `sizeFactor(state, config)`: 1, the soft-brake factor, or 0. */
  readonly governorFactor: number;
  /** Defaults to `config.maxLeverage`. */
  readonly maxLeverage?: number | undefined;
  /** |Position| notional on this symbol plus its same-side working orders (default 0). */
  readonly positionNotional?: Dec | undefined;
  /** Gross exposure of the account including working orders (default 0). */
  readonly grossExposure?: Dec | undefined;
  /** The strategy's share of equity, (0, 1]; absent: it sizes against all of it, with no allowance cap of its own. */
  readonly capitalShare?: number | undefined;
  /** The strategy's own exposure (its symbols' positions and working entries), for its allowance cap. */
  readonly strategyExposure?: Dec | undefined;
  /** The share of its allowance the signal asked for, (0, 1]. */
  readonly sizeFraction?: number | undefined;
  /** The loss step-down factor and the streak behind it. */
  readonly lossStepDown?: { readonly factor: number; readonly streak: number } | undefined;
}

export type SizingStepName =
  | "invalid-input"
  | "risk"
  | "volatility"
  | "kelly"
  | "size-fraction"
  | "loss-step-down"
  | "governor"
  | "max-order-notional"
  | "max-position-notional"
  | "max-gross-exposure"
  | "leverage"
  | "strategy-allowance"
  | "instrument-max"
  | "lot"
  | "below-minimum";

export interface SizingStep {
  readonly step: SizingStepName;
  readonly qty: Dec;
  readonly note: string;
}

export interface SizingResult {
  readonly qty: Dec;
  readonly notional: Dec;
  readonly steps: readonly SizingStep[];
}

export const VOL_SCALE_MIN = 0.25;
export const VOL_SCALE_MAX = 1;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Volatility scale, see the module comment. */
export function volatilityScale(targetPct: number, realisedPct: number): number {
  if (!Number.isFinite(realisedPct) || realisedPct < 0) return VOL_SCALE_MIN;
  if (realisedPct === 0) return VOL_SCALE_MAX;
  return clamp(targetPct / realisedPct, VOL_SCALE_MIN, VOL_SCALE_MAX);
}

/** Kelly scale in [0, 1], see the module comment. Non-finite confidence gives 0. */
export function kellyScale(confidence: number, cap: number): number {
  if (!Number.isFinite(confidence) || !(cap > 0)) return 0;
  const f = clamp(2 * clamp(confidence, 0, 1) - 1, 0, cap);
  return f / cap;
}

export function sizeOrder(input: SizingInput, config: RiskConfig): SizingResult {
  const steps: SizingStep[] = [];
  const { equity, price, stopDistance, instrument } = input;
  const none = (note: string): SizingResult => ({ qty: ZERO, notional: ZERO, steps: [...steps, { step: "invalid-input", qty: ZERO, note }] });
  if (equity <= 0n) return none(`equity ${format(equity)} is not positive`);
  if (price <= 0n) return none(`price ${format(price)} is not positive`);
  const notionalPrice = input.notionalPrice ?? price;
  if (notionalPrice <= 0n) return none(`notional price ${format(notionalPrice)} is not positive`);
  if (!Number.isFinite(stopDistance) || stopDistance <= 0) return none(`stop distance ${stopDistance} is not a positive fraction`);

  const share = input.capitalShare;
  if (share !== undefined && !(share > 0 && share <= 1)) return none(`capital share ${share} is not in (0, 1]`);
  const capital = share === undefined ? equity : mul(equity, fromNumber(share), "floor");
  const riskAmount = mul(capital, fromNumber(config.riskPerTradePct / 100), "floor");
  const perUnitRisk = mul(fromNumber(stopDistance), price);
  if (perUnitRisk <= 0n) return none(`stop distance ${stopDistance} is too small to size with`);
  let qty = div(riskAmount, perUnitRisk, "floor");
  const of = share === undefined ? "" : ` (${config.riskPerTradePct}% of ${format(capital)} = equity ${format(equity)} × share ${share})`;
  steps.push({ step: "risk", qty, note: `${format(riskAmount)} at risk${of} / (${stopDistance} × ${format(price)})` });

  const scale = (step: SizingStepName, factor: number, note: string): void => {
    qty = mul(qty, fromNumber(factor), "floor");
    steps.push({ step, qty, note: `× ${factor} (${note})` });
  };
  if (input.realisedVolPct !== undefined) {
    scale("volatility", volatilityScale(config.volatilityTargetPct, input.realisedVolPct), `target ${config.volatilityTargetPct}% / realised ${input.realisedVolPct}%`);
  }
  if (config.kelly.enabled && input.confidence !== undefined) {
    scale("kelly", kellyScale(input.confidence, config.kelly.cap), `confidence ${input.confidence}, cap ${config.kelly.cap}`);
  }
  if (input.sizeFraction !== undefined) {
    const f = Number.isFinite(input.sizeFraction) ? clamp(input.sizeFraction, 0, 1) : 0;
    scale("size-fraction", f, `the strategy asked for ${input.sizeFraction} of its allowance`);
  }
  if (input.lossStepDown !== undefined) {
    const f = Number.isFinite(input.lossStepDown.factor) ? clamp(input.lossStepDown.factor, 0, 1) : 0;
    scale("loss-step-down", f, `${input.lossStepDown.streak} losing trades in a row`);
  }
  const g = Number.isFinite(input.governorFactor) ? clamp(input.governorFactor, 0, 1) : 0;
  scale("governor", g, "risk state");

  const cap = (step: SizingStepName, notionalLimit: Dec, note: string): void => {
    const limitQty = div(max(ZERO, notionalLimit), notionalPrice, "floor");
    qty = min(qty, limitQty);
    const at = notionalPrice === price ? "" : ` at ${format(notionalPrice)}`;
    steps.push({ step, qty, note: `notional ≤ ${format(notionalLimit)}${at} (${note})` });
  };
  const position = input.positionNotional ?? ZERO;
  const gross = input.grossExposure ?? ZERO;
  const leverage = input.maxLeverage ?? config.maxLeverage;
  cap("max-order-notional", config.maxOrderNotional, "max order notional");
  cap("max-position-notional", sub(config.maxPositionNotional, position), `max ${format(config.maxPositionNotional)} − held ${format(position)}`);
  cap("max-gross-exposure", sub(config.maxGrossExposure, gross), `max ${format(config.maxGrossExposure)} − gross ${format(gross)}`);
  const leverageOk = Number.isFinite(leverage) && leverage > 0;
  const leverageLimit = leverageOk ? mul(equity, fromNumber(leverage), "floor") : ZERO;
  cap("leverage", sub(leverageLimit, gross), `equity ${format(equity)} × ${leverage} − gross ${format(gross)}`);
  if (share !== undefined) {
    const own = input.strategyExposure ?? ZERO;
    const allowance = leverageOk ? mul(capital, fromNumber(leverage), "floor") : ZERO;
    cap("strategy-allowance", sub(allowance, own), `share ${share} of equity × ${leverage} − its exposure ${format(own)}`);
  }

  qty = min(qty, instrument.maxQty);
  steps.push({ step: "instrument-max", qty, note: `≤ ${format(instrument.maxQty)}` });
  qty = roundQty(instrument, qty, "floor");
  steps.push({ step: "lot", qty, note: `floor to lot ${format(instrument.lotSize)}` });
  if (qty > 0n && (qty < instrument.minQty || mul(qty, price) < instrument.minNotional)) {
    qty = ZERO;
    steps.push({ step: "below-minimum", qty, note: `below min qty ${format(instrument.minQty)} or min notional ${format(instrument.minNotional)}` });
  }
  return { qty, notional: mul(qty, price), steps };
}
