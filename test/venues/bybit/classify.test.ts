/** The outcome policy: what each answer means for an order, a retry and the breaker. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyAnswer, classifyRetCode } from "../../../src/venues/bybit/classify.ts";
import { classifyTransport } from "../../../src/venues/live/outcome.ts";

test("no answer at all (timeout, reset) is unknown, retryable, a breaker failure", () => {
  const t = classifyTransport(new Error("aborted"), true);
  assert.deepEqual([t.outcome, t.retryable, t.breakerFailure, t.code], ["unknown", true, true, "TIMEOUT"]);
  const r = classifyTransport(Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }), false);
  assert.equal(r.outcome, "unknown");
  assert.match(r.message, /other side closed/);
});

test("HTTP 5xx and unreadable bodies are unknown; 429/403 refused and rate-limited; other 4xx refused", () => {
  assert.equal(classifyAnswer(503, undefined).outcome, "unknown");
  assert.equal(classifyAnswer(200, undefined).outcome, "unknown");
  const limited = classifyAnswer(429, { retCode: 10006, retMsg: "Too many visits!" });
  assert.deepEqual([limited.outcome, limited.rateLimited, limited.breakerFailure], ["rejected", true, true]);
  assert.equal(classifyAnswer(403, undefined).rateLimited, true);
  const notFound = classifyAnswer(404, { retCode: 10017, retMsg: "Route not found." });
  assert.deepEqual([notFound.outcome, notFound.breakerFailure], ["rejected", false]);
});

test("retCodes: business refusals are definitive, server trouble and unknown system codes are unknown", () => {
  for (const code of [10001, 10003, 10004, 10005, 110001, 110003, 110007, 110017, 110072, 110094, 170213]) {
    assert.equal(classifyRetCode(code, "x").outcome, "rejected", String(code));
  }
  for (const code of [10000, 10016, 10019, 12345]) assert.equal(classifyRetCode(code, "x").outcome, "unknown", String(code));
  assert.equal(classifyRetCode(10016, "Server error.").breakerFailure, true);
  assert.equal(classifyRetCode(12345, "?").breakerFailure, false);
  assert.equal(classifyRetCode(10006, "Too many visits!").rateLimited, true);
  assert.equal(classifyRetCode(10002, "time").clockSkew, true);
  assert.equal(classifyRetCode(0, "OK").outcome, "ok");
  assert.equal(classifyRetCode(110007, "x").code, "BYBIT_110007");
});
