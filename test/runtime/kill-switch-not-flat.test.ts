/**
 * A kill switch that cannot get flat (the venue keeps reporting a position) retries on its
 * backoff and journals every retry, but pages the operator at attempts 1, 2, 4, 8, …: every retry
 * used to raise the same critical alert, one every 5 s for as long as it lasted.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { firstBook, ofType, startTestRuntime, tempJournal } from "./helpers.ts";

test("not flat after many retries: every retry journaled, the critical alert at attempts 1, 2, 4 and 8 only", { timeout: 120_000 }, async () => {
  const file = tempJournal();
  const t = await startTestRuntime({ journalPath: file.path, overrides: ["strategy.name=none"] });
  try {
    await firstBook(t);
    // The venue never gets flat: a position it reports however often it is asked.
    t.venue.positions = async () => [{ symbol: "BTCUSDT", qty: dec("0.5"), avgPrice: dec("60000") }];
    t.rt.killSwitch.trigger("OPERATOR_STOP", "test");
    const retries = () => ofType(t.events, "risk.kill-switch").filter((e) => e.step === "retry");
    while (retries().length < 10) await t.advance(1_000);
    const alerts = ofType(t.events, "alert").filter((a) => a.code === "KILL_SWITCH_NOT_FLAT");
    assert.deepEqual(
      alerts.map((a) => a.message),
      [1, 2, 4, 8].map((n) => `not flat yet after ${n} attempts (said again after ${n * 2})`),
    );
    assert.ok(alerts.every((a) => a.severity === "critical"));
  } finally {
    await t.stop();
    file.cleanup();
  }
});
