/**
 * Issue 2: kill a running engine with SIGKILL at random moments and restart it on the same
 * journal: the state equals the replay of the journal and nothing is applied twice.
 *
 * Each round starts `hean run` (churn strategy, fast market), waits until it trades, kills it
 * with SIGKILL after a random delay, and restarts it for a while before killing it again. At the
 * end, a clean restart (`--duration 0`) reports the state the engine rebuilt, and `hean journal
 * replay` reports the state the journal alone gives: they must be identical, and the journal
 * must hold every fill once and no order filled beyond its quantity.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { inspectJournal } from "../../src/journal/tools.ts";
import { format, ZERO, add, type Dec } from "../../src/core/decimal.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { accountOf, expectOk, hean, heanAsync, readReport, waitForOutput } from "./cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-kill-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAST = [
  "--strategy",
  "churn",
  "--set",
  "strategy.params.intervalMs=400",
  "--set",
  "strategy.params.holdMs=250",
  "--set",
  'strategy.params.sides="alternate"',
  "--set",
  "sim.updatesPerSecond=50",
  "--quiet",
];

// A seeded random, so a failure can be replayed.
let seed = Number(process.env.HEAN_KILL_SEED ?? 20261121);
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

test("SIGKILL at random moments, restart on the same journal: state equals the replay, nothing applied twice", async () => {
  const journal = join(dir, "kill.db");
  const rounds = 4;
  for (let round = 0; round < rounds; round++) {
    const child = heanAsync(["run", "--journal", journal, ...FAST]);
    await waitForOutput(child, "hean started");
    // The evidence that it trades (read-only, beside the writer), so the rounds trade at any speed.
    if (round === 0) while (inspectJournal(journal, { type: "order.filled", limit: 1 }).length === 0) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 600 + random() * 2_400));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    assert.equal(child.signalCode, "SIGKILL", `round ${round}: killed, not exited (${child.output()})`);
  }

  const restarted = join(dir, "restarted.json");
  const replayed = join(dir, "replayed.json");
  expectOk(hean(["run", "--journal", journal, "--duration", "0", "--report", restarted, ...FAST]), "restart");
  expectOk(hean(["journal", "replay", "--journal", journal, "--report", replayed]), "replay");
  const live = readReport(restarted);
  const fromJournal = readReport(replayed);
  assert.deepEqual(accountOf(fromJournal), accountOf(live));
  assert.deepEqual(fromJournal.orders, live.orders);
  assert.ok(live.fills > 0, "the rounds traded");

  // The journal itself: every fill once, no order over-filled, every client order id unique.
  const j = SqliteJournal.open(journal, { writer: "inline" });
  const fillIds = new Set<string>();
  const filled = new Map<string, Dec>();
  const qty = new Map<string, Dec>();
  let starts = 0;
  for (const { event: e } of j.read()) {
    if (e.type === "system.started") starts++;
    if (e.type === "order.intent") {
      assert.ok(!qty.has(e.clientOrderId), `client order id ${e.clientOrderId} used twice`);
      qty.set(e.clientOrderId, e.qty);
    }
    if (e.type === "order.filled") {
      assert.ok(!fillIds.has(e.fillId), `fill ${e.fillId} journaled twice`);
      fillIds.add(e.fillId);
      if (e.clientOrderId !== undefined) filled.set(e.clientOrderId, add(filled.get(e.clientOrderId) ?? ZERO, e.qty));
    }
  }
  j.close();
  assert.equal(starts, rounds + 1, "one start per process");
  assert.equal(fillIds.size, live.fills, "the engine counted each journaled fill once");
  for (const [id, f] of filled) assert.ok(f <= qty.get(id)!, `order ${id} filled ${format(f)} of ${format(qty.get(id)!)}`);
  for (const o of live.orders) assert.equal(o.filledQty, format(filled.get(o.clientOrderId) ?? ZERO), `order ${o.clientOrderId}`);
});
