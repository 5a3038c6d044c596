/**
 * The strategy interface: market data and the strategy's own order/position facts in, signals out.
 * Strategies never size, never send orders and never see the journal: they say what they would
 * like (a signal); sizing, risk and execution decide what happens. They work in floats, which is
 * fine for indicators: nothing a strategy computes decides an order's exact price or quantity.
 */
import type { BookEvent, FillEvent, SignalEvent, TradeEvent } from "../core/events.ts";
import type { ContextReading } from "./context.ts";

export interface StrategyView {
  now(): number;
  /** Signed position quantity (float, for decisions only). */
  positionQty(symbol: string): number;
  /** True while an order of this strategy on the symbol is working. */
  hasWorkingOrders(symbol: string): boolean;
  /**
   * External context for the symbol (context feeds, distributed mode): only fresh, well-formed
   * fields, each with its age; empty when there is none. Never throws.
   */
  context?(symbol: string): ContextReading;
}

export interface Strategy {
  readonly id: string;
  onBook(book: BookEvent, view: StrategyView): SignalEvent | undefined;
  onTrade?(trade: TradeEvent, view: StrategyView): void;
  onFill?(fill: FillEvent, view: StrategyView): void;
  /** Called about once a second, for time-based decisions that must not depend on ticks. */
  onTimer?(view: StrategyView): SignalEvent[];
}

/**
 * What a strategy accepts as `strategy.params`: each known parameter's type and range. The
 * configuration is checked against it before anything starts, so a strategy never sees a value
 * it cannot work with.
 */
export type ParamSpec =
  | { readonly kind: "number"; readonly min: number; readonly max: number; readonly integer?: boolean; readonly minExclusive?: boolean }
  | { readonly kind: "choice"; readonly values: readonly string[] };

export type ParamSchema = Readonly<Record<string, ParamSpec>>;

export type StrategyFactory = (params: Readonly<Record<string, unknown>>) => Strategy;
