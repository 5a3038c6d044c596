/**
 * Issue 10, "slow venue": the stale-data watchdog acts in the turn its threshold passes, not on
 * the next tick of a poll. On a simulated clock the trigger time is exact: the first millisecond
 * at which the oldest held symbol's silence exceeds `risk.staleDataMs`.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { STALE } from "../../src/venues/sim/market/scenarios.ts";
import { type TestRuntime, ofType, openPosition, startTestRuntime, tempJournal } from "./helpers.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(overrides: readonly string[]): Promise<TestRuntime> {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const t = await startTestRuntime({
    journalPath: j.path,
    overrides: ["strategy.name=none", "risk.maxLeverage=30", "risk.maxOrderNotional=50000", "risk.maxPositionNotional=50000", "risk.maxGrossExposure=100000", ...overrides],
  });
  cleanups.push(() => t.stop());
  return t;
}

for (const staleDataMs of [10_000, 7_333]) {
  test(`stale data (risk.staleDataMs=${staleDataMs}): the kill switch fires the first millisecond past the threshold, then flattens`, async () => {
    const t = await start(["scenario=stale", `risk.staleDataMs=${staleDataMs}`]);
    await t.advance(2_000);
    openPosition(t, "BTCUSDT", "buy", "0.05");
    openPosition(t, "ETHUSDT", "sell", "0.5");
    await t.advance(STALE.startMs + staleDataMs + 2_000);
    const k = t.rt.engine.state.killSwitch;
    assert.equal(k.reason, "STALE_MARKET_DATA");
    const books = ofType(t.events, "market.book").filter((b) => b.ts <= k.triggeredAt!);
    const lastOf = (symbol: string): number => Math.max(...books.filter((b) => b.symbol === symbol).map((b) => b.ts));
    const oldest = Math.min(lastOf("BTCUSDT"), lastOf("ETHUSDT"));
    assert.equal(k.triggeredAt! - oldest, staleDataMs + 1, "no poll interval between the threshold and the trigger");
    assert.ok(k.flatAt !== null);
    assert.ok((await t.venue.positions()).every((p) => p.qty === 0n));
  });
}
