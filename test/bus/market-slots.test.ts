/**
 * The market lane's slot queue against a plain model (a Map whose delete-then-set moves a key to the
 * back): for any sequence of enqueues and dequeues both give the same events in the same order.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { FULL, MarketSlots, QUEUED } from "../../src/bus/market-slots.ts";
import { symbolIdOf } from "../../src/core/events.ts";

interface Ev {
  readonly symbol: string;
  readonly n: number;
  readonly symbolId?: number;
}

class Model {
  readonly map = new Map<string, Ev>();
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  enqueue(kind: number, e: Ev): Ev | typeof QUEUED | typeof FULL {
    const key = `${kind}|${e.symbol}`;
    const previous = this.map.get(key);
    if (previous !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
      return previous;
    }
    if (this.map.size >= this.capacity) return FULL;
    this.map.set(key, e);
    return QUEUED;
  }
  dequeue(): Ev | undefined {
    const first = this.map.entries().next();
    if (first.done === true) return undefined;
    this.map.delete(first.value[0]);
    return first.value[1];
  }
}

type Op = { readonly op: "enqueue"; readonly kind: number; readonly symbol: number } | { readonly op: "dequeue" };

const ops = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant("enqueue" as const), kind: fc.integer({ min: 0, max: 1 }), symbol: fc.integer({ min: 0, max: 150 }) }) },
    { weight: 2, arbitrary: fc.constant({ op: "dequeue" as const }) },
  ),
  { maxLength: 600 },
);

describe("market slots", () => {
  test("behave like the delete-then-set Map model, including the bound and growth past 64 slots", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), ops, (capacity, sequence: Op[]) => {
        const slots = new MarketSlots<Ev>(capacity);
        const model = new Model(capacity);
        sequence.forEach((o, n) => {
          if (o.op === "dequeue") {
            assert.deepEqual(slots.dequeue(), model.dequeue());
          } else {
            const e = { symbol: `S${o.symbol}`, n };
            assert.deepEqual(slots.enqueue(o.kind, e), model.enqueue(o.kind, e));
          }
          assert.equal(slots.size, model.map.size);
        });
        for (;;) {
          const expected = model.dequeue();
          assert.deepEqual(slots.dequeue(), expected);
          if (expected === undefined) break;
        }
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  test("symbols named like object properties or numbers get slots of their own", () => {
    const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "0", "1", "-1", "1.5", "", "BTCUSDT"];
    const slots = new MarketSlots<Ev>(100);
    names.forEach((symbol, n) => assert.equal(slots.enqueue(0, { symbol, n }), QUEUED));
    names.forEach((symbol, n) => assert.deepEqual(slots.enqueue(0, { symbol, n: n + 100 }), { symbol, n }));
    assert.deepEqual(
      Array.from(names, () => slots.dequeue()),
      names.map((symbol, n) => ({ symbol, n: n + 100 })),
    );
    assert.equal(slots.dequeue(), undefined);
  });

  test("overwrite swaps a waiting event in place and ignores a slot with nothing waiting", () => {
    const slots = new MarketSlots<Ev>(10);
    slots.enqueue(0, { symbol: "A", n: 1 });
    slots.enqueue(0, { symbol: "B", n: 2 });
    slots.overwrite(0, { symbol: "A", n: 3 });
    slots.overwrite(1, { symbol: "A", n: 4 });
    assert.deepEqual([slots.dequeue(), slots.dequeue(), slots.dequeue()], [{ symbol: "A", n: 3 }, { symbol: "B", n: 2 }, undefined]);
  });

  test("a flood of replacements leaves the ring bounded by the waiting slots, not by the events published", () => {
    const slots = new MarketSlots<Ev>(8);
    // Round-robin over three symbols: every enqueue after the first three replaces a slot that is
    // not last, so each leaves a tombstone behind.
    for (let n = 0; n < 100_000; n++) slots.enqueue(0, { symbol: `S${n % 3}`, n });
    assert.equal(slots.size, 3);
    assert.ok(slots.ringLength <= 64, `ring of ${slots.ringLength}`);
    assert.deepEqual(
      [slots.dequeue(), slots.dequeue(), slots.dequeue(), slots.dequeue()],
      [{ symbol: "S1", n: 99_997 }, { symbol: "S2", n: 99_998 }, { symbol: "S0", n: 99_999 }, undefined],
    );
  });

  test("the ring grows past its first length when that many slots wait, and keeps their order", () => {
    const slots = new MarketSlots<Ev>(1_000);
    for (let n = 0; n < 1_000; n++) assert.equal(slots.enqueue(n & 1, { symbol: `S${n >> 1}`, n }), QUEUED);
    assert.ok(slots.ringLength <= 4_096, `ring of ${slots.ringLength}`);
    for (let n = 0; n < 1_000; n++) assert.equal(slots.dequeue()?.n, n);
    assert.equal(slots.dequeue(), undefined);
  });

  test("a stamped symbolId shares the slot of its symbol; one that names another symbol, or none, is ignored", () => {
    const slots = new MarketSlots<Ev>(10);
    const a = symbolIdOf("STAMP-A");
    const b = symbolIdOf("STAMP-B");
    assert.equal(slots.enqueue(0, { symbol: "STAMP-A", n: 1 }), QUEUED);
    // Stamped or not, the same symbol conflates into one slot.
    assert.deepEqual(slots.enqueue(0, { symbol: "STAMP-A", n: 2, symbolId: a }), { symbol: "STAMP-A", n: 1 });
    // A stale or foreign id (another symbol's, one never given out, not an integer) must not put the
    // event in another symbol's slot: it is looked up by its symbol instead.
    assert.equal(slots.enqueue(0, { symbol: "STAMP-B", n: 3, symbolId: a }), QUEUED);
    assert.deepEqual(slots.enqueue(0, { symbol: "STAMP-B", n: 4, symbolId: 1e9 }), { symbol: "STAMP-B", n: 3, symbolId: a });
    assert.deepEqual(slots.enqueue(0, { symbol: "STAMP-B", n: 5, symbolId: -1 }), { symbol: "STAMP-B", n: 4, symbolId: 1e9 });
    assert.deepEqual(slots.enqueue(0, { symbol: "STAMP-B", n: 6, symbolId: b + 0.5 }), { symbol: "STAMP-B", n: 5, symbolId: -1 });
    assert.deepEqual(slots.enqueue(0, { symbol: "STAMP-B", n: 7, symbolId: b }), { symbol: "STAMP-B", n: 6, symbolId: b + 0.5 });
    assert.deepEqual(
      [slots.dequeue(), slots.dequeue(), slots.dequeue()],
      [{ symbol: "STAMP-A", n: 2, symbolId: a }, { symbol: "STAMP-B", n: 7, symbolId: b }, undefined],
    );
  });
});
