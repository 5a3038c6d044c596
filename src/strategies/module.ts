/**
 * The shape of a strategy of one's own: a module (TypeScript run through Node's type stripping,
 * or JavaScript) whose default export is a `StrategyDefinition`. docs/STRATEGIES.md documents it
 * with a worked example (examples/strategies/mean-reversion.ts).
 *
 * A file strategy imports only types from hean (`import type`), so it runs from anywhere: what
 * it must look like is checked when it is loaded (`load.ts`), and every signal it returns is
 * checked before it becomes an order (`signal-check.ts`).
 */
import type { Liquidity, SignalContext, SignalUrgency, Side } from "../core/events.ts";
import type { ParamSchema, StrategyView } from "./strategy.ts";

export type { ParamSchema, ParamSpec, StrategyView } from "./strategy.ts";
export type { SignalUrgency, Side } from "../core/events.ts";

/**
 * Top of book, in plain numbers: a strategy computes indicators in floats (nothing it computes
 * sets an order's exact price or quantity; sizing and routing work in exact decimals).
 */
export interface MarketBook {
  readonly symbol: string;
  /** Engine time (ms). */
  readonly ts: number;
  readonly bid: number;
  readonly bidQty: number;
  readonly ask: number;
  readonly askQty: number;
  /** True on the first book after a gap or reconnect: the series is not continuous here. */
  readonly afterGap: boolean;
}

export interface MarketTrade {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly qty: number;
  /** The aggressor's side. */
  readonly side: Side;
}

/** A fill of one of the strategy's symbols. */
export interface StrategyFill {
  readonly symbol: string;
  readonly ts: number;
  readonly side: Side;
  readonly price: number;
  readonly qty: number;
  /** Quote currency; negative is a rebate. */
  readonly fee: number;
  readonly liquidity: Liquidity;
}

/** Parameter values a strategy receives: its defaults with the configured ones laid over them. */
export type StrategyParams = Readonly<Record<string, number | string | boolean>>;

/** What hean tells a strategy about where it runs. */
export interface StrategyContext {
  /** The id its signals, orders and trades carry (reports group by it). */
  readonly id: string;
  /** The symbols whose books it receives. */
  readonly symbols: readonly string[];
}

/**
 * What a file strategy returns to act: hean adds the time and the strategy id.
 * - `open`: enter on `side`; `stopDistance` (fraction of price from entry to the stop) sizes it.
 * - `close`: leave the whole position on `symbol` (side not needed).
 */
export type StrategySignal =
  | {
      readonly action: "open";
      readonly symbol: string;
      readonly side: Side;
      /** Entry-to-stop distance as a fraction of price, > 0 (0.004 = 0.4 %). */
      readonly stopDistance: number;
      /** 0..1, how sure the strategy is (Kelly sizing reads it when enabled). Default 0.5. */
      readonly confidence?: number;
      readonly reason?: string;
      readonly urgency?: SignalUrgency;
      /** Share of the strategy's sizing allowance, (0, 1]. Default 1. */
      readonly sizeFraction?: number;
      readonly context?: SignalContext;
    }
  | {
      readonly action: "close";
      readonly symbol: string;
      readonly reason?: string;
      readonly urgency?: SignalUrgency;
    };

/** The running strategy: market data and its own fills in, signals out. Every handler but onBook is optional. */
export interface StrategyHandlers {
  onBook(book: MarketBook, view: StrategyView): StrategySignal | undefined | void;
  onTrade?(trade: MarketTrade, view: StrategyView): void;
  onFill?(fill: StrategyFill, view: StrategyView): void;
  /** About once a second, for decisions that must not wait for a tick. */
  onTimer?(view: StrategyView): readonly StrategySignal[] | undefined | void;
}

/** The default export of a strategy file. */
export interface StrategyDefinition<P extends object = StrategyParams> {
  /** Used as the strategy id when the configuration gives none. Letters, digits, `-` and `_`. */
  readonly name: string;
  readonly description?: string;
  /** The parameters it accepts, with types and ranges: configured values are checked against it. */
  readonly params?: ParamSchema;
  /** A value for every parameter of `params`. */
  readonly defaults?: P;
  /** Build one running instance; called once per strategy entry of the configuration. */
  create(params: P, context: StrategyContext): StrategyHandlers;
}
