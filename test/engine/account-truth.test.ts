/**
 * The venue's account in the engine: funding and cash adjustments booked once by their venue id,
 * the first reconciled wallet snapshot opening the account at the venue's balance, adjustments
 * moving the risk references (a deposit is not profit, a withdrawal not a loss), and all of it
 * rebuilt identically from the journaled events.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Dec, dec, format, toNumber } from "../../src/core/decimal.ts";
import { type ErrorCode, isHeanError } from "../../src/core/errors.ts";
import type { AccountSnapshotEvent, CashAdjustedEvent, FundingPaidEvent, HeanEvent } from "../../src/core/events.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { decodeEvent, encodeEvent } from "../../src/journal/codec.ts";
import { accepted, fill, intent, submitted } from "./fixtures.ts";

const INITIAL = dec("10000");

const snapshot = (walletBalance: string, source: AccountSnapshotEvent["source"] = "reconciliation", over: Partial<AccountSnapshotEvent> = {}): AccountSnapshotEvent => ({
  type: "account.snapshot",
  ts: 2_000,
  venue: "bybit",
  walletBalance: dec(walletBalance),
  equity: dec(walletBalance),
  available: dec(walletBalance),
  initialMargin: dec("0"),
  maintenanceMargin: dec("0"),
  venueTs: 2_000,
  source,
  ...over,
});

const funding = (fundingId: string, paid: string, over: Partial<FundingPaidEvent> = {}): FundingPaidEvent => ({
  type: "funding.paid",
  ts: 3_000,
  fundingId,
  symbol: "BTCUSDT",
  paid: dec(paid),
  rate: dec("0.0001"),
  positionQty: dec("1"),
  markPrice: dec("100"),
  venueTs: 3_000,
  source: "stream",
  ...over,
});

const adjusted = (adjustmentId: string, amount: string): CashAdjustedEvent => ({
  type: "cash.adjusted",
  ts: 4_000,
  adjustmentId,
  amount: dec(amount),
  reason: "transfer",
  detail: amount.startsWith("-") ? "TRANSFER_OUT" : "TRANSFER_IN",
  venueTs: 4_000,
  source: "reconciliation",
});

function assertRefused(st: EngineState, event: HeanEvent, code: ErrorCode): void {
  const before = st.snapshot();
  assert.throws(() => st.apply(event, 999), (e: unknown) => isHeanError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));
  assert.deepEqual(st.snapshot(), before);
}

const cash = (st: EngineState): string => format(st.portfolio.cash);

describe("account truth in the engine", () => {
  test("funding is booked to cash once per venue id, and counts as P&L (references stay)", () => {
    const st = new EngineState(INITIAL);
    st.apply({ type: "risk.reference", ts: 1, capitalBase: INITIAL, highWaterMark: INITIAL, dayStart: 0, dayStartEquity: INITIAL });
    assert.equal(st.apply(funding("f1", "1.5")), "applied");
    assert.equal(cash(st), "9998.5");
    assert.equal(st.apply(funding("f1", "1.5", { source: "reconciliation" })), "duplicate-cash", "the same settlement from REST is not booked again");
    assert.equal(st.apply(funding("f2", "-0.25")), "applied", "received funding credits cash");
    assert.equal(cash(st), "9998.75");
    assert.equal(format(st.portfolio.funding), "1.25");
    assert.equal(st.fundingCount, 2);
    assert.equal(st.riskReference!.capitalBase, INITIAL, "funding is P&L: the capital base does not move");
    assert.equal(format(st.portfolio.equity()), "9998.75");
  });

  test("a cash adjustment moves cash and scales the risk references with it, once", () => {
    const st = new EngineState(INITIAL);
    st.apply({ type: "risk.reference", ts: 1, capitalBase: INITIAL, highWaterMark: dec("10500"), dayStart: 0, dayStartEquity: dec("10200") });
    assert.equal(st.apply(adjusted("tx-1", "2500")), "applied");
    assert.equal(cash(st), "12500");
    // Cash × 1.25: drawdown from the high (4.76 %) and the day's loss (1.96 %) keep their percentages.
    assert.deepEqual(
      [st.riskReference!.capitalBase, st.riskReference!.highWaterMark, st.riskReference!.dayStartEquity].map(format),
      ["12500", "13125", "12750"],
      "a deposit is neither profit nor a new high",
    );
    assert.equal(st.apply(adjusted("tx-1", "2500")), "duplicate-cash");
    assert.equal(cash(st), "12500");
    assert.equal(st.apply(adjusted("tx-2", "-500")), "applied");
    assert.equal(format(st.riskReference!.highWaterMark), "12600", "a withdrawal is not a drawdown");
    assert.equal(format(st.portfolio.capitalIn), "12000");
  });

  test("a withdrawal of most of the account leaves drawdown and the day's loss at their percentages", () => {
    // The trial: 100 000 opened, 68 lost trading (0.068 %), then 99 880 withdrawn.
    const st = new EngineState(dec("100000"));
    st.apply({ type: "risk.reference", ts: 1, capitalBase: dec("100000"), highWaterMark: dec("100000"), dayStart: 0, dayStartEquity: dec("100000") });
    st.apply(funding("f-loss", "68"));
    const pct = (ref: Dec): number => (toNumber(ref) - toNumber(st.portfolio.equity())) / toNumber(ref) * 100;
    const before = [pct(st.riskReference!.capitalBase), pct(st.riskReference!.highWaterMark), pct(st.riskReference!.dayStartEquity)];
    assert.equal(st.apply(adjusted("withdrawal", "-99880")), "applied");
    assert.equal(cash(st), "52");
    const after = [pct(st.riskReference!.capitalBase), pct(st.riskReference!.highWaterMark), pct(st.riskReference!.dayStartEquity)];
    for (const [i, p] of after.entries()) assert.ok(Math.abs(p - before[i]!) < 1e-9, `${p} % after, ${before[i]} % before (by the amount: 56.7 %)`);
  });

  test("the first reconciled snapshot opens the account at the venue's balance; later ones measure divergence", () => {
    const st = new EngineState(INITIAL);
    // A stream message alone never opens the account (it may overtake what explains it).
    assert.equal(st.apply(snapshot("100000", "stream")), "applied");
    assert.equal(cash(st), "10000");
    assert.equal(st.reconciledAccount, undefined);
    assert.equal(format(st.venueAccount!.divergence), "90000");

    st.apply(snapshot("100000"));
    assert.equal(cash(st), "100000", "live capital is what the venue holds");
    assert.equal(format(st.reconciledAccount!.opening!), "90000");
    assert.equal(format(st.reconciledAccount!.divergence), "0");
    assert.equal(format(st.portfolio.capitalIn), "100000", "drawdown is measured from the venue's balance");

    // A fill the venue booked too: no divergence.
    st.apply(intent("a", { qty: dec("1"), price: dec("100") }));
    st.apply(submitted("a"));
    st.apply(accepted("a"));
    st.apply(fill("x1", "a", "1", "100", { fee: dec("0.06") }));
    st.apply(snapshot("99999.94"));
    assert.equal(format(st.reconciledAccount!.divergence), "0");
    assert.equal(st.reconciledAccount!.opening, undefined, "the account opens once");

    // The venue moved 7 USDT the engine knows nothing about.
    st.apply(snapshot("99992.94"));
    assert.equal(format(st.reconciledAccount!.divergence), "-7");
    assert.equal(cash(st), "99999.94", "a snapshot never silently rewrites cash after the opening");
  });

  test("a snapshot that says nothing new is ignored (not journaled)", () => {
    const st = new EngineState(INITIAL);
    assert.equal(st.apply(snapshot("10000")), "applied");
    assert.equal(st.apply(snapshot("10000", "reconciliation", { ts: 9_999 })), "ignored");
    assert.equal(st.apply(snapshot("10000", "stream")), "applied", "another source is news");
    assert.equal(st.apply(snapshot("10000", "stream", { available: dec("9000") })), "applied");
  });

  test("malformed account events are refused and change nothing", () => {
    const st = new EngineState(INITIAL);
    st.apply(funding("f1", "1"));
    assertRefused(st, funding("", "1"), "EVENT_INVALID");
    assertRefused(st, { ...funding("f2", "1"), paid: 1 as unknown as Dec }, "EVENT_INVALID");
    assertRefused(st, { ...adjusted("a1", "1"), amount: "1" as unknown as Dec }, "EVENT_INVALID");
    assertRefused(st, { ...snapshot("1"), walletBalance: undefined as unknown as Dec }, "EVENT_INVALID");
  });

  test("replaying the journaled events (through the codec) rebuilds the same state; a snapshot restores it", () => {
    const events: HeanEvent[] = [
      { type: "risk.reference", ts: 1, capitalBase: INITIAL, highWaterMark: INITIAL, dayStart: 0, dayStartEquity: INITIAL },
      snapshot("50000"),
      intent("a", { qty: dec("2"), price: dec("100") }),
      submitted("a"),
      accepted("a"),
      fill("x1", "a", "2", "100", { fee: dec("0.1") }),
      funding("f1", "0.02"),
      funding("f1", "0.02"),
      adjusted("tx-9", "-1000"),
      snapshot("48999.88", "stream"),
      snapshot("48999.88"),
    ];
    const live = new EngineState(INITIAL);
    const journaled: string[] = [];
    for (const e of events) if (live.apply(e) === "applied") journaled.push(encodeEvent(e));
    assert.equal(journaled.length, events.length - 1, "the duplicate funding is not journaled");
    const replayed = new EngineState(INITIAL);
    for (const text of journaled) replayed.apply(decodeEvent(text));
    assert.deepEqual(replayed.snapshot(), live.snapshot());
    assert.equal(cash(replayed), "48999.88");
    assert.equal(format(replayed.reconciledAccount!.divergence), "0");
    const restored = EngineState.fromSnapshot(live.snapshot());
    assert.deepEqual(restored.snapshot(), live.snapshot());
    assert.equal(restored.apply(funding("f1", "0.02")), "duplicate-cash", "booked ids survive a snapshot");
  });

  test("an engine snapshot written before account truth existed still restores", () => {
    const st = new EngineState(INITIAL);
    const { cashIds, venueAccount, reconciledAccount, fundingCount, adjustmentCount, ...old } = st.snapshot();
    const { funding: _f, adjustments: _a, ...oldPortfolio } = old.portfolio;
    const restored = EngineState.fromSnapshot({ ...old, portfolio: oldPortfolio });
    assert.equal(restored.portfolio.cash, INITIAL);
    assert.equal(restored.portfolio.funding, 0n);
    assert.equal(restored.venueAccount, undefined);
    assert.deepEqual([cashIds, venueAccount, reconciledAccount, fundingCount, adjustmentCount], [[], undefined, undefined, 0, 0]);
  });
});
