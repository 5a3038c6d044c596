/**
 * The account divergence as a governor input: at or beyond `maxAccountDivergence` the account is
 * quarantined (exits only), never hard-stopped by it; it is left the way every level is left
 * (dwell, one step at a time) once a reconciled snapshot agrees. And a transfer moves the
 * references with the cash (scaled by it), so a deposit or withdrawal is neither profit nor drawdown.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, toNumber } from "../../src/core/decimal.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { validateRiskConfig } from "../../src/risk/config.ts";
import { type GovernorInput, evaluateGovernor, governorMetrics, sizeFactor } from "../../src/risk/governor.ts";

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;
const CONFIG = validateRiskConfig({ maxAccountDivergence: "5" });

function input(over: Partial<GovernorInput>): GovernorInput {
  return { state: "NORMAL", since: T0 - 10 * MIN, now: T0, equity: 1000, initialCapital: 1000, highWaterMark: 1000, dayStartEquity: 1000, ...over };
}

test("a divergence at the limit quarantines the account, saying why and by how much", () => {
  const d = evaluateGovernor(input({ accountDivergence: 5 }), CONFIG);
  assert.equal(d?.next, "QUARANTINE");
  assert.match(d.reasons.join(";"), /account divergence .*5 \(quote\) ≥ quarantine threshold 5/);
  assert.equal(d.values.accountDivergence, "5");
  assert.equal(sizeFactor(d.next, CONFIG), 0, "no new risk");
});

test("below the limit (fees in flight) nothing changes; the sign does not matter", () => {
  assert.equal(evaluateGovernor(input({ accountDivergence: 4.99 }), CONFIG), undefined);
  assert.equal(evaluateGovernor(input({ accountDivergence: -7 }), CONFIG)?.next, "QUARANTINE");
});

test("however large, a divergence alone never hard-stops (nothing says money was lost)", () => {
  assert.equal(evaluateGovernor(input({ accountDivergence: 1e9 }), CONFIG)?.next, "QUARANTINE");
  assert.equal(evaluateGovernor(input({ state: "QUARANTINE", accountDivergence: 1e9 }), CONFIG), undefined);
});

test("an unreadable divergence counts as diverged", () => {
  assert.equal(evaluateGovernor(input({ accountDivergence: Number.NaN }), CONFIG)?.next, "QUARANTINE");
});

test("once the books agree again the quarantine is left after the dwell, one level at a time", () => {
  const since = T0 - 30_000;
  assert.equal(evaluateGovernor(input({ state: "QUARANTINE", since, accountDivergence: 0.5 }), CONFIG), undefined, "the dwell holds it");
  const d = evaluateGovernor(input({ state: "QUARANTINE", since: T0 - 2 * MIN, accountDivergence: 0.5 }), CONFIG);
  assert.equal(d?.next, "SOFT_BRAKE");
  assert.match(d.reasons.join(";"), /account divergence .*0\.5 \(quote\) < quarantine threshold 5/);
  assert.equal(evaluateGovernor(input({ state: "QUARANTINE", since: T0 - 2 * MIN, accountDivergence: 6 }), CONFIG), undefined, "still diverged: stays");
});

test("the limit is a validated money setting", () => {
  assert.equal(validateRiskConfig({}).maxAccountDivergence, dec("5"));
  assert.throws(() => validateRiskConfig({ maxAccountDivergence: "0" }), /risk\.maxAccountDivergence must be greater than 0/);
  assert.throws(() => validateRiskConfig({ maxAccountDivergence: "lots" }), /risk\.maxAccountDivergence must be a decimal number/);
});

test("a deposit or withdrawal is neither profit nor drawdown: the references move with the cash", () => {
  const config = validateRiskConfig({ drawdownReference: { kind: "high-water-mark", protectedProfitPct: 100 } });
  // Started with 1000, made 100 (the high), gave 22 back: 2 % below the high, flat on the day.
  const st = new EngineState(dec("1078"));
  st.apply({ type: "risk.reference", ts: 1, capitalBase: dec("1000"), highWaterMark: dec("1100"), dayStart: 0, dayStartEquity: dec("1078") });
  const metrics = () => {
    const r = st.riskReference!;
    return governorMetrics(
      { ...input({}), equity: toNumber(st.portfolio.equity()), initialCapital: toNumber(r.capitalBase), highWaterMark: toNumber(r.highWaterMark), dayStartEquity: toNumber(r.dayStartEquity) },
      config,
    )!;
  };
  const before = metrics();
  assert.ok(Math.abs(before.drawdownPct - 2) < 1e-9);
  assert.equal(before.dailyLossPct, 0);

  st.apply({ type: "cash.adjusted", ts: 4, adjustmentId: "t1", amount: dec("5000"), reason: "transfer", detail: "TRANSFER_IN", venueTs: 4, source: "reconciliation" });
  const deposited = metrics();
  assert.ok(deposited.reference > before.reference + 5000, "the reference scaled with the cash: the deposit is not a new high");
  assert.ok(Math.abs(deposited.drawdownPct - 2) < 1e-9, "still 2 % below the high: a deposit does not dilute the drawdown");
  assert.equal(deposited.dailyLossPct, 0, "nor a daily gain that a later loss is measured against");

  st.apply({ type: "cash.adjusted", ts: 5, adjustmentId: "t2", amount: dec("-5500"), reason: "transfer", detail: "TRANSFER_OUT", venueTs: 5, source: "reconciliation" });
  const withdrawn = metrics();
  assert.ok(Math.abs(withdrawn.drawdownPct - 2) < 1e-9, "the withdrawal is not a loss: still 2 %");
  assert.equal(withdrawn.dailyLossPct, 0);
  assert.ok(withdrawn.drawdownPct < config.softBrakeDrawdownPct, "and nothing escalates");
});
