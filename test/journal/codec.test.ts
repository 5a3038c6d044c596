import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { dec, format, type Dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { ALL_EVENT_TYPES, type HeanEvent } from "../../src/core/events.ts";
import { decodeEvent, decodeValue, encodeEvent, encodeValue, toPlain } from "../../src/journal/codec.ts";
import { formatDecimalText, parseDecimalText } from "../../src/journal/decimal-text.ts";
import { SAMPLES } from "./samples.ts";

test("every event type in the catalogue has a sample and round-trips exactly", () => {
  for (const type of ALL_EVENT_TYPES) {
    const event = SAMPLES[type];
    assert.ok(event !== undefined, `no sample for ${type}`);
    assert.equal(event.type, type);
    const text = encodeEvent(event);
    assert.equal(typeof text, "string");
    assert.deepStrictEqual(decodeEvent(text), event, type);
  }
});

test("decimals are written as {$d: format(value)}", () => {
  const text = encodeEvent(SAMPLES["order.filled"]);
  const raw = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(raw["price"], { $d: "64123.5" });
  assert.deepEqual(raw["qty"], { $d: "0.000000000000000001" });
  assert.deepEqual(raw["fee"], { $d: "-0.000123456789012345" });
});

test("objects that own $d or $o keys are data, not markers", () => {
  const decoded = decodeEvent(encodeEvent(SAMPLES.alert)) as typeof SAMPLES.alert;
  assert.equal(decoded.context["$d"], "1.5");
  assert.deepEqual(decoded.context["$o"], [["a", 1]]);
  assert.deepEqual(decoded.context["list"], [dec("-1"), { $d: "x" }]);
  assert.deepEqual(decodeValue(encodeValue({ $d: 5n })), { $d: 5n });
});

test("snapshot values round-trip, including a bare Dec and nested arrays", () => {
  for (const value of [dec("-0.5"), [dec("1"), [dec("2")]], { a: { b: [null, true, "x", 1.5] } }, null, "text", 0]) {
    assert.deepStrictEqual(decodeValue(encodeValue(value)), value);
  }
});

test("values JSON would silently change are refused with EVENT_INVALID and a path", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic["self"] = cyclic;
  const cases: [unknown, string][] = [
    [{ a: Number.NaN }, "$.a"],
    [{ a: [1, undefined] }, "$.a[1]"],
    [{ a: new Date(0) }, "$.a"],
    [{ a: new Map() }, "$.a"],
    [{ a: () => 1 }, "$.a"],
    [{ a: Symbol("s") }, "$.a"],
    [{ b: { c: Number.POSITIVE_INFINITY } }, "$.b.c"],
    [cyclic, "$.self"],
  ];
  for (const [value, path] of cases) {
    assert.throws(
      () => encodeValue(value),
      (e: unknown) => isHeanError(e, "EVENT_INVALID") && (e.context["path"] as string).startsWith(path),
      `should refuse ${path}`,
    );
  }
});

test("undefined optional fields are dropped (same meaning on decode)", () => {
  const event: HeanEvent = { type: "order.cancelled", ts: 1, clientOrderId: "c", venueOrderId: undefined, reason: "r", postOnlyWouldTake: false };
  const decoded = decodeEvent(encodeEvent(event));
  assert.equal("venueOrderId" in decoded, false);
});

test("encodeEvent refuses non-events, decodeEvent refuses non-events with JOURNAL_CORRUPT", () => {
  assert.throws(() => encodeEvent({ type: "nope", ts: 1 } as unknown as HeanEvent), (e) => isHeanError(e, "EVENT_INVALID"));
  assert.throws(() => encodeEvent({ type: "mark", ts: Number.NaN } as unknown as HeanEvent), (e) => isHeanError(e, "EVENT_INVALID"));
  for (const text of ["", "{", "[]", '{"type":"mark"}', '{"type":"zzz","ts":1}', '{"type":"mark","ts":1,"bid":{"$d":"1.2.3"}}', '{"type":"mark","ts":1,"bid":{"$d":7}}']) {
    assert.throws(() => decodeEvent(text), (e) => isHeanError(e, "JOURNAL_CORRUPT"), text);
  }
});

test("toPlain turns every Dec into its decimal string", () => {
  const plain = toPlain(SAMPLES["position.changed"]) as Record<string, unknown>;
  assert.equal(plain["qty"], "-0.5");
  assert.equal(plain["avgPrice"], "64000.123456789012345678");
  assert.doesNotThrow(() => JSON.stringify(plain));
});

const anyDec = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((v) => v as Dec);

test("the fast decimal text agrees with format and dec on every value (property)", () => {
  fc.assert(
    fc.property(anyDec, (value) => {
      const text = formatDecimalText(value);
      assert.equal(text, format(value));
      assert.equal(parseDecimalText(text), value);
    }),
    { numRuns: 5000 },
  );
  for (const v of [0n, 1n, -1n, 10n ** 18n, -(10n ** 18n), 10n ** 18n - 1n, 123n * 10n ** 17n]) {
    assert.equal(formatDecimalText(v as Dec), format(v as Dec));
  }
});

test("the fast parser agrees with dec on any decimal-looking text, and fails where dec fails (property)", () => {
  const text = fc.oneof(
    fc.stringMatching(/^[+-]?\d{1,25}(\.\d{1,20})?$/),
    fc.stringMatching(/^[-+.\d]{0,8}$/),
    fc.constantFrom("", "-", ".5", "5.", "1e3", " 1", "0x10", "--1", "1.2.3", "007.50"),
  );
  fc.assert(
    fc.property(text, (t) => {
      let expected: bigint | string;
      try {
        expected = dec(t);
      } catch (e) {
        expected = (e as { code: string }).code;
      }
      let actual: bigint | string;
      try {
        actual = parseDecimalText(t);
      } catch (e) {
        actual = (e as { code: string }).code;
      }
      assert.equal(actual, expected, JSON.stringify(t));
    }),
    { numRuns: 5000 },
  );
});
