/**
 * Property tests of the journal's record codec and record check, the parsers of what comes back
 * from disk: random and mutated input gives the exact original or a clear JOURNAL_CORRUPT, never
 * a crash (another error class, a stack overflow) and never a different value.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { ALL_EVENT_TYPES, type HeanEvent } from "../../src/core/events.ts";
import { ChainVerifier } from "../../src/journal/chain-verifier.ts";
import { recordChecksum } from "../../src/journal/checksum.ts";
import { decodeEvent, decodeValue, encodeEvent, encodeValue } from "../../src/journal/codec.ts";
import { SAMPLES } from "./samples.ts";

const RUNS = Number(process.env.HEAN_FC_RUNS ?? 300);

/** Object keys that have tripped JSON codecs: markers, prototype keys, the empty key, unicode. */
const key = fc.oneof(
  fc.constantFrom("$d", "$o", "__proto__", "constructor", "prototype", "toString", "", "0", "ü🙂"),
  fc.string({ maxLength: 6 }),
);

/** An object with exactly these own properties (a plain assignment would turn `__proto__` into a prototype). */
const objectOf = (entries: readonly (readonly [string, unknown])[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  return out;
};

const { value: anyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.array(fc.tuple(key, fc.oneof(tie("value"), fc.constant(undefined))), { maxLength: 4 }).map(objectOf),
  ),
}));

/** What a value reads back as: undefined properties dropped, -0 as 0, everything else the same. */
function readsBackAs(value: unknown): unknown {
  if (typeof value === "number") return value === 0 ? 0 : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(readsBackAs);
  return objectOf(
    Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => [k, readsBackAs((value as Record<string, unknown>)[k])] as const),
  );
}

const decodesTo = (decode: () => unknown): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: decode() };
  } catch (e) {
    assert.ok(isHeanError(e, "JOURNAL_CORRUPT"), `a clear JOURNAL_CORRUPT, not ${String(e)}`);
    return { ok: false };
  }
};

test("any encodable value reads back exactly (property)", () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      const text = encodeValue(value);
      assert.deepStrictEqual(decodeValue(text), readsBackAs(value));
      const event = { type: "alert", ts: 1, severity: "info", code: "P", message: "m", context: { value } } as HeanEvent;
      assert.deepStrictEqual(decodeEvent(encodeEvent(event)), readsBackAs(event));
    }),
    { numRuns: RUNS },
  );
});

test("an own __proto__ key is data both ways, never a prototype", () => {
  const value = objectOf([["__proto__", { $d: "x", n: 1n as Dec }]]);
  const back = decodeValue(encodeValue(value)) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepStrictEqual(back, value);
  assert.deepStrictEqual(Object.keys(decodeValue('{"$o":[["__proto__",5]]}') as object), ["__proto__"]);
});

test("random text and random JSON decode to a value or a clear JOURNAL_CORRUPT, never a crash (property)", () => {
  const text = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ type: "mark", ts: 1, v })));
  fc.assert(
    fc.property(text, (t) => {
      decodesTo(() => decodeValue(t));
      decodesTo(() => decodeEvent(t));
    }),
    { numRuns: RUNS * 3 },
  );
});

test("nesting deeper than any encoding makes is refused with JOURNAL_CORRUPT, not a stack overflow", () => {
  const shapes: readonly (readonly [string, string])[] = [
    ["[", "]"],
    ['{"a":', "}"],
    ['{"$o":[["a",', "]]}"],
  ];
  for (const depth of [200, 100_000]) {
    for (const [open, close] of shapes) {
      const nested = open.repeat(depth) + "1" + close.repeat(depth);
      for (const t of [nested, `{"type":"mark","ts":1,"x":${nested}}`]) {
        assert.throws(() => decodeValue(t), (e) => isHeanError(e, "JOURNAL_CORRUPT"), `depth ${depth} ${open}`);
        assert.throws(() => decodeEvent(t), (e) => isHeanError(e, "JOURNAL_CORRUPT"), `depth ${depth} ${open}`);
      }
    }
  }
});

/** One edit of a text: replace, insert or delete a character, or cut it short. */
const edit = fc.record({
  kind: fc.constantFrom("replace", "insert", "delete", "truncate"),
  at: fc.nat(),
  char: fc.oneof(fc.constantFrom('"', "{", "}", "[", "]", ":", ",", "\\", "0", "9", "-", ".", "$", "d"), fc.string({ minLength: 1, maxLength: 1, unit: "binary" })),
});

function applyEdit(text: string, e: { kind: string; at: number; char: string }): string {
  const at = e.at % (text.length + 1);
  switch (e.kind) {
    case "replace":
      return text.slice(0, at) + e.char + text.slice(at + 1);
    case "insert":
      return text.slice(0, at) + e.char + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + 1);
    default:
      return text.slice(0, at);
  }
}

const sample = fc.constantFrom(...ALL_EVENT_TYPES).map((type) => SAMPLES[type] as HeanEvent);

test("a mutated record is refused by the record check, or is byte-for-byte the original (property)", () => {
  const column = fc.constantFrom("payload", "payload", "payload", "ts", "type", "checksum", "seq");
  fc.assert(
    fc.property(sample, fc.array(edit, { minLength: 1, maxLength: 3 }), column, fc.nat(), fc.integer({ min: 1, max: 2 ** 40 }), (event, edits, which, prev, seq) => {
      const payload = encodeEvent(event);
      const checksum = recordChecksum(prev >>> 0, seq, payload);
      const record: [unknown, unknown, unknown, unknown, unknown] = [seq, event.ts, event.type, payload, checksum];
      const mutated: [unknown, unknown, unknown, unknown, unknown] = [...record];
      switch (which) {
        case "payload":
          mutated[3] = edits.reduce(applyEdit, payload);
          break;
        case "ts":
          mutated[1] = event.ts + 1 + (edits[0]!.at % 1000);
          break;
        case "type":
          mutated[2] = applyEdit(event.type, edits[0]!);
          break;
        case "checksum":
          mutated[4] = (checksum ^ (1 + (edits[0]!.at % 0xffff))) >>> 0;
          break;
        default:
          mutated[0] = seq + 1 + (edits[0]!.at % 10);
      }
      const checked = new ChainVerifier(prev >>> 0, seq).check(...mutated);
      const unchanged = mutated.every((v, i) => v === record[i]);
      if (unchanged) assert.deepStrictEqual(checked, event);
      else assert.equal(typeof checked, "string", `a changed record was accepted: ${JSON.stringify(mutated.map(String))}`);
      // The codec alone, without the checksum: a value or JOURNAL_CORRUPT, never a crash.
      decodesTo(() => decodeEvent(mutated[3] as string));
    }),
    { numRuns: RUNS * 3 },
  );
});

test("an intact record reads back as exactly its event, whatever the chain position (property)", () => {
  fc.assert(
    fc.property(sample, fc.nat(), fc.integer({ min: 1, max: 2 ** 40 }), (event, prev, seq) => {
      const payload = encodeEvent(event);
      const checked = new ChainVerifier(prev >>> 0, seq).check(seq, event.ts, event.type, payload, recordChecksum(prev >>> 0, seq, payload));
      assert.deepStrictEqual(checked, event);
    }),
    { numRuns: RUNS },
  );
});
