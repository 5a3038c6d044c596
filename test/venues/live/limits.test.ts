/** The rate limiter per metered scope and the circuit breaker, on a simulated clock. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { type BreakerState, CircuitBreaker } from "../../../src/venues/live/circuit-breaker.ts";
import { RateLimiter } from "../../../src/venues/live/rate-limiter.ts";
import { bybitScopeOf as scopeOf } from "../../../src/venues/bybit/rate-scopes.ts";

test("scopes follow Bybit's metering: create/cancel 10/s each, other private 50/s, public per IP", () => {
  assert.deepEqual(scopeOf("/v5/order/create"), { scope: "/v5/order/create", rule: { limit: 10, windowMs: 1000 } });
  assert.equal(scopeOf("/v5/order/cancel").scope, "/v5/order/cancel");
  assert.deepEqual(scopeOf("/v5/order/realtime").rule, { limit: 50, windowMs: 1000 });
  assert.equal(scopeOf("/v5/market/time").scope, "public");
});

test("a scope paces itself below its budget; scopes are independent", () => {
  const clock = new SimClock(0);
  const limiter = new RateLimiter(clock, () => 0.5, { scopeOf });
  for (let i = 0; i < 8; i++) {
    assert.equal(limiter.waitMs("/v5/order/create"), 0);
    limiter.record("/v5/order/create");
  }
  assert.equal(limiter.waitMs("/v5/order/create"), 1000, "80 % of 10/s used: wait for the window");
  assert.equal(limiter.waitMs("/v5/order/cancel"), 0);
  clock.advance(1000);
  assert.equal(limiter.waitMs("/v5/order/create"), 0);
});

test("the venue's headers teach it: an exhausted budget holds until the reset time", () => {
  const clock = new SimClock(1_000);
  const limiter = new RateLimiter(clock, () => 0.5, { scopeOf });
  limiter.observe("/v5/order/realtime", 50, 0, 1_700);
  assert.equal(limiter.waitMs("/v5/order/realtime"), 700);
  limiter.observe("/v5/order/create", 4, 3, undefined);
  for (let i = 0; i < 3; i++) limiter.record("/v5/order/create");
  assert.ok(limiter.waitMs("/v5/order/create") > 0, "a lower limit from the headers is honoured");
});

test("refusals back off exponentially; a gateway 429 holds every scope; success ends the streak", () => {
  const clock = new SimClock(0);
  const limiter = new RateLimiter(clock, () => 0.5, { scopeOf });
  const first = limiter.onRefused("/v5/order/create", true);
  const second = limiter.onRefused("/v5/order/create", true);
  assert.ok(second > first, `${second} > ${first}`);
  assert.ok(limiter.waitMs("/v5/position/list") > 0, "a 429 holds every scope");
  assert.ok(limiter.heldUntil > 0);
  clock.advance(second + 1);
  assert.equal(limiter.heldUntil, 0);
  limiter.onAccepted();
  assert.equal(limiter.onRefused("/v5/order/realtime", false), first, "the streak starts over");
  assert.equal(limiter.refusals, 3);
});

test("circuit breaker: opens after consecutive failures, half-opens after the cooldown, one probe closes or re-opens it", () => {
  const clock = new SimClock(0);
  const changes: BreakerState[] = [];
  const openSinceSeen: (number | null)[] = [];
  let probes = 0;
  const b: CircuitBreaker = new CircuitBreaker({
    clock,
    failureThreshold: 3,
    openMs: 100,
    maxOpenMs: 400,
    onChange: (s) => {
      changes.push(s);
      openSinceSeen.push(b.openSince);
    },
    onProbe: () => probes++,
  });
  b.failure("x");
  b.failure("x");
  b.success();
  b.failure("x");
  b.failure("x");
  assert.equal(b.state, "closed", "a success in between resets the count");
  b.failure("x");
  assert.equal(b.state, "open");
  assert.equal(b.openSince, 0);
  assert.equal(b.admit("normal"), false);
  assert.equal(b.admit("essential"), true, "exits and cancels may always try");
  clock.advance(100);
  assert.equal(b.state, "half-open");
  assert.equal(probes, 1);
  assert.equal(b.admit("probe"), true);
  assert.equal(b.admit("normal"), false, "one probe at a time");
  b.failure("probe");
  assert.equal(b.state, "open");
  clock.advance(100);
  assert.equal(b.state, "open", "the cooldown doubled");
  clock.advance(100);
  assert.equal(b.state, "half-open");
  b.admit("probe");
  b.success();
  assert.equal(b.state, "closed");
  assert.equal(b.openSince, null);
  assert.deepEqual(changes, ["open", "half-open", "open", "half-open", "closed"]);
  // Listeners read the state as of the change (risk reads openSince from them).
  assert.deepEqual(openSinceSeen, [0, 0, 0, 0, null]);
});
