import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { type OrderStatus, type OrderTrigger, TERMINAL, TRANSITIONS, WORKING, nextStatus } from "../../src/engine/order-state.ts";

const STATUSES: readonly OrderStatus[] = [
  "PENDING_SUBMIT",
  "SUBMITTED",
  "UNKNOWN",
  "ACCEPTED",
  "PARTIALLY_FILLED",
  "PENDING_CANCEL",
  "FILLED",
  "CANCELLED",
  "REJECTED",
  "EXPIRED",
];

const TRIGGERS: readonly OrderTrigger[] = [
  "submitted",
  "accepted",
  "rejected",
  "unknown",
  "cancel-requested",
  "cancel-rejected",
  "cancelled",
  "expired",
  "partial-fill",
  "full-fill",
];

/**
 * The legal transitions written out by hand, independently of the table: `status trigger → next`.
 * "restore" rows are spelled per fill state: [without fills, with fills].
 */
const EXPECTED: Readonly<Record<string, OrderStatus | readonly [OrderStatus, OrderStatus]>> = {
  "PENDING_SUBMIT submitted": "SUBMITTED",
  "PENDING_SUBMIT rejected": "REJECTED",
  "PENDING_SUBMIT unknown": "UNKNOWN",
  "PENDING_SUBMIT partial-fill": "PARTIALLY_FILLED",
  "PENDING_SUBMIT full-fill": "FILLED",

  "SUBMITTED accepted": "ACCEPTED",
  "SUBMITTED rejected": "REJECTED",
  "SUBMITTED unknown": "UNKNOWN",
  "SUBMITTED partial-fill": "PARTIALLY_FILLED",
  "SUBMITTED full-fill": "FILLED",
  "SUBMITTED cancelled": "CANCELLED",
  "SUBMITTED expired": "EXPIRED",
  "SUBMITTED cancel-requested": "PENDING_CANCEL",

  "UNKNOWN submitted": "SUBMITTED",
  "UNKNOWN unknown": "UNKNOWN",
  "UNKNOWN accepted": "ACCEPTED",
  "UNKNOWN rejected": "REJECTED",
  "UNKNOWN partial-fill": "PARTIALLY_FILLED",
  "UNKNOWN full-fill": "FILLED",
  "UNKNOWN cancelled": "CANCELLED",
  "UNKNOWN expired": "EXPIRED",
  "UNKNOWN cancel-requested": "PENDING_CANCEL",

  "ACCEPTED accepted": "ACCEPTED",
  "ACCEPTED partial-fill": "PARTIALLY_FILLED",
  "ACCEPTED full-fill": "FILLED",
  "ACCEPTED cancel-requested": "PENDING_CANCEL",
  "ACCEPTED cancelled": "CANCELLED",
  "ACCEPTED expired": "EXPIRED",

  "PARTIALLY_FILLED accepted": "PARTIALLY_FILLED",
  "PARTIALLY_FILLED partial-fill": "PARTIALLY_FILLED",
  "PARTIALLY_FILLED full-fill": "FILLED",
  "PARTIALLY_FILLED cancel-requested": "PENDING_CANCEL",
  "PARTIALLY_FILLED cancelled": "CANCELLED",
  "PARTIALLY_FILLED expired": "EXPIRED",

  "PENDING_CANCEL rejected": "REJECTED",
  "PENDING_CANCEL unknown": "PENDING_CANCEL",
  "PENDING_CANCEL accepted": "PENDING_CANCEL",
  "PENDING_CANCEL cancel-requested": "PENDING_CANCEL",
  "PENDING_CANCEL cancel-rejected": ["ACCEPTED", "PARTIALLY_FILLED"],
  "PENDING_CANCEL partial-fill": "PENDING_CANCEL",
  "PENDING_CANCEL full-fill": "FILLED",
  "PENDING_CANCEL cancelled": "CANCELLED",
  "PENDING_CANCEL expired": "EXPIRED",

  // Fills that raced a cancel or an expiry are kept; the order stays terminal.
  "CANCELLED partial-fill": "CANCELLED",
  "CANCELLED full-fill": "CANCELLED",
  "EXPIRED partial-fill": "EXPIRED",
  "EXPIRED full-fill": "EXPIRED",
};

describe("order state machine", () => {
  test("the table has exactly the hand-written legal transitions", () => {
    const fromTable: string[] = [];
    for (const s of STATUSES) for (const t of Object.keys(TRANSITIONS[s])) fromTable.push(`${s} ${t}`);
    assert.deepEqual(fromTable.sort(), Object.keys(EXPECTED).sort());
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...STATUSES].sort());
  });

  for (const status of STATUSES) {
    for (const trigger of TRIGGERS) {
      const expected = EXPECTED[`${status} ${trigger}`];
      if (expected !== undefined) {
        test(`${status} --${trigger}--> ${typeof expected === "string" ? expected : expected.join("|")}`, () => {
          const [withoutFills, withFills] = typeof expected === "string" ? [expected, expected] : expected;
          assert.equal(nextStatus("ord-1", status, trigger, false), withoutFills);
          assert.equal(nextStatus("ord-1", status, trigger, true), withFills);
        });
      } else {
        test(`${status} --${trigger}--> illegal`, () => {
          for (const hasFills of [false, true]) {
            assert.throws(
              () => nextStatus("ord-xyz", status, trigger, hasFills),
              (e: unknown) => {
                assert.ok(isHeanError(e, "ORDER_TRANSITION"), String(e));
                assert.match(e.message, /ord-xyz/);
                assert.ok(e.message.includes(status), e.message);
                assert.ok(e.message.includes(trigger), e.message);
                assert.equal(e.context["clientOrderId"], "ord-xyz");
                assert.equal(e.context["status"], status);
                assert.equal(e.context["trigger"], trigger);
                assert.deepEqual(e.context["legal"], Object.keys(TRANSITIONS[status]));
                return true;
              },
            );
          }
        });
      }
    }
  }

  test("terminal states accept nothing but late fills, and FILLED/REJECTED nothing at all", () => {
    for (const s of TERMINAL) {
      for (const t of TRIGGERS) {
        const legal = TRANSITIONS[s][t] !== undefined;
        const lateFill = (s === "CANCELLED" || s === "EXPIRED") && (t === "partial-fill" || t === "full-fill");
        assert.equal(legal, lateFill, `${s} ${t}`);
        if (legal) assert.equal(nextStatus("o", s, t, true), s);
      }
    }
  });

  test("WORKING and TERMINAL partition the statuses", () => {
    for (const s of STATUSES) assert.notEqual(WORKING.has(s), TERMINAL.has(s), s);
    assert.equal(WORKING.size + TERMINAL.size, STATUSES.length);
  });

  test("every status is reachable from PENDING_SUBMIT", () => {
    const seen = new Set<OrderStatus>(["PENDING_SUBMIT"]);
    const queue: OrderStatus[] = ["PENDING_SUBMIT"];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const t of TRIGGERS) {
        for (const hasFills of [false, true]) {
          let next: OrderStatus;
          try {
            next = nextStatus("o", s, t, hasFills);
          } catch {
            continue;
          }
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...STATUSES].sort());
  });
});
