import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { DEFAULT_EXECUTION_CONFIG, validateExecutionConfig } from "../../src/execution/router/config.ts";

test("execution defaults: maker first, 15 bps fallback bound; --set overrides a single key", () => {
  const c = loadConfig({});
  assert.deepEqual(c.execution, DEFAULT_EXECUTION_CONFIG);
  assert.equal(c.execution.urgency, "normal");
  assert.equal(c.execution.fallbackSlippageBps, 15);
  const o = loadConfig({ overrides: ["execution.urgency=immediate", "execution.ttl.maxMs=20000", "execution.makerOffsetTicks=-3"] });
  assert.equal(o.execution.urgency, "immediate");
  assert.equal(o.execution.ttl.maxMs, 20_000);
  assert.equal(o.execution.ttl.minMs, DEFAULT_EXECUTION_CONFIG.ttl.minMs);
  assert.equal(o.execution.makerOffsetTicks, -3);
});

test("bad execution settings fail with the path and the value", () => {
  const bad: [string, RegExp][] = [
    ["execution.urgency=urgent", /execution\.urgency must be one of passive, normal, immediate/],
    ["execution.maxReprices=1.5", /execution\.maxReprices must be an integer/],
    ["execution.maxReprices=-1", /execution\.maxReprices/],
    ["execution.fallbackSlippageBps=0", /execution\.fallbackSlippageBps/],
    ["execution.ttl.minMs=9000", /execution\.ttl\.maxMs must be a number from 9000/],
    ["execution.ttl.baseMs=100", /execution\.ttl\.baseMs must be a number from 250 to 8000/],
    ["execution.makerOffsetTicks=\"2\"", /execution\.makerOffsetTicks must be an integer/],
    ["execution.colour=blue", /unknown config key "execution\.colour"/],
    // A null is a bad value, never the default it replaces.
    ["execution=null", /config execution must be an object, got null/],
    ["execution=3", /config execution must be an object, got 3/],
    ["execution.ttl=null", /config execution\.ttl must be an object, got null/],
    ["execution.urgency=null", /execution\.urgency must be one of passive, normal, immediate, got null/],
    ["execution.ttl.maxMs=null", /execution\.ttl\.maxMs must be a number .*got null/],
  ];
  for (const [set, pattern] of bad) assert.throws(() => loadConfig({ overrides: [set] }), pattern, set);
  assert.throws(() => validateExecutionConfig({ ttl: { minMs: 1, maxMs: 2, baseMs: 2, extra: 1 } }), /unknown config key "execution\.ttl\.extra"/);
  assert.throws(() => validateExecutionConfig([]), /execution must be an object/);
});
