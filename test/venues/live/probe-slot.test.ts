/**
 * The breaker's half-open probe slot is taken by whichever non-essential request is admitted
 * first. When our own limiter then holds that request back (it never leaves), the slot must come
 * back: otherwise the breaker waits forever for a verdict no request will bring, and only
 * essential requests (cancels) reach the venue.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { DEFAULT_LIVE_TUNING } from "../../../src/config/venue-config.ts";
import { CircuitBreaker } from "../../../src/venues/live/circuit-breaker.ts";
import { RateLimiter } from "../../../src/venues/live/rate-limiter.ts";
import { LiveRestClient, type RestDialect } from "../../../src/venues/live/rest-client.ts";
import { ServerTime } from "../../../src/venues/live/server-time.ts";

const unreachable = (): never => {
  throw new Error("nothing may be sent in this test");
};

test("a request that took the half-open probe slot and was held by our limiter gives the slot back", async () => {
  const clock = new SimClock(1_700_000_000_000);
  const breaker = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 1_000, maxOpenMs: 8_000, onChange: () => undefined });
  // One request per minute on the read scope: the second is held far longer than it may wait.
  const limiter = new RateLimiter(clock, () => 0.5, { scopeOf: () => ({ scope: "read", rule: { limit: 1, windowMs: 60_000 } }), safety: 1 });
  const dialect: RestDialect = {
    limitKey: (method, path) => `${method} ${path}`,
    prepare: unreachable,
    interpret: unreachable,
    observe: unreachable,
    gatewayWide: () => false,
    timePath: "/time",
  };
  const client = new LiveRestClient({ baseUrl: "http://127.0.0.1:9", dialect, clock, time: new ServerTime(clock), limiter, breaker, tuning: DEFAULT_LIVE_TUNING, random: () => 0.5 });
  limiter.record("GET /account");
  breaker.failure("a 5xx");
  assert.equal(breaker.state, "open");
  clock.advance(1_000);
  assert.equal(breaker.state, "half-open");

  const held = await client.send("GET", "/account", {}, { signed: true, timeoutMs: 1_000, maxWaitMs: 100, admission: "normal" });
  assert.equal(held.sent, false);
  assert.equal(held.classified.code, "VENUE_RATE_LIMITED");
  // The slot is free again: the breaker's own probe (or the next request) may go.
  assert.equal(breaker.admit("probe"), true, "the probe slot was given back");
  assert.equal(breaker.admit("normal"), false, "one probe at a time");
});

test("a stopped breaker arms no cooldown: a request that fails after the stop cannot start a probe chain", () => {
  const clock = new SimClock(1_700_000_000_000);
  let probes = 0;
  const breaker = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 1_000, maxOpenMs: 8_000, onChange: () => undefined, onProbe: () => probes++ });
  breaker.stop();
  // A request that was in flight at the stop fails afterwards.
  breaker.failure("ECONNREFUSED");
  assert.equal(breaker.state, "open", "the failure is still reported");
  clock.advance(60_000);
  assert.equal(probes, 0, "no half-open probe after the stop");
  assert.equal(breaker.state, "open");
});
