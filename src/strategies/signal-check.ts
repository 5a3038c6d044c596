/**
 * The contract a signal must keep before it can become an order: a strategy that breaks it is
 * a strategy with a bug, and hean stops listening to it (the trading loop disables it with an
 * alert) rather than guess what it meant.
 */
import { describeValue, HeanError } from "../core/errors.ts";
import type { SignalEvent } from "../core/events.ts";

/**
 * What a strategy module's handler returned cannot be read as signals (not an object, not a list
 * from onTimer, no symbol to trade): the contract broken, as a bad field is, not a throw in the
 * strategy's code. Thrown by the module adapter; the strategy's slot reports it as a bad signal,
 * without a place in hean's own code.
 */
export class SignalContractError extends HeanError {
  /** What is wrong, without the code and the strategy's id. */
  readonly problem: string;

  constructor(strategyId: string, problem: string) {
    super("STRATEGY_INVALID", `strategy ${strategyId}: ${problem}`, { strategyId });
    this.problem = problem;
  }
}

const URGENCIES: readonly string[] = ["passive", "aggressive"];

/** What is wrong with the signal (naming the field and the value), or undefined when it is sound. */
export function signalProblem(s: SignalEvent, symbols: ReadonlySet<string> | undefined): string | undefined {
  if (typeof s !== "object" || s === null) return `a signal must be an object, got ${describeValue(s)}`;
  if (s.action !== "open" && s.action !== "close") return `signal.action must be "open" or "close", got ${describeValue(s.action)}`;
  if (typeof s.symbol !== "string") return `signal.symbol must be a string, got ${describeValue(s.symbol)}`;
  if (symbols !== undefined && !symbols.has(s.symbol)) return `signal.symbol ${describeValue(s.symbol)} is not one of the strategy's symbols (${[...symbols].join(", ")})`;
  if (s.urgency !== undefined && !URGENCIES.includes(s.urgency)) return `signal.urgency must be "passive" or "aggressive", got ${describeValue(s.urgency)}`;
  if (s.action === "close") return undefined;
  if (s.side !== "buy" && s.side !== "sell") return `signal.side must be "buy" or "sell", got ${describeValue(s.side)}`;
  if (typeof s.stopDistance !== "number" || !Number.isFinite(s.stopDistance) || s.stopDistance <= 0 || s.stopDistance >= 1) {
    return `signal.stopDistance must be a fraction of price in (0, 1), got ${describeValue(s.stopDistance)}`;
  }
  if (typeof s.confidence !== "number" || !(s.confidence >= 0 && s.confidence <= 1)) return `signal.confidence must be a number in [0, 1], got ${describeValue(s.confidence)}`;
  if (s.sizeFraction !== undefined && (typeof s.sizeFraction !== "number" || !(s.sizeFraction > 0 && s.sizeFraction <= 1))) {
    return `signal.sizeFraction must be a number in (0, 1], got ${describeValue(s.sizeFraction)}`;
  }
  return undefined;
}
