import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Dec, abs, sub } from "../../src/core/decimal.ts";
import type { EngineEvent } from "../../src/venues/sim/matching/types.ts";
import { bareEngine, fingerprint, fmt, limit, market } from "./helpers.ts";

/** Give `a` a position of `qty` (positive long) by trading with `b`. */
function open(engine: ReturnType<typeof bareEngine>["engine"], qty: string, side: "buy" | "sell" = "buy") {
  engine.place(limit("b", side === "buy" ? "sell" : "buy", qty, "100"));
  const r = engine.place(market("a", side, qty));
  assert.ok(r.ok && r.order.status === "filled");
}

test("reduce-only with no position, or on the side that would add, is rejected and changes nothing", () => {
  const { engine } = bareEngine();
  let before = fingerprint(engine);
  const flat = engine.place(market("a", "sell", "1", { reduceOnly: true }));
  assert.ok(!flat.ok && flat.rejection.code === "REDUCE_ONLY_WOULD_INCREASE");
  assert.equal(fingerprint(engine), before);
  open(engine, "1");
  before = fingerprint(engine);
  const adds = engine.place(limit("a", "buy", "1", "99", { reduceOnly: true }));
  assert.ok(!adds.ok && adds.rejection.code === "REDUCE_ONLY_WOULD_INCREASE");
  assert.equal(fingerprint(engine), before);
});

test("reduce-only qty is capped to the position: it closes and never flips", () => {
  const { engine } = bareEngine();
  open(engine, "1");
  engine.place(limit("c", "buy", "5", "100"));
  const r = engine.place(market("a", "sell", "3", { reduceOnly: true }));
  assert.ok(r.ok);
  assert.equal(fmt(r.order.qty), "1");
  assert.equal(fmt(r.order.filledQty), "1");
  assert.equal(engine.position("a", "TESTUSDT")!.qty, 0n);
});

test("a resting reduce-only order shrinks with the position and is cancelled when it is gone", () => {
  const { engine, events } = bareEngine();
  open(engine, "1.5");
  const first = engine.place(limit("a", "sell", "1", "105", { reduceOnly: true }));
  const second = engine.place(limit("a", "sell", "1", "106", { reduceOnly: true }));
  assert.ok(first.ok && second.ok);
  events.length = 0;
  engine.place(limit("c", "buy", "1", "105"));
  assert.equal(engine.position("a", "TESTUSDT")!.qty, 500000000000000000n);
  const shrunk = engine.order({ account: "a", orderId: second.order.orderId })!;
  assert.equal(fmt(shrunk.qty), "0.5");
  assert.ok(events.some((e) => e.type === "order" && e.change === "amended" && e.order.orderId === second.order.orderId));
  // The position is closed by another (not reduce-only) order: the reduce-only one must go.
  engine.place(limit("c", "buy", "0.5", "100"));
  engine.place(market("a", "sell", "0.5"));
  assert.equal(engine.position("a", "TESTUSDT")!.qty, 0n);
  const gone = engine.order({ account: "a", orderId: second.order.orderId })!;
  assert.equal(gone.status, "cancelled");
  assert.equal(gone.cancelCause, "reduce-only");
  assert.deepEqual(engine.openOrders("a"), []);
});

test("property: no reduce-only execution ever increases or flips a position", () => {
  const op = fc.record({
    account: fc.constantFrom("a", "b", "c"),
    side: fc.constantFrom("buy" as const, "sell" as const),
    lots: fc.integer({ min: 1, max: 30 }),
    ticks: fc.integer({ min: 190, max: 210 }),
    kind: fc.constantFrom("limit", "market", "ioc"),
    reduceOnly: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
      const { engine, events } = bareEngine();
      const reduceOnlyOrders = new Set<string>();
      for (const o of ops) {
        const qty = `${o.lots / 10}`;
        const price = `${o.ticks / 2}`;
        const extra = { reduceOnly: o.reduceOnly };
        const r =
          o.kind === "market"
            ? engine.place(market(o.account, o.side, qty, extra))
            : engine.place(limit(o.account, o.side, qty, price, { ...extra, timeInForce: o.kind === "ioc" ? "IOC" : "GTC" }));
        if (r.ok && o.reduceOnly) reduceOnlyOrders.add(r.order.orderId);
      }
      let last: EngineEvent | undefined;
      for (const e of events) {
        if (e.type === "position" && last?.type === "execution" && reduceOnlyOrders.has(last.execution.orderId)) {
          const x = last.execution;
          const after = e.position.qty;
          const before = sub(after, (x.side === "buy" ? x.qty : -x.qty) as Dec);
          assert.ok(abs(after) < abs(before), "reduced");
          assert.ok(after === 0n || after > 0n === before > 0n, "did not flip");
        }
        last = e;
      }
    }),
    { numRuns: 150 },
  );
});
