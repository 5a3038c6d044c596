/**
 * From configuration to running strategies: built-ins from the registry, files through the
 * loader (each file imported once, however many entries use it). Ids must come out unique: they
 * name the strategies' orders, trades and per-strategy limits. Throws STRATEGY_INVALID or
 * CONFIG_INVALID before anything trades.
 */
import { HeanError } from "../core/errors.ts";
import { type LoadedStrategy, instantiate, loadStrategyModule } from "./load.ts";
import { createStrategy } from "./registry.ts";
import type { PlacedStrategy, StrategySpec } from "./spec.ts";

/**
 * `runSymbols`: what the run trades, which a strategy placed on no symbol of its own trades (it
 * is told them in its context, and with one of them may leave `symbol` out of onTimer's signals).
 */
export async function buildStrategies(specs: readonly StrategySpec[], runSymbols?: readonly string[]): Promise<PlacedStrategy[]> {
  const modules = new Map<string, LoadedStrategy>();
  const out: PlacedStrategy[] = [];
  const seen = new Map<string, number>();
  for (const [i, spec] of specs.entries()) {
    const where = specs.length === 1 && spec.symbol === undefined ? "strategy" : `strategies[${i}]`;
    const symbols = spec.symbol === undefined ? undefined : [spec.symbol];
    let strategy;
    if (spec.source.kind === "builtin") {
      const id = spec.id ?? (spec.symbol === undefined ? spec.source.name : `${spec.source.name}-${spec.symbol}`);
      strategy = createStrategy(spec.source.name, spec.params, id, `${where}.params`);
    } else {
      let loaded = modules.get(spec.source.path);
      if (loaded === undefined) modules.set(spec.source.path, (loaded = await loadStrategyModule(spec.source.path)));
      const base = loaded.definition.name;
      const id = spec.id ?? (spec.symbol === undefined ? base : `${base}-${spec.symbol}`);
      strategy = instantiate(loaded, spec.params, { id, symbols: symbols ?? runSymbols, where: `${where}.params` });
    }
    const first = seen.get(strategy.id);
    if (first !== undefined) {
      throw new HeanError("STRATEGY_INVALID", `strategies[${i}] and strategies[${first}] are both called ${JSON.stringify(strategy.id)}: give one an id`, { path: `strategies[${i}].id`, id: strategy.id });
    }
    seen.set(strategy.id, i);
    out.push({ strategy, symbols, capitalShare: spec.capitalShare, maxHoldMs: spec.maxHoldMs, horizonUtc: spec.horizonUtc });
  }
  return out;
}
