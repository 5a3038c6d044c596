import assert from "node:assert/strict";
import { test } from "node:test";
import { HeanError } from "../../src/core/errors.ts";
import { DEFAULT_MAX_EXECUTIONS, DEFAULT_MAX_TERMINAL_ORDERS } from "../../src/venues/sim/matching/matching-engine.ts";
import { bareEngine, limit, market } from "./helpers.ts";

/** `rounds` round trips: b rests a sell, a takes it; every order ends filled, two executions each. */
function trade(engine: ReturnType<typeof bareEngine>["engine"], rounds: number, from = 0): void {
  for (let i = from; i < from + rounds; i++) {
    assert.ok(engine.place(limit("b", "sell", "1", "101", { clientOrderId: `s${i}` })).ok);
    assert.ok(engine.place(market("a", "buy", "1", { clientOrderId: `m${i}` })).ok);
  }
}

test("an account keeps its open orders, the newest ended orders and executions up to the caps, and counts all", () => {
  const { engine } = bareEngine({ maxTerminalOrders: 5, maxExecutions: 4 });
  assert.ok(engine.place(limit("a", "buy", "1", "90", { clientOrderId: "keep" })).ok);
  trade(engine, 20);

  const history = engine.orderHistory("a");
  assert.deepEqual(
    history.map((o) => o.clientOrderId),
    ["m19", "m18", "m17", "m16", "m15", "keep"],
    "newest first: the five newest ended orders, and the open one however old",
  );
  assert.deepEqual(
    engine.executions("a").map((e) => e.clientOrderId),
    ["m16", "m17", "m18", "m19"],
  );
  assert.deepEqual(engine.totals("a"), { orders: 21, executions: 20 });
  assert.equal(engine.order({ account: "a", clientOrderId: "m0" }), undefined);
  assert.equal(engine.orderByClientId("a", "m0"), undefined);
  assert.equal(engine.openOrders("a")[0]?.clientOrderId, "keep");
  assert.equal(engine.order({ account: "a", clientOrderId: "m19" })?.status, "filled");
});

test("a duplicate of an open order is refused however many orders ended since; a forgotten ended one is not", () => {
  for (const scope of ["all", "open"] as const) {
    const { engine } = bareEngine({ maxTerminalOrders: 5, clientOrderIdScope: scope });
    assert.ok(engine.place(limit("a", "buy", "1", "90", { clientOrderId: "keep" })).ok);
    trade(engine, 20);
    const again = engine.place(limit("a", "buy", "1", "90", { clientOrderId: "keep" }));
    assert.ok(!again.ok && again.rejection.code === "DUPLICATE_CLIENT_ORDER_ID", scope);
    // A kept ended order's id: refused where the venue refuses it against every order.
    assert.equal(engine.place(limit("a", "buy", "1", "90", { clientOrderId: "m19" })).ok, scope === "open", scope);
    // Forgotten, as a venue forgets its old history: hean never sends an id twice (test/engine/client-id-uniqueness.test.ts).
    assert.ok(engine.place(limit("a", "buy", "1", "90", { clientOrderId: "m0" })).ok, scope);
  }
});

test("the order history and executions stay at the caps over a long run, with the default caps", () => {
  const { engine } = bareEngine();
  const rounds = DEFAULT_MAX_EXECUTIONS + 1_000;
  trade(engine, rounds);
  assert.equal(engine.orderHistory("a").length, DEFAULT_MAX_TERMINAL_ORDERS);
  assert.equal(engine.orderHistory("b").length, DEFAULT_MAX_TERMINAL_ORDERS);
  assert.equal(engine.executions("a").length, DEFAULT_MAX_EXECUTIONS);
  assert.deepEqual(engine.totals("a"), { orders: rounds, executions: rounds });
  // Restored ids and the venue id sequence are unaffected by forgetting.
  const placed = engine.place(limit("a", "buy", "1", "90"));
  assert.ok(placed.ok);
  assert.equal(engine.order({ account: "a", orderId: placed.order.orderId })?.status, "new");
});

test("the caps must be positive integers", () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    for (const option of ["maxTerminalOrders", "maxExecutions"] as const) {
      assert.throws(
        () => bareEngine({ [option]: bad }),
        (e: unknown) => e instanceof HeanError && e.code === "CONFIG_INVALID" && e.message.includes(option),
        `${option}=${bad}`,
      );
    }
  }
});
