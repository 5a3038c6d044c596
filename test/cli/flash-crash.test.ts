/**
 * Issue 3: `hean run --scenario flash-crash --strategy churn --set risk.hardStopDrawdownPct=1`
 * ends flat with `risk.state` HARD_STOP in its report.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { expectOk, hean, readReport } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("flash crash with churn and a 1% hard stop: HARD_STOP, flat, and the kill switch's timings in the report", () => {
  const report = join(dir, "crash.json");
  expectOk(
    hean([
      "run",
      "--scenario",
      "flash-crash",
      "--strategy",
      "churn",
      "--set",
      "risk.hardStopDrawdownPct=1",
      "--duration",
      "16",
      "--journal",
      join(dir, "crash.db"),
      "--report",
      report,
      "--quiet",
    ]),
    "hean run",
  );
  const r = readReport(report);
  assert.equal(r.risk.state, "HARD_STOP");
  assert.ok(r.positions.every((p) => p.qty === "0"), `flat: ${JSON.stringify(r.positions)}`);
  assert.equal(r.risk.killSwitch.reason, "HARD_STOP");
  assert.ok(r.risk.killSwitch.triggeredAt !== null && r.risk.killSwitch.flatAt !== null);
  assert.ok(r.risk.killSwitch.flatAt! >= r.risk.killSwitch.triggeredAt!);
  // Same-turn reaction is proven on a simulated clock (test/runtime); here: it is reported.
  assert.ok(r.risk.killSwitch.reactionMs !== null && r.risk.killSwitch.reactionMs >= 0);
  assert.ok(r.orders.some((o) => o.purpose === "kill-switch" && o.reduceOnly));
});
