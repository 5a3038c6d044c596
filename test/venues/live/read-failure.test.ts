import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyNotSent } from "../../../src/venues/live/outcome.ts";
import { readFailure } from "../../../src/venues/live/rest-client.ts";

// Chaos seeds 9037/9045 (Binance): a restart during a 5xx burst found the breaker open and the
// boot's account check failed for good (VENUE_REJECTED) instead of waiting the burst out.
test("a read held back here (breaker open, rate held) is the venue unavailable for now, never a refusal", () => {
  const held = classifyNotSent("VENUE_CIRCUIT_OPEN", "the venue circuit breaker is open");
  const e = readFailure("GET /fapi/v1/positionSide/dual", "/fapi/v1/positionSide/dual", held, false);
  assert.equal(e.code, "VENUE_UNAVAILABLE");
  assert.match(e.message, /VENUE_CIRCUIT_OPEN/);
});

test("a definitive refusal the venue sent stays VENUE_REJECTED", () => {
  const refused = classifyNotSent("-1102", "mandatory parameter missing");
  assert.equal(readFailure("GET /x", "/x", refused, true).code, "VENUE_REJECTED");
});
