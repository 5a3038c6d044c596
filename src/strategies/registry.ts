import { HeanError } from "../core/errors.ts";
import { ChurnStrategy, DEFAULT_CHURN, type ChurnParams } from "./churn.ts";
import { DEFAULT_IMPULSE, ImpulseStrategy, type ImpulseParams } from "./impulse.ts";
import type { Strategy } from "./strategy.ts";

export const STRATEGY_NAMES = ["impulse", "churn", "none"] as const;

/** `none`: trades nothing by itself; the engine still marks, guards and flattens what it holds. */
const NONE: Strategy = { id: "none", onBook: () => undefined };

type Params = Readonly<Record<string, unknown>>;

export function createStrategy(name: string, params: Params = {}): Strategy {
  switch (name) {
    case "impulse":
      return new ImpulseStrategy(checkParams<ImpulseParams>(name, params, DEFAULT_IMPULSE));
    case "churn": {
      const p = checkParams<ChurnParams>(name, params, DEFAULT_CHURN);
      if (p.sides !== undefined && !["long", "short", "alternate"].includes(p.sides)) {
        throw new HeanError("CONFIG_INVALID", `strategy.params.sides must be long, short or alternate`, { value: p.sides });
      }
      return new ChurnStrategy(p);
    }
    case "none":
      checkParams(name, params, {});
      return NONE;
    default:
      throw new HeanError("CONFIG_INVALID", `unknown strategy ${JSON.stringify(name)}`, { strategy: name, known: STRATEGY_NAMES });
  }
}

/** Every parameter must be one the strategy knows, with the type of its default. */
function checkParams<T extends object>(strategy: string, params: Params, defaults: T): Partial<T> {
  for (const [key, value] of Object.entries(params)) {
    if (!(key in defaults)) {
      throw new HeanError("CONFIG_INVALID", `strategy ${strategy} has no parameter ${JSON.stringify(key)}`, { strategy, key, known: Object.keys(defaults) });
    }
    const expected = typeof (defaults as Record<string, unknown>)[key];
    if (typeof value !== expected || (typeof value === "number" && !Number.isFinite(value))) {
      throw new HeanError("CONFIG_INVALID", `strategy.params.${key} must be a ${expected}, got ${JSON.stringify(value)}`, { strategy, key, value });
    }
  }
  return params as Partial<T>;
}
