/**
 * Reading the optional context a signal may carry (an external model's prediction). The context
 * comes from outside and may be anything: missing, half-built during a model restart, a mock, a
 * Proxy whose every read throws, numbers as strings, NaN. Whatever it is, reading it never
 * throws and never calls into it beyond plain property reads (no valueOf, no toString): anything
 * that is not exactly the expected shape is treated as absent and the problem is reported, so
 * the signal itself goes on unenriched (the audited gate sent such signals to the dead letters).
 */

export interface Prediction {
  /** 0..1. */
  readonly confidence: number;
  readonly direction: "up" | "down";
}

export interface SignalContextReading {
  readonly prediction?: Prediction;
  /** Why the context (or part of it) was treated as absent; empty when it was fine or simply not there. */
  readonly problems: string[];
}

type Read = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

/** Array.isArray throws on a revoked Proxy. */
function isArray(v: unknown): boolean {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (isArray(v)) return "array";
  return typeof v;
}

function isObjectLike(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** One property read, with every way it can go wrong turned into a problem. */
function readProp(obj: unknown, key: string, path: string): Read {
  if (!isObjectLike(obj)) return { ok: false, problem: `${path}: parent is ${kind(obj)}, not an object` };
  try {
    return { ok: true, value: Reflect.get(obj, key) };
  } catch {
    return { ok: false, problem: `${path}: reading it threw` };
  }
}

function readPrediction(context: unknown, problems: string[]): Prediction | undefined {
  const p = readProp(context, "prediction", "prediction");
  if (!p.ok) {
    problems.push(p.problem);
    return undefined;
  }
  if (p.value === undefined || p.value === null) return undefined;
  if (typeof p.value !== "object" || isArray(p.value)) {
    problems.push(`prediction: is ${kind(p.value)}, not an object`);
    return undefined;
  }
  const c = readProp(p.value, "confidence", "prediction.confidence");
  const d = readProp(p.value, "direction", "prediction.direction");
  let confidence: number | undefined;
  let direction: "up" | "down" | undefined;
  if (!c.ok) problems.push(c.problem);
  else if (c.value === undefined || c.value === null) problems.push("prediction.confidence: missing");
  else if (typeof c.value !== "number") problems.push(`prediction.confidence: is ${kind(c.value)}, not a number`);
  else if (!Number.isFinite(c.value)) problems.push("prediction.confidence: is not a finite number");
  else if (c.value < 0 || c.value > 1) problems.push("prediction.confidence: is outside 0..1");
  else confidence = c.value;
  if (!d.ok) problems.push(d.problem);
  else if (d.value === undefined || d.value === null) problems.push("prediction.direction: missing");
  else if (d.value !== "up" && d.value !== "down") {
    problems.push(typeof d.value === "string" ? "prediction.direction: is not \"up\" or \"down\"" : `prediction.direction: is ${kind(d.value)}, not a string`);
  } else direction = d.value;
  // Half a prediction is no prediction: a confidence without a direction says nothing usable.
  return confidence !== undefined && direction !== undefined ? { confidence, direction } : undefined;
}

/** Read a signal's context. Never throws. */
export function readSignalContext(context: unknown): SignalContextReading {
  const problems: string[] = [];
  if (context === undefined || context === null) return { problems };
  try {
    if (!isObjectLike(context)) {
      problems.push(`context: is ${kind(context)}, not an object`);
      return { problems };
    }
    const prediction = readPrediction(context, problems);
    return prediction === undefined ? { problems } : { prediction, problems };
  } catch {
    // Nothing above should throw; if something exotic still does, the context is absent, not fatal.
    return { problems: [...problems, "context: unreadable"] };
  }
}

export interface SignalContextCounts {
  /** Contexts read (including absent ones). */
  readonly read: number;
  /** With a usable prediction. */
  readonly usable: number;
  /** No context, or a context without a prediction: nothing wrong, nothing to use. */
  readonly absent: number;
  /** Something was there but unusable (partial, mistyped, throwing); treated as absent. */
  readonly rejected: number;
  /** Problems by their path-level description (e.g. "prediction.confidence: missing"). */
  readonly problems: Readonly<Record<string, number>>;
}

/** Counts what `readSignalContext` found, for metrics and the run report. */
export class SignalContextCounter {
  #read = 0;
  #usable = 0;
  #absent = 0;
  #rejected = 0;
  readonly #problems = new Map<string, number>();

  /** Read and count in one go. */
  read(context: unknown): SignalContextReading {
    const r = readSignalContext(context);
    this.record(r);
    return r;
  }

  record(r: SignalContextReading): void {
    this.#read++;
    if (r.prediction !== undefined) this.#usable++;
    else if (r.problems.length === 0) this.#absent++;
    if (r.problems.length > 0) this.#rejected++;
    for (const p of r.problems) this.#problems.set(p, (this.#problems.get(p) ?? 0) + 1);
  }

  counts(): SignalContextCounts {
    return {
      read: this.#read,
      usable: this.#usable,
      absent: this.#absent,
      rejected: this.#rejected,
      problems: Object.fromEntries(this.#problems),
    };
  }
}
