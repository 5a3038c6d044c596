/**
 * Defect 10 on the real runtime (engine, SQLite journal, router, risk, simulated venue): a run of
 * many parent orders keeps a bounded state, and the journal replays to exactly the state the run
 * had, from a snapshot plus its tail or from the first record.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { EngineState, type EngineSnapshot } from "../../src/engine/engine-state.ts";
import { replayJournal } from "../../src/engine/replay.ts";
import { decodeValue, encodeValue } from "../../src/journal/codec.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { buildReport } from "../../src/runtime/report.ts";
import { ofType, startTestRuntime, tempJournal } from "./helpers.ts";

const WINDOW = 6;

/** What replay must rebuild: everything but the marks, which the live run also takes from unjournaled books. */
function journaled(s: EngineSnapshot): unknown {
  const { portfolio, ...rest } = decodeValue(encodeValue(s)) as EngineSnapshot;
  const { marks: _marks, ...book } = portfolio as unknown as Record<string, unknown>;
  return { ...rest, portfolio: book };
}

test("a run of many parents keeps a bounded state; the journal replays to the same state", async () => {
  const j = tempJournal();
  try {
    const t = await startTestRuntime({
      journalPath: j.path,
      overrides: [
        "strategy.name=churn",
        "strategy.params.intervalMs=400",
        "strategy.params.holdMs=200",
        "initialCash=1000000",
        `journal.recentTerminalOrders=${WINDOW}`,
        "journal.snapshotEvery=97",
      ],
    });
    let maxOrders = 0;
    let maxParents = 0;
    t.rt.outbox.subscribe("size-probe", () => {
      maxOrders = Math.max(maxOrders, t.rt.engine.state.orders.size);
      maxParents = Math.max(maxParents, [...t.rt.engine.state.parents.all()].length);
    });
    await t.advance(40_000);
    await t.stop();
    const live = t.rt.engine.state;
    const parents = ofType(t.events, "router.parent").length;
    assert.ok(parents >= 40, `churn made ${parents} parents`);
    assert.ok(live.intentCount > 3 * WINDOW);
    // Working parents (at most one entry and one exit per symbol) and their legs, plus the window.
    assert.ok(maxParents <= WINDOW + 4, `at most ${WINDOW + 4} parents in state, saw ${maxParents}`);
    assert.ok(live.orders.size <= 3 * WINDOW + 8, `orders in state after the run: ${live.orders.size}`);
    assert.ok(maxOrders < live.intentCount, `state held ${maxOrders} of ${live.intentCount} orders at most`);

    const report = t.rt.report();
    assert.equal(report.orderTotals.placed, live.intentCount);
    assert.equal(report.orders.length, live.orders.size);
    assert.equal(report.orderTotals.parents, parents);

    const journal = SqliteJournal.open(j.path, { writer: "inline" });
    try {
      const options = { recentTerminalOrders: WINDOW };
      const fromSnapshot = replayJournal(journal, dec("1000000"), options);
      assert.ok(fromSnapshot.report.fromSnapshotSeq > 0, "replayed from a snapshot and its tail");
      assert.deepEqual(fromSnapshot.report.errors, []);
      const full = new EngineState(dec("1000000"), options);
      for (const r of journal.read()) full.apply(r.event, r.seq);
      assert.deepEqual(journaled(fromSnapshot.state.snapshot()), journaled(live.snapshot()));
      assert.deepEqual(journaled(full.snapshot()), journaled(live.snapshot()));
      const replayed = buildReport(fromSnapshot.state, { path: report.journal.path, events: report.journal.events });
      assert.deepEqual(replayed.orders, report.orders);
      assert.deepEqual(replayed.orderTotals, report.orderTotals);
      assert.deepEqual(replayed.execution, report.execution);
      assert.deepEqual(replayed.positions, report.positions);
    } finally {
      journal.close();
    }
  } finally {
    j.cleanup();
  }
});
