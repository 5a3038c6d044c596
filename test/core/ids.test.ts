import assert from "node:assert/strict";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { randomUUID } from "node:crypto";
import { CLIENT_ORDER_ID_MAX, checkClientOrderId, childOrderId, clientOrderId, journalTag, journalTagOf } from "../../src/core/ids.ts";
import { legOrderId, parentOrderId } from "../../src/execution/router/ids.ts";

const VENUE_CHARSET = /^[A-Za-z0-9_-]+$/;

test("a journal's tag is 8 chars of base36, stable per journal id, different between journals", () => {
  const tags = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const journalId = randomUUID();
    const tag = journalTag(journalId);
    assert.match(tag, /^[0-9a-z]{8}$/);
    assert.equal(journalTag(journalId), tag);
    tags.add(tag);
  }
  assert.equal(tags.size, 200);
  assert.equal(journalTag("abcd1234"), "abcd1234", "a short plain id is its own tag");
});

test("intent sequence numbers must be non-negative integers", () => {
  for (const bad of [-1, 1.5, Number.NaN]) assert.throws(() => clientOrderId("abcd1234", bad), (e: unknown) => isHeanError(e, "ORDER_INVALID"));
});

test("client order ids are deterministic, short and in the venue charset", () => {
  const j = "abcd1234";
  assert.equal(clientOrderId(j, 0), "hnabcd12340");
  assert.equal(clientOrderId(j, 35), "hnabcd1234z");
  assert.equal(clientOrderId(j, 36), "hnabcd123410");
  assert.equal(clientOrderId(j, 12345), clientOrderId(j, 12345));
  assert.notEqual(clientOrderId(j, 1), clientOrderId(j, 2));
  assert.notEqual(clientOrderId(j, 1), clientOrderId("abcd1235", 1));
  const big = clientOrderId(randomUUID(), Number.MAX_SAFE_INTEGER);
  assert.ok(big.length <= CLIENT_ORDER_ID_MAX);
  assert.match(big, VENUE_CHARSET);
});

test("distinct sequence numbers give distinct ids", () => {
  const j = randomUUID();
  const seen = new Set<string>();
  for (let i = 0; i < 5_000; i++) seen.add(clientOrderId(j, i));
  assert.equal(seen.size, 5_000);
});

test("child ids extend the parent's id and keep the rules", () => {
  const parent = clientOrderId("abcd1234", 7);
  assert.equal(childOrderId(parent, "m", 1), `${parent}-m1`);
  assert.equal(childOrderId(parent, "t", 12), `${parent}-t12`);
  assert.match(childOrderId(parent, "m", 1), VENUE_CHARSET);
  // A child that would pass 36 characters is refused, never truncated into a collision.
  const longParent = "x".repeat(CLIENT_ORDER_ID_MAX - 2);
  assert.throws(() => childOrderId(longParent, "m", 1), (e: unknown) => isHeanError(e, "ORDER_INVALID"));
});

test("checkClientOrderId enforces length and charset", () => {
  assert.equal(checkClientOrderId("a"), "a");
  assert.equal(checkClientOrderId("A-z_9".padEnd(CLIENT_ORDER_ID_MAX, "0")), "A-z_9".padEnd(CLIENT_ORDER_ID_MAX, "0"));
  for (const bad of ["", "x".repeat(CLIENT_ORDER_ID_MAX + 1), "has space", "dot.ted", "slash/", "ümlaut", "semi;colon"]) {
    assert.throws(
      () => checkClientOrderId(bad),
      (e: unknown) => isHeanError(e, "ORDER_INVALID") && e.context["id"] === bad,
      JSON.stringify(bad),
    );
  }
});

test("the journal tag is read back from every id hean makes, and from no other", () => {
  for (const journalId of ["abcd1234", randomUUID()]) {
    const tag = journalTag(journalId);
    assert.equal(journalTagOf(clientOrderId(journalId, 0)), tag);
    assert.equal(journalTagOf(clientOrderId(journalId, 123_456)), tag);
    assert.equal(journalTagOf(legOrderId(parentOrderId(journalId, 7), "maker", 2)), tag);
  }
  for (const other of ["", "hn", "hnABCD12340", "hnabc", "someone-else-1", "hsl-BTCUSDT-lq2k", "x_hnabcd12340", "web_8f3a2c"]) assert.equal(journalTagOf(other), undefined, other);
});
