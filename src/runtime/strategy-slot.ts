/**
 * One strategy in a run: where it trades, its capital share, and the fence around it. A strategy
 * is code hean did not write: when a handler throws or a signal breaks the contract
 * (signal-check.ts), the slot is disabled (reported once, through `onDisabled`), and from then on
 * it gets no data and its signals are ignored. The engine, risk and the other strategies go on;
 * its open positions stay under risk's stops, max hold and horizon.
 */
import { describeError, thrownAt } from "../core/errors.ts";
import type { RiskState, SignalEvent, SignalUrgency, Urgency } from "../core/events.ts";
import { SignalContractError, signalProblem } from "../strategies/signal-check.ts";
import type { PlacedStrategy } from "../strategies/spec.ts";
import type { Strategy } from "../strategies/strategy.ts";

const MAX_PROBLEM_CHARS = 300;

/** A strategy that threw or broke the signal contract: it got no data after `at`. */
export interface DisabledStrategy {
  readonly strategyId: string;
  readonly at: number;
  readonly atIso: string;
  /** The handler and what it did: "onBook threw Error: … (at /path/my-strategy.ts:10:20)". */
  readonly problem: string;
}

/** One line for a report: who, when, what it did, and what that left. */
export function disabledNote(d: DisabledStrategy): string {
  return `strategy ${d.strategyId} DISABLED at ${d.atIso}: ${d.problem}; no data or signals after it (its positions stayed under risk's stops, max hold and horizon)`;
}

export class StrategySlot {
  readonly strategy: Strategy;
  readonly id: string;
  /** undefined: every symbol of the run. */
  readonly symbols: readonly string[] | undefined;
  readonly capitalShare: number;
  readonly #allowed: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #onDisabled: (disabled: DisabledStrategy, handler: string, problem: string) => void;
  /** When and why it was disabled; undefined while it runs. */
  disabled: DisabledStrategy | undefined;

  constructor(placed: PlacedStrategy, runSymbols: readonly string[], now: () => number, onDisabled: (disabled: DisabledStrategy, handler: string, problem: string) => void) {
    this.strategy = placed.strategy;
    this.id = placed.strategy.id;
    this.symbols = placed.symbols;
    this.capitalShare = placed.capitalShare;
    this.#allowed = new Set(placed.symbols ?? runSymbols);
    this.#now = now;
    this.#onDisabled = onDisabled;
  }

  /** Whether it gets this symbol's data (and may signal it). */
  trades(symbol: string): boolean {
    return this.disabled === undefined && this.#allowed.has(symbol);
  }

  /** Run one handler; a throw disables the slot and gives undefined. */
  call<T>(handler: string, fn: () => T): T | undefined {
    if (this.disabled !== undefined) return undefined;
    try {
      return fn();
    } catch (e) {
      this.fail(handler, e);
      return undefined;
    }
  }

  /** A handler threw: disable the slot, saying where (the strategy's author needs the line). */
  fail(handler: string, thrown: unknown): void {
    // What it returned could not be read as signals: a broken contract, named as one (hean's
    // adapter found it, so a place in hean's code would mislead, and its code is said once).
    if (thrown instanceof SignalContractError) return this.#disable(handler, `returned a bad signal: ${thrown.problem}`);
    const err = describeError(thrown);
    const at = thrownAt(thrown);
    // Its message goes into an alert, the report and Telegram: a strategy's text, so bounded.
    const message = err.message.length > MAX_PROBLEM_CHARS ? `${err.message.slice(0, MAX_PROBLEM_CHARS)}…` : err.message;
    this.#disable(handler, `threw ${err.code}: ${message}${at === undefined ? "" : ` (at ${at})`}`);
  }

  /** False (and the slot disabled) when the signal breaks the contract. */
  checkSignal(signal: SignalEvent, handler: string): boolean {
    if (this.disabled !== undefined) return false;
    let problem: string | undefined;
    try {
      problem = signalProblem(signal, this.#allowed);
    } catch (e) {
      problem = `returned an unreadable signal (${describeError(e).message})`;
    }
    if (problem === undefined) return true;
    this.#disable(handler, `returned a bad signal: ${problem}`);
    return false;
  }

  #disable(handler: string, problem: string): void {
    if (this.disabled !== undefined) return;
    const at = this.#now();
    this.disabled = { strategyId: this.id, at, atIso: new Date(at).toISOString(), problem: `${handler} ${problem}` };
    this.#onDisabled(this.disabled, handler, problem);
  }
}

/**
 * The urgency an entry goes with. `passive` rests for a maker fill; `aggressive` takes at once,
 * but only while risk is NORMAL: under a brake (or worse) adding exposure never pays to cross,
 * so it goes at the configured urgency. Risk tones a wish down, never up.
 */
export function entryUrgency(requested: SignalUrgency | undefined, configured: Urgency, risk: RiskState): Urgency {
  if (requested === "passive") return "passive";
  if (requested === "aggressive") return risk === "NORMAL" ? "immediate" : configured;
  return configured;
}

/** The urgency of a strategy's exit: what it asked for, else the configured exit urgency. */
export function exitUrgency(requested: SignalUrgency | undefined, configured: Urgency): Urgency {
  if (requested === "passive") return "passive";
  if (requested === "aggressive") return "immediate";
  return configured;
}
