import { test } from "node:test";
import assert from "node:assert/strict";
import { SignalContextCounter, readSignalContext } from "../../src/risk/signal-context.ts";

const good = { prediction: { confidence: 0.7, direction: "up" } };

/** Like Python's MagicMock: every property is another mock, callable, never a plain value. */
function magicMock(): unknown {
  const target = function () {};
  return new Proxy(target, {
    get: () => magicMock(),
    apply: () => magicMock(),
  });
}

const throwingProxy = new Proxy(
  {},
  {
    get() {
      throw new Error("boom");
    },
    has() {
      throw new Error("boom");
    },
    ownKeys() {
      throw new Error("boom");
    },
    getPrototypeOf() {
      throw new Error("boom");
    },
  },
);

function revoked(): unknown {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const hostile = {
  valueOf() {
    throw new Error("valueOf");
  },
  toString() {
    throw new Error("toString");
  },
  [Symbol.toPrimitive]() {
    throw new Error("toPrimitive");
  },
};

test("a well-formed prediction is read", () => {
  const r = readSignalContext(good);
  assert.deepEqual(r, { prediction: { confidence: 0.7, direction: "up" }, problems: [] });
  assert.deepEqual(readSignalContext({ prediction: { confidence: 0, direction: "down" } }).prediction, { confidence: 0, direction: "down" });
  assert.deepEqual(readSignalContext({ prediction: { confidence: 1, direction: "up" }, other: 5 }).prediction, { confidence: 1, direction: "up" });
});

test("no context, or a context without a prediction, is absent without problems", () => {
  for (const c of [undefined, null, {}, { prediction: undefined }, { prediction: null }, { other: "x" }]) {
    assert.deepEqual(readSignalContext(c), { problems: [] });
  }
});

test("hostile inputs are absent, with a problem, and never throw", () => {
  const cases: [string, unknown, RegExp][] = [
    ["a Proxy whose every trap throws (as the context)", throwingProxy, /prediction: reading it threw/],
    ["a Proxy whose every trap throws (as the prediction)", { prediction: throwingProxy }, /prediction\.confidence: reading it threw/],
    ["a revoked Proxy (as the context)", revoked(), /prediction: reading it threw/],
    ["a revoked Proxy (as the prediction)", { prediction: revoked() }, /prediction/],
    ["a MagicMock-like context", magicMock(), /prediction: is function, not an object/],
    ["a MagicMock-like prediction", { prediction: { confidence: magicMock(), direction: magicMock() } }, /prediction\.confidence: is function, not a number/],
    ["a getter that throws", { get prediction() { throw new Error("startup"); } }, /prediction: reading it threw/],
    ["a confidence getter that throws", { prediction: { get confidence() { throw new Error("x"); }, direction: "up" } }, /prediction\.confidence: reading it threw/],
    ["valueOf/toString that throw as confidence", { prediction: { confidence: hostile, direction: "up" } }, /prediction\.confidence: is object, not a number/],
    ["valueOf/toString that throw as direction", { prediction: { confidence: 0.5, direction: hostile } }, /prediction\.direction: is object, not a string/],
    ["NaN", { prediction: { confidence: Number.NaN, direction: "up" } }, /not a finite number/],
    ["Infinity", { prediction: { confidence: Number.POSITIVE_INFINITY, direction: "up" } }, /not a finite number/],
    ["a number as a string", { prediction: { confidence: "0.7", direction: "up" } }, /prediction\.confidence: is string, not a number/],
    ["a boxed number", { prediction: { confidence: new Number(0.7), direction: "up" } }, /is object, not a number/],
    ["a bigint", { prediction: { confidence: 1n, direction: "up" } }, /is bigint, not a number/],
    ["out of range", { prediction: { confidence: 1.2, direction: "up" } }, /outside 0\.\.1/],
    ["negative", { prediction: { confidence: -0.1, direction: "up" } }, /outside 0\.\.1/],
    ["an unknown direction", { prediction: { confidence: 0.5, direction: "sideways" } }, /prediction\.direction: is not "up" or "down"/],
    ["a direction of the wrong type", { prediction: { confidence: 0.5, direction: 1 } }, /prediction\.direction: is number, not a string/],
    ["a partial prediction (no direction)", { prediction: { confidence: 0.5 } }, /prediction\.direction: missing/],
    ["a partial prediction (null confidence)", { prediction: { confidence: null, direction: "up" } }, /prediction\.confidence: missing/],
    ["a prediction that is a string", { prediction: "up" }, /prediction: is string, not an object/],
    ["a prediction that is an array", { prediction: [0.7, "up"] }, /prediction: is array, not an object/],
    ["a context that is a number", 42, /context: is number, not an object/],
    ["a context that is a string", "{\"prediction\":1}", /context: is string, not an object/],
    ["a context that is a symbol", Symbol("x"), /context: is symbol, not an object/],
  ];
  for (const [name, context, problem] of cases) {
    let r: ReturnType<typeof readSignalContext> | undefined;
    assert.doesNotThrow(() => {
      r = readSignalContext(context);
    }, name);
    assert.equal(r!.prediction, undefined, name);
    assert.ok(r!.problems.length > 0, `${name}: no problem reported`);
    assert.ok(r!.problems.some((p) => problem.test(p)), `${name}: ${JSON.stringify(r!.problems)} does not match ${problem}`);
  }
});

test("nested nulls all the way down are absent", () => {
  assert.deepEqual(readSignalContext({ prediction: { confidence: null, direction: null } }).prediction, undefined);
  assert.deepEqual(readSignalContext({ prediction: Object.create(null) }).problems, ["prediction.confidence: missing", "prediction.direction: missing"]);
});

test("a prototype-less context and an inherited prediction both read plainly", () => {
  const bare = Object.assign(Object.create(null) as object, good);
  assert.deepEqual(readSignalContext(bare).prediction, { confidence: 0.7, direction: "up" });
  const inherited = Object.create(good) as object;
  assert.deepEqual(readSignalContext(inherited).prediction, { confidence: 0.7, direction: "up" });
});

test("the counter counts usable, absent and rejected contexts and their problems", () => {
  const counter = new SignalContextCounter();
  counter.read(good);
  counter.read(undefined);
  counter.read({});
  counter.read({ prediction: { confidence: "0.7", direction: "up" } });
  counter.read({ prediction: { confidence: "0.9", direction: "down" } });
  counter.read(throwingProxy);
  assert.deepEqual(counter.counts(), {
    read: 6,
    usable: 1,
    absent: 2,
    rejected: 3,
    problems: {
      "prediction.confidence: is string, not a number": 2,
      "prediction: reading it threw": 1,
    },
  });
});
