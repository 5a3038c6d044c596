import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSimCliArgs } from "../../../src/simulator/bybit/cli-args.ts";
import { FaultState, NO_FAULTS, parseFaults } from "../../../src/simulator/shared/faults.ts";
import { RateLimiter } from "../../../src/simulator/bybit/rate-limit.ts";
import { isHeanError } from "../../../src/core/errors.ts";

describe("fault specs", () => {
  it("parses per-channel and uniform latency, counts and one-shots", () => {
    const parsed = parseFaults({ latencyMs: { rest: 50 }, jitterMs: 10, http5xx: 2, bookRestart: true });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.spec.latencyMs, { rest: 50, public: 0, private: 0 });
    assert.deepEqual(parsed.spec.jitterMs, { rest: 10, public: 10, private: 10 });
    assert.equal(parsed.spec.http5xx, 2);
    assert.equal(parsed.spec.bookRestart, true);
  });

  it("refuses unknown keys, negative or unbounded values", () => {
    for (const bad of [{ latncyMs: 5 }, { http5xx: -1 }, { stalePublicMs: 10_000_000 }, { latencyMs: { disk: 1 } }, { bookRestart: "yes" }, [], null]) {
      assert.equal(parseFaults(bad).ok, false, JSON.stringify(bad));
    }
  });

  it("{} and {reset:true} mean no faults", () => {
    assert.deepEqual(parseFaults({}), { ok: true, spec: NO_FAULTS });
    assert.deepEqual(parseFaults({ reset: true }), { ok: true, spec: NO_FAULTS });
  });

  it("counters run down and a new set replaces the old one", () => {
    const state = new FaultState(1);
    const parsed = parseFaults({ http5xx: 2, stalePublicMs: 100 });
    assert.ok(parsed.ok);
    state.apply(parsed.spec, 1000);
    assert.equal(state.take("http5xx"), true);
    assert.equal(state.take("http5xx"), true);
    assert.equal(state.take("http5xx"), false);
    assert.equal(state.isPublicStale(1099), true);
    assert.equal(state.isPublicStale(1100), false);
    state.apply(parsed.spec, 2000);
    state.clear(2000);
    assert.equal(state.take("http5xx"), false);
    assert.equal(state.isPublicStale(2001), false);
  });

  it("jitter stays within [latency, latency + jitter]", () => {
    const state = new FaultState(7);
    const parsed = parseFaults({ latencyMs: 20, jitterMs: 5 });
    assert.ok(parsed.ok);
    state.apply(parsed.spec, 0);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = state.delayMs("rest");
      assert.ok(d >= 20 && d <= 25, String(d));
      seen.add(d);
    }
    assert.ok(seen.size > 1);
  });
});

describe("rate limiter", () => {
  it("allows the budget per rolling second, then refuses with exhausted headers", () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 10; i++) {
      const v = limiter.take("key", "/v5/order/create", 1000 + i);
      assert.equal(v.allowed, true);
      assert.equal(v.headers["X-Bapi-Limit"], "10");
      assert.equal(v.headers["X-Bapi-Limit-Status"], String(9 - i));
    }
    const refused = limiter.take("key", "/v5/order/create", 1500);
    assert.equal(refused.allowed, false);
    assert.equal(refused.headers["X-Bapi-Limit-Status"], "0");
    assert.equal(refused.headers["X-Bapi-Limit-Reset-Timestamp"], "2000");
    assert.equal(limiter.take("key", "/v5/order/create", 2000).allowed, true);
    assert.equal(limiter.take("other", "/v5/order/create", 1500).allowed, true);
  });
});

describe("sim CLI arguments", () => {
  it("parses the documented flags and fault flags", () => {
    const o = parseSimCliArgs(["--port", "0", "--seed", "42", "--api-key", "k", "--api-secret", "s", "--scenario", "trend", "--balance", "5000", "--latency-rest-ms", "30", "--http5xx=2"]);
    assert.equal(o.port, 0);
    assert.equal(o.seed, 42);
    assert.equal(o.scenario, "trend");
    assert.equal(o.startingBalance, "5000");
    assert.equal(o.faults?.latencyMs.rest, 30);
    assert.equal(o.faults?.latencyMs.public, 0);
    assert.equal(o.faults?.http5xx, 2);
  });

  it("refuses missing keys, unknown flags and bad numbers with CLI_USAGE", () => {
    for (const argv of [
      ["--port", "0", "--seed", "1", "--api-secret", "s"],
      ["--port", "0", "--seed", "1", "--api-key", "k", "--api-secret", "s", "--bogus", "1"],
      ["--port", "x", "--seed", "1", "--api-key", "k", "--api-secret", "s"],
      ["--port", "0", "--seed", "1", "--api-key", "k", "--api-secret", "s", "--faults", "{bad"],
    ]) {
      assert.throws(() => parseSimCliArgs(argv), (e) => isHeanError(e, "CLI_USAGE"), argv.join(" "));
    }
  });
});
