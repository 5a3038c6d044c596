import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec, format } from "../../src/core/decimal.ts";
import { type ErrorCode, isHeanError } from "../../src/core/errors.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EngineState, avgFillPrice, remainingQty } from "../../src/engine/engine-state.ts";
import { accepted, cancelled, fill, intent, submitted } from "./fixtures.ts";

const INITIAL = dec("10000");

function stateWith(...events: HeanEvent[]): EngineState {
  const st = new EngineState(INITIAL);
  let seq = 0;
  for (const e of events) st.apply(e, ++seq);
  return st;
}

/** An illegal event must throw the given code and leave every bit of state (and the counters) as it was. */
function assertRefused(st: EngineState, event: HeanEvent, code: ErrorCode): void {
  const before = st.snapshot();
  assert.throws(() => st.apply(event, 999), (e: unknown) => isHeanError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));
  assert.deepEqual(st.snapshot(), before);
}

describe("EngineState orders", () => {
  test("intent → submitted → accepted → partial fills → filled", () => {
    const st = new EngineState(INITIAL);
    assert.equal(st.apply(intent("a", { qty: dec("1") }), 1), "applied");
    const o = st.orders.get("a")!;
    assert.equal(o.status, "PENDING_SUBMIT");
    assert.equal(st.intentCount, 1);
    assert.deepEqual(st.workingOrders().map((w) => w.clientOrderId), ["a"]);

    st.apply(submitted("a"), 2);
    assert.equal(o.status, "SUBMITTED");
    assert.equal(o.attempts, 1);
    st.apply(accepted("a", "V1"), 3);
    assert.equal(o.status, "ACCEPTED");
    assert.equal(o.venueOrderId, "V1");

    st.apply(fill("f1", "a", "0.3", "100"), 4);
    assert.equal(o.status, "PARTIALLY_FILLED");
    st.apply(fill("f2", "a", "0.3", "101", { fee: dec("-0.02") }), 5);
    assert.equal(o.status, "PARTIALLY_FILLED");
    assert.equal(format(remainingQty(o)), "0.4");
    st.apply(fill("f3", "a", "0.4", "102"), 6);
    assert.equal(o.status, "FILLED");

    assert.equal(o.filledQty, dec("1"));
    assert.equal(o.filledValue, dec("101.1")); // 30 + 30.3 + 40.8
    assert.equal(avgFillPrice(o), dec("101.1"));
    assert.equal(o.fees, dec("0"));
    assert.equal(remainingQty(o), 0n);
    assert.equal(st.fillCount, 3);
    assert.equal(st.eventsApplied, 6);
    assert.equal(st.lastSeq, 6);
    assert.deepEqual(st.workingOrders(), []);
    assert.equal(st.portfolio.position("BTCUSDT").qty, dec("1"));
    assert.equal(st.portfolio.position("BTCUSDT").entryValue, dec("101.1"));
    assert.equal(avgFillPrice(st.orders.get("a")!), dec("101.1"));
  });

  test("a fill that completes the order from SUBMITTED goes straight to FILLED", () => {
    const st = stateWith(intent("a"), submitted("a"));
    st.apply(fill("f1", "a", "1", "100"));
    assert.equal(st.orders.get("a")!.status, "FILLED");
    assert.equal(st.orders.get("a")!.venueOrderId, "v-a", "a fill teaches the venue order id");
  });

  test("a duplicate fill id is ignored and changes nothing", () => {
    const st = stateWith(intent("a"), submitted("a"), accepted("a"), fill("f1", "a", "0.5", "100"));
    const before = st.snapshot();
    assert.equal(st.apply(fill("f1", "a", "0.5", "100")), "duplicate-fill");
    // Another source and fee under the same execution id is the same fill...
    assert.equal(st.apply(fill("f1", "a", "0.5", "100", { source: "reconciliation", fee: dec("0.07") })), "duplicate-fill");
    // ...other numbers are a conflict: the first still stands, nothing changes (the engine alerts).
    assert.equal(st.apply(fill("f1", "a", "0.2", "90", { source: "reconciliation" })), "conflicting-fill");
    const after = st.snapshot();
    assert.deepEqual(after, before);
    assert.equal(st.hasFill("f1"), true);
    assert.equal(st.hasFill("f2"), false);
  });

  test("an overfill is refused with FILL_OVERFILL and no state change", () => {
    const st = stateWith(intent("a"), submitted("a"), accepted("a"), fill("f1", "a", "0.6", "100"));
    assertRefused(st, fill("f2", "a", "0.5", "100"), "FILL_OVERFILL");
    assert.equal(st.hasFill("f2"), false, "a refused fill must not be remembered as seen");
    // The exact remainder is still accepted afterwards.
    assert.equal(st.apply(fill("f2", "a", "0.4", "100")), "applied");
    assert.equal(st.orders.get("a")!.status, "FILLED");
  });

  test("a fill for an unknown order is refused with ORDER_UNKNOWN", () => {
    const st = stateWith(intent("a"), submitted("a"));
    assertRefused(st, fill("f1", "nope", "0.1", "100"), "ORDER_UNKNOWN");
  });

  test("an external fill (no client order id) is adopted into the portfolio", () => {
    const st = stateWith(intent("a"));
    assert.equal(st.apply(fill("x1", undefined, "0.25", "200", { side: "sell", fee: dec("0.05") })), "applied");
    assert.equal(st.externalFillCount, 1);
    assert.equal(st.fillCount, 1);
    assert.equal(st.portfolio.position("BTCUSDT").qty, dec("-0.25"));
    assert.equal(st.portfolio.cash, dec("9999.95"));
    assert.equal(st.orders.get("a")!.filledQty, 0n, "no order is touched");
    assert.equal(st.apply(fill("x1", undefined, "0.25", "200", { side: "sell" })), "duplicate-fill");
  });

  test("a refused cancel restores the open state the fills imply", () => {
    const st = stateWith(intent("a"), submitted("a"), accepted("a"));
    st.apply({ type: "order.cancel-requested", ts: 1, clientOrderId: "a", reason: "r" });
    assert.equal(st.orders.get("a")!.status, "PENDING_CANCEL");
    st.apply({ type: "order.cancel-rejected", ts: 2, clientOrderId: "a", reason: "too late" });
    assert.equal(st.orders.get("a")!.status, "ACCEPTED");

    st.apply({ type: "order.cancel-requested", ts: 3, clientOrderId: "a", reason: "r" });
    st.apply(fill("f1", "a", "0.4", "100"));
    assert.equal(st.orders.get("a")!.status, "PENDING_CANCEL", "a partial fill while cancelling keeps cancelling");
    st.apply({ type: "order.cancel-rejected", ts: 4, clientOrderId: "a", reason: "too late" });
    assert.equal(st.orders.get("a")!.status, "PARTIALLY_FILLED");
  });

  test("a late fill after CANCELLED is kept: the order stays CANCELLED and its filled quantity grows", () => {
    const st = stateWith(intent("a"), submitted("a"), accepted("a"), fill("f1", "a", "0.2", "100"), cancelled("a"));
    assert.equal(st.orders.get("a")!.status, "CANCELLED");
    assert.deepEqual(st.workingOrders(), []);
    assert.equal(st.apply(fill("f2", "a", "0.3", "100")), "applied");
    const o = st.orders.get("a")!;
    assert.equal(o.status, "CANCELLED");
    assert.equal(o.filledQty, dec("0.5"));
    assert.equal(st.portfolio.position("BTCUSDT").qty, dec("0.5"));
    // ...and a late fill that completes it too.
    st.apply(fill("f3", "a", "0.5", "100"));
    assert.equal(o.status, "CANCELLED");
    assert.equal(o.filledQty, dec("1"));
  });

  test("a late fill after EXPIRED is kept", () => {
    const st = stateWith(intent("a"), submitted("a"), accepted("a"), { type: "order.expired", ts: 5, clientOrderId: "a", reason: "IOC" });
    st.apply(fill("f1", "a", "1", "100"));
    assert.equal(st.orders.get("a")!.status, "EXPIRED");
    assert.equal(st.orders.get("a")!.filledQty, dec("1"));
  });

  test("rejections and ambiguous sends record why", () => {
    const st = stateWith(intent("a"), submitted("a"), intent("b"), submitted("b"));
    st.apply({ type: "order.rejected", ts: 5, clientOrderId: "a", code: "170213", reason: "post only would take", postOnlyWouldTake: true });
    const a = st.orders.get("a")!;
    assert.equal(a.status, "REJECTED");
    assert.equal(a.reason, "170213: post only would take");
    assert.equal(a.postOnlyWouldTake, true);
    st.apply({ type: "order.unknown", ts: 6, clientOrderId: "b", cause: "timeout" });
    assert.equal(st.orders.get("b")!.status, "UNKNOWN");
    assert.equal(st.orders.get("b")!.reason, "timeout");
    st.apply(submitted("b", 2));
    assert.equal(st.orders.get("b")!.attempts, 2);
  });

  describe("an illegal event leaves the state unchanged", () => {
    const base = (): EngineState =>
      stateWith(
        intent("a"),
        submitted("a"),
        accepted("a"),
        fill("f1", "a", "0.5", "100"),
        intent("r"),
        { type: "order.rejected", ts: 5, clientOrderId: "r", code: "x", reason: "y", postOnlyWouldTake: false },
        intent("p"),
        { type: "command", ts: 6, commandId: "c1", command: "stop", source: "cli", args: {} },
      );

    const cases: readonly [string, HeanEvent, ErrorCode][] = [
      ["accepted on a REJECTED order", accepted("r"), "ORDER_TRANSITION"],
      ["submitted on a PARTIALLY_FILLED order", submitted("a"), "ORDER_TRANSITION"],
      ["cancel-rejected without a cancel", { type: "order.cancel-rejected", ts: 7, clientOrderId: "a", reason: "x" }, "ORDER_TRANSITION"],
      ["a fill on a REJECTED order", fill("f9", "r", "0.1", "100"), "ORDER_TRANSITION"],
      ["a transition for an unknown order", accepted("ghost"), "ORDER_UNKNOWN"],
      ["a duplicate intent", intent("a"), "ORDER_DUPLICATE"],
      ["an intent with zero quantity", intent("z", { qty: dec("0") }), "ORDER_INVALID"],
      ["a fill on the wrong side", fill("f9", "a", "0.1", "100", { side: "sell" }), "EVENT_INVALID"],
      ["a fill on the wrong symbol", fill("f9", "a", "0.1", "100", { symbol: "ETHUSDT" }), "EVENT_INVALID"],
      ["a fill with zero quantity", fill("f9", "a", "0", "100"), "EVENT_INVALID"],
      ["a fill with a negative price", fill("f9", "a", "0.1", "-100"), "EVENT_INVALID"],
      ["an overfill", fill("f9", "a", "0.6", "100"), "FILL_OVERFILL"],
      ["a risk transition from the wrong state", { type: "risk.state", ts: 7, from: "SOFT_BRAKE", to: "NORMAL", reasons: [], values: {} }, "EVENT_INVALID"],
      ["a result for an unknown command", { type: "command.result", ts: 7, commandId: "nope", ok: true, message: "" }, "COMMAND_INVALID"],
    ];
    for (const [name, event, code] of cases) {
      test(name, () => assertRefused(base(), event, code));
    }
  });

  test("events that carry no state are ignored and not counted", () => {
    const st = new EngineState(INITIAL);
    const before = st.snapshot();
    assert.equal(
      st.apply({ type: "market.trade", ts: 1, symbol: "BTCUSDT", price: dec("1"), qty: dec("1"), side: "buy", venueTs: 1 }),
      "ignored",
    );
    assert.deepEqual(st.snapshot(), before);
  });

  test("a repeated command is a duplicate; its result is recorded once", () => {
    const st = new EngineState(INITIAL);
    const cmd: HeanEvent = { type: "command", ts: 1, commandId: "c1", command: "stop", source: "cli", args: {} };
    assert.equal(st.apply(cmd), "applied");
    assert.equal(st.apply(cmd), "duplicate-command");
    st.apply({ type: "command.result", ts: 2, commandId: "c1", ok: true, message: "stopped" });
    assert.deepEqual(st.commands.get("c1")!.result, { ok: true, message: "stopped" });
  });

  test("risk state and kill switch decide the trading state", () => {
    const st = new EngineState(INITIAL);
    assert.equal(st.tradingState(), "active");
    st.apply({ type: "risk.state", ts: 1, from: "NORMAL", to: "QUARANTINE", reasons: ["dd"], values: {} });
    assert.equal(st.tradingState(), "reduce-only");
    st.apply({ type: "risk.state", ts: 2, from: "QUARANTINE", to: "NORMAL", reasons: [], values: {} });
    st.apply({ type: "risk.kill-switch", ts: 3, step: "triggered", reason: "OPERATOR_STOP", detail: "" });
    assert.equal(st.tradingState(), "halted");
    st.apply({ type: "risk.kill-switch", ts: 4, step: "closing", reason: "OPERATOR_STOP", detail: "" });
    st.apply({ type: "risk.kill-switch", ts: 5, step: "flat", reason: "OPERATOR_STOP", detail: "" });
    assert.deepEqual({ ...st.killSwitch }, { active: true, reason: "OPERATOR_STOP", triggeredAt: 3, firstCloseAt: 4, flatAt: 5, detail: "" });
    st.apply({ type: "risk.kill-switch", ts: 6, step: "reset", reason: "OPERATOR_STOP", detail: "" });
    assert.equal(st.tradingState(), "active");
  });
});

describe("EngineState snapshots", () => {
  const history: HeanEvent[] = [
    { type: "system.started", ts: 1, detail: "", initialCash: INITIAL },
    intent("a"),
    submitted("a"),
    accepted("a"),
    fill("f1", "a", "0.5", "100"),
    intent("b", { side: "sell", qty: dec("2"), symbol: "ETHUSDT", price: dec("10") }),
    submitted("b"),
    fill("f2", "b", "2", "10.5", { side: "sell", symbol: "ETHUSDT", fee: dec("-0.001") }),
    fill("x1", undefined, "0.1", "99", { side: "sell" }),
    { type: "mark", ts: 10, symbol: "BTCUSDT", bid: dec("101"), ask: dec("101.5") },
    { type: "order.denied", ts: 11, strategyId: "s", symbol: "BTCUSDT", side: "buy", qty: dec("1"), code: "MAX_OPEN_ORDERS", message: "", values: {} },
    { type: "risk.state", ts: 12, from: "NORMAL", to: "SOFT_BRAKE", reasons: ["loss"], values: { dd: "0.1" } },
    { type: "risk.stoploss-set", ts: 13, symbol: "BTCUSDT", pct: 0.02 },
    { type: "command", ts: 14, commandId: "c1", command: "stop", source: "cli", args: { x: 1 } },
    { type: "command.result", ts: 15, commandId: "c1", ok: true, message: "ok" },
    { type: "risk.kill-switch", ts: 16, step: "triggered", reason: "OPERATOR_STOP", detail: "d" },
  ];
  const tail: HeanEvent[] = [
    fill("f1", "a", "0.5", "100"), // duplicate: must still be recognised after a restore
    fill("f3", "a", "0.5", "102"),
    { type: "mark", ts: 20, symbol: "ETHUSDT", bid: dec("10"), ask: dec("10.2") },
  ];

  test("snapshot → fromSnapshot → snapshot is the identity", () => {
    const st = stateWith(...history);
    const snap = st.snapshot();
    const restored = EngineState.fromSnapshot(snap);
    assert.deepEqual(restored.snapshot(), snap);
    assert.equal(restored.portfolio.equity(), st.portfolio.equity());
    assert.equal(restored.tradingState(), st.tradingState());
  });

  test("a restored state continues exactly like the original", () => {
    const original = stateWith(...history);
    const restored = EngineState.fromSnapshot(original.snapshot());
    const outcomes = (st: EngineState): string[] => tail.map((e, i) => st.apply(e, 100 + i));
    const got = outcomes(restored);
    assert.deepEqual(got, outcomes(original));
    assert.deepEqual(got, ["duplicate-fill", "applied", "applied"]);
    assert.deepEqual(restored.snapshot(), original.snapshot());
    assert.equal(restored.orders.get("a")!.status, "FILLED");
  });

  test("a snapshot is a copy: later changes to the state do not leak into it", () => {
    const st = stateWith(...history);
    const snap = st.snapshot();
    const frozen = structuredClone(snap);
    const mutators: HeanEvent[] = [
      { type: "order.cancel-requested", ts: 30, clientOrderId: "a", reason: "r" }, // a is open: mutated in place
      ...tail,
      { type: "risk.kill-switch", ts: 31, step: "closing", reason: "OPERATOR_STOP", detail: "" },
      { type: "risk.kill-switch", ts: 32, step: "flat", reason: "OPERATOR_STOP", detail: "" },
      { type: "command", ts: 33, commandId: "c2", command: "resume", source: "cli", args: {} },
      { type: "command.result", ts: 34, commandId: "c2", ok: false, message: "no" },
      { type: "risk.stoploss-set", ts: 35, symbol: "BTCUSDT", pct: 0.05 },
    ];
    for (const e of mutators) st.apply(e);
    assert.notDeepEqual(st.snapshot(), snap, "the state did move on");
    assert.deepEqual(snap, frozen);
  });
});
