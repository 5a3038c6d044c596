/**
 * External context a strategy may consult (funding rate, open interest, mark, a model's
 * prediction, …), per symbol, as published by context producers (`hean context`, a model
 * service). Each field carries its age. A field that is missing, malformed or older than the
 * configured maximum age is simply absent: a strategy never sees a half-built value and never
 * has to guard against a throw.
 */
export interface ContextField {
  readonly value: number | string;
  /** Milliseconds since the producer observed it. */
  readonly ageMs: number;
  /** Who published it ("bybit", "model-x", …). */
  readonly source: string;
}

export type ContextReading = Readonly<Record<string, ContextField>>;

export const NO_CONTEXT: ContextReading = Object.freeze({});

/** Where a running engine gets context from (the Redis context feed in distributed mode). */
export type ContextSource = (symbol: string) => ContextReading;

/** A numeric field, or undefined when absent (never NaN). */
export function contextNumber(reading: ContextReading, field: string): number | undefined {
  const f = reading[field];
  return f !== undefined && typeof f.value === "number" && Number.isFinite(f.value) ? f.value : undefined;
}
