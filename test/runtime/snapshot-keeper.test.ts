/**
 * Periodic snapshots off the trading thread (engine/snapshot-keeper.ts): a worker keeps its own
 * copy of the engine state from the journal's committed records and stores the snapshots. What it
 * stores must be exactly what a replay of the records gives at that seq, and when it stops the
 * engine takes its snapshots itself again.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { encodeValue } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { ofType, startTestRuntime, tempJournal } from "./helpers.ts";

const CASH = "1000000";
const OPTIONS = { recentTerminalOrders: 6 };

function storedSnapshots(path: string): { seq: number; state: string }[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT seq, state FROM snapshots ORDER BY seq").all() as { seq: number; state: string }[];
  } finally {
    db.close();
  }
}

/** The state a replay from the first record rebuilds at each of `seqs`, encoded as the journal stores it. */
function replayedAt(path: string, seqs: readonly number[]): Map<number, string> {
  const journal = SqliteJournal.open(path, { writer: "inline" });
  try {
    const state = new EngineState(dec(CASH), OPTIONS);
    const wanted = new Set(seqs);
    const out = new Map<number, string>();
    for (const r of journal.read()) {
      assert.equal(state.apply(r.event, r.seq), "applied");
      if (wanted.has(r.seq)) out.set(r.seq, encodeValue(state.snapshot()));
    }
    return out;
  } finally {
    journal.close();
  }
}

async function churningRuntime(path: string) {
  return startTestRuntime({
    journalPath: path,
    overrides: [
      "strategy.name=churn",
      "strategy.params.intervalMs=400",
      "strategy.params.holdMs=200",
      `initialCash=${CASH}`,
      `journal.recentTerminalOrders=${OPTIONS.recentTerminalOrders}`,
      "journal.snapshotEvery=97",
    ],
    // The worker writer: the keeper hangs on its tap.
    journal: (config) => SqliteJournal.open(config.journal.path, { durability: "normal" }),
  });
}

test("the keeper's snapshots are the state a replay of the records gives at their seq", async () => {
  const j = tempJournal();
  try {
    const t = await churningRuntime(j.path);
    const keeper = t.rt.snapshotKeeper;
    assert.ok(keeper !== undefined, "the worker writer's journal has a keeper");
    // Trading goes on (simulated time) until the keeper has stored three snapshots (real time, its thread).
    while (keeper.storedCount < 3) await t.advance(500);
    await t.stop();
    assert.ok(ofType(t.events, "router.parent").length >= 10, "the run traded");
    assert.equal(ofType(t.events, "alert").filter((a) => a.code === "SNAPSHOT_KEEPER_STOPPED").length, 0);

    const stored = storedSnapshots(j.path);
    // The newest is the engine's own at shutdown; the keeper's are the ones before it (3 are kept).
    const kept = stored.slice(0, -1).filter((s) => s.seq <= keeper.lastStoredSeq);
    assert.ok(kept.length >= 1, `keeper snapshots kept: ${stored.map((s) => s.seq).join(", ")}`);
    const replayed = replayedAt(j.path, kept.map((s) => s.seq));
    for (const s of kept) assert.equal(s.state, replayed.get(s.seq), `snapshot at seq ${s.seq}`);
  } finally {
    j.cleanup();
  }
});

test("when the keeper stops, the engine snapshots on its own again and says so", async () => {
  const j = tempJournal();
  try {
    const t = await churningRuntime(j.path);
    const keeper = t.rt.snapshotKeeper;
    assert.ok(keeper !== undefined);
    await t.advance(2_000);
    await keeper.simulateCrash();
    const before = storedSnapshots(j.path).length;
    const seqAtCrash = t.rt.engine.journal.lastSeq();
    // Enough journaled events for the engine's own periodic snapshot (every 97).
    while (t.rt.engine.journal.lastSeq() < seqAtCrash + 3 * 97) await t.advance(1_000);
    await t.rt.engine.flush();
    const alerts = ofType(t.events, "alert").filter((a) => a.code === "SNAPSHOT_KEEPER_STOPPED");
    assert.equal(alerts.length, 1);
    assert.equal(keeper.running, false);
    await t.stop();
    const after = storedSnapshots(j.path);
    assert.ok(after.some((s) => s.seq > seqAtCrash && s.seq < after[after.length - 1]!.seq), `engine snapshots after the crash (before: ${before}, now: ${after.map((s) => s.seq).join(", ")})`);
  } finally {
    j.cleanup();
  }
});
