import { describeValue, HeanError } from "../core/errors.ts";
import { CHURN_SCHEMA, ChurnStrategy, type ChurnParams } from "./churn.ts";
import { IMPULSE_SCHEMA, ImpulseStrategy, type ImpulseParams } from "./impulse.ts";
import type { ParamSchema, ParamSpec, Strategy } from "./strategy.ts";

export const STRATEGY_NAMES = ["impulse", "churn", "none"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** `none`: trades nothing by itself; the engine still marks, guards and flattens what it holds. */
const NONE: Strategy = { id: "none", onBook: () => undefined };

const SCHEMAS: Readonly<Record<StrategyName, ParamSchema>> = { impulse: IMPULSE_SCHEMA, churn: CHURN_SCHEMA, none: {} };

type Params = Readonly<Record<string, unknown>>;

/**
 * Check a strategy name and its parameters against the strategy's own schema, without building
 * anything. Throws CONFIG_INVALID naming `strategy.name` or `strategy.params.<key>` and the value.
 */
export function validateStrategy(name: unknown, params: Params, where = "strategy"): { readonly name: StrategyName; readonly params: Params } {
  if (typeof name !== "string" || !(STRATEGY_NAMES as readonly string[]).includes(name)) {
    throw new HeanError("CONFIG_INVALID", `config ${where}.name must be one of ${STRATEGY_NAMES.join(", ")}, got ${describeValue(name)}`, {
      path: `${where}.name`,
      value: describeValue(name),
      known: STRATEGY_NAMES,
    });
  }
  const schema = SCHEMAS[name as StrategyName];
  for (const [key, value] of Object.entries(params)) {
    const path = `${where}.params.${key}`;
    const spec = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (spec === undefined) {
      const known = Object.keys(schema);
      throw new HeanError(
        "CONFIG_INVALID",
        `config ${path} is not a parameter of strategy ${name} (${known.length === 0 ? "it takes none" : `known: ${known.join(", ")}`}), got ${describeValue(value)}`,
        { path, value: describeValue(value), known },
      );
    }
    const problem = checkParam(spec, value);
    if (problem !== undefined) {
      throw new HeanError("CONFIG_INVALID", `config ${path} must be ${problem}, got ${describeValue(value)}`, { path, value: describeValue(value) });
    }
  }
  return { name: name as StrategyName, params };
}

/** What the value should have been, or undefined when it fits. */
export function checkParam(spec: ParamSpec, value: unknown): string | undefined {
  if (spec.kind === "choice") {
    return typeof value === "string" && spec.values.includes(value) ? undefined : `one of ${spec.values.join(", ")}`;
  }
  const fits =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (spec.minExclusive === true ? value > spec.min : value >= spec.min) &&
    value <= spec.max &&
    (spec.integer !== true || Number.isInteger(value));
  return fits ? undefined : `${spec.integer === true ? "an integer" : "a number"} in ${spec.minExclusive === true ? "(" : "["}${spec.min}, ${spec.max}]`;
}

/** `where` names the parameters' place in the configuration (`strategy.params`, `strategies[1].params`) in errors. */
export function createStrategy(name: string, params: Params = {}, id?: string, where = "strategy.params"): Strategy {
  const checked = validateStrategy(name, params, where.replace(/\.params$/, ""));
  switch (checked.name) {
    case "impulse":
      return new ImpulseStrategy(checked.params as Partial<ImpulseParams>, id);
    case "churn":
      return new ChurnStrategy(checked.params as Partial<ChurnParams>, id);
    case "none":
      return id === undefined ? NONE : { ...NONE, id };
  }
}
