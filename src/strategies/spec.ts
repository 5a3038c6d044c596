/**
 * What the configuration says to run: one entry per strategy, each on its own symbol with its own
 * share of the capital, maximum hold and horizon. `config.strategy` (one strategy over every
 * symbol of the run, `--strategy` / `--strategy-file`) is the one-entry case.
 */
import type { Strategy } from "./strategy.ts";

export type StrategySource = { readonly kind: "builtin"; readonly name: string } | { readonly kind: "file"; readonly path: string };

export interface StrategySpec {
  /** Explicit id; absent: the built-in's name or the file's definition name (`-<symbol>` appended for a list entry). */
  readonly id?: string | undefined;
  readonly source: StrategySource;
  /** The symbols it trades; absent: every symbol of the run. */
  readonly symbol?: string | undefined;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** Fraction of equity it sizes against, (0, 1]; the entries' shares add up to at most 1. */
  readonly capitalShare: number;
  /** Its positions are closed once held this long; absent: `risk.maxHoldMs`. */
  readonly maxHoldMs?: number | undefined;
  /** A daily "HH:MM" UTC deadline by which its positions are closed. */
  readonly horizonUtc?: string | undefined;
}

/** A built strategy and where it runs. */
export interface PlacedStrategy {
  readonly strategy: Strategy;
  /** undefined: every symbol of the run. */
  readonly symbols: readonly string[] | undefined;
  readonly capitalShare: number;
  readonly maxHoldMs?: number | undefined;
  readonly horizonUtc?: string | undefined;
}
