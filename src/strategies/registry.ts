import { HeanError } from "../core/errors.ts";
import { ChurnStrategy } from "./churn.ts";
import { ImpulseStrategy } from "./impulse.ts";
import type { Strategy } from "./strategy.ts";

export const STRATEGY_NAMES = ["impulse", "churn"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export function createStrategy(name: string, params: Readonly<Record<string, unknown>> = {}): Strategy {
  switch (name) {
    case "impulse":
      return new ImpulseStrategy(params as Partial<import("./impulse.ts").ImpulseParams>);
    case "churn":
      return new ChurnStrategy(params as Partial<import("./churn.ts").ChurnParams>);
    default:
      throw new HeanError("CONFIG_INVALID", `unknown strategy ${JSON.stringify(name)}`, { strategy: name, known: STRATEGY_NAMES });
  }
}
