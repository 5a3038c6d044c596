/**
 * Structural comparison of JSON values: same keys at every level, same value types. Arrays are
 * compared element-wise against the sample's first element; an empty array on our side matches
 * any sample array (the sample shows one possible content, ours may have none).
 */
import assert from "node:assert/strict";

export interface ShapeOptions {
  /** Paths (like `result.list[].cumFeeDetail`) whose keys are data (coin names): only value types are compared. */
  readonly records?: readonly string[];
  /** Paths whose sample value is null or an object/array that the simulator may render as another type. */
  readonly anyType?: readonly string[];
  /** Keys the sample has that the simulator does not send, per path (each needs a reason in the test). */
  readonly missingOk?: Readonly<Record<string, readonly string[]>>;
}

const typeName = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

export function assertSameShape(actual: unknown, sample: unknown, options: ShapeOptions = {}, path = ""): void {
  const where = path === "" ? "(root)" : path;
  if (options.anyType?.includes(path)) return;
  assert.equal(typeName(actual), typeName(sample), `type of ${where}: ${JSON.stringify(actual)?.slice(0, 120)} vs sample ${JSON.stringify(sample)?.slice(0, 120)}`);
  if (Array.isArray(sample)) {
    const first = sample[0];
    if (first === undefined) return;
    for (const item of actual as unknown[]) assertSameShape(item, first, options, `${path}[]`);
    return;
  }
  if (typeName(sample) !== "object") return;
  const a = actual as Record<string, unknown>;
  const s = sample as Record<string, unknown>;
  if (options.records?.includes(path)) {
    const sampleValue = Object.values(s)[0];
    for (const [k, v] of Object.entries(a)) assert.equal(typeName(v), typeName(sampleValue), `type of ${path}.${k}`);
    return;
  }
  const missingOk = new Set(options.missingOk?.[path] ?? []);
  const expectedKeys = Object.keys(s).filter((k) => !missingOk.has(k)).sort();
  assert.deepEqual(Object.keys(a).sort(), expectedKeys, `keys of ${where}`);
  for (const k of expectedKeys) assertSameShape(a[k], s[k], options, path === "" ? k : `${path}.${k}`);
}
