/**
 * Journal before effect on the kill switch's fast path: with durability=full and the worker
 * writer, a close order reaches the (simulated) venue only after the kill-switch decision and
 * that order's intent are durable. Checked at the moment the venue is handed the order, by reading
 * what a restart would recover: the file through a connection of its own (committed records only)
 * and the urgent file, where the kill switch's flush makes records durable ahead of the writer.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { readUrgentLog } from "../../src/journal/urgent-log.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { openPosition, startTestRuntime, tempJournal, watchSubmits } from "./helpers.ts";

interface Seen {
  readonly clientOrderId: string;
  readonly decisionSeq: number | undefined;
  readonly intentSeq: number | undefined;
  /** Kill-switch intents durable when this order was handed over. */
  readonly closeIntents: number;
}

/** Seqs of the durable kill-switch decision and of the durable intent of `clientOrderId`. */
function durable(path: string, journalId: string, clientOrderId: string): Seen {
  const db = new DatabaseSync(path, { readOnly: true });
  let records: { seq: number; type: string; payload: string }[];
  try {
    records = db.prepare("SELECT seq, type, payload FROM events WHERE type IN ('risk.kill-switch', 'order.intent')").all() as typeof records;
  } finally {
    db.close();
  }
  records.push(...readUrgentLog(path, journalId));
  const seqOf = (type: string, needle: string): number | undefined => {
    const seqs = records.filter((r) => r.type === type && r.payload.includes(needle)).map((r) => r.seq);
    return seqs.length > 0 ? Math.min(...seqs) : undefined;
  };
  const closeSeqs = new Set(records.filter((r) => r.type === "order.intent" && r.payload.includes('"purpose":"kill-switch"')).map((r) => r.seq));
  return {
    clientOrderId,
    decisionSeq: seqOf("risk.kill-switch", '"step":"triggered"'),
    intentSeq: seqOf("order.intent", `"clientOrderId":${JSON.stringify(clientOrderId)}`),
    closeIntents: closeSeqs.size,
  };
}

test("durability=full, worker writer: each kill-switch close order is sent only after its decision and intent are durable, also while the writer is locked out of SQLite", async () => {
  const file = tempJournal();
  const t = await startTestRuntime({
    journalPath: file.path,
    overrides: ["strategy.name=none", "risk.maxLeverage=30", "risk.maxOrderNotional=50000", "risk.maxPositionNotional=50000", "risk.maxGrossExposure=100000"],
    journal: (config) => SqliteJournal.open(config.journal.path, { durability: "full", writer: "worker", busyTimeoutMs: 3_600_000 }),
  });
  try {
    const seen: Seen[] = [];
    watchSubmits(t.venue, (order) => {
      const intent = t.rt.engine.state.orders.get(order.clientOrderId);
      if (intent?.purpose === "kill-switch") seen.push(durable(file.path, t.rt.engine.journal.journalId, order.clientOrderId));
    });
    await t.advance(1_000);
    openPosition(t, "BTCUSDT", "sell", "0.03");
    openPosition(t, "ETHUSDT", "buy", "0.4");
    // Wait for evidence, not for time: the fills, then the closes at the venue.
    while (t.rt.engine.state.portfolio.openPositions().length < 2) await t.advance(100);
    // From here the writer thread cannot commit: this connection holds SQLite's write lock. The
    // closes can go out only as records made durable in the urgent file.
    const blocker = new DatabaseSync(file.path, { timeout: 60_000 });
    blocker.exec("BEGIN IMMEDIATE");
    let outcome;
    try {
      const stopped = new RuntimeView(t.rt).submitCommand({ commandId: "stop-1", command: "stop", source: "test", args: {} });
      while (seen.length < 2) await t.advance(20);
      blocker.exec("ROLLBACK");
      outcome = await stopped;
    } finally {
      blocker.close();
    }
    assert.equal(outcome.ok, true);
    for (const s of seen) {
      assert.ok(s.decisionSeq !== undefined, `${s.clientOrderId} was sent before the kill-switch decision was durable`);
      assert.ok(s.intentSeq !== undefined, `${s.clientOrderId} was sent before its intent was durable`);
      assert.ok(s.decisionSeq < s.intentSeq, `${s.clientOrderId}: the decision precedes the intent in the journal`);
    }
    // One urgent commit for the pass: the first close goes out with the second already durable.
    assert.equal(seen[0]!.closeIntents, 2);
    while (t.rt.engine.state.portfolio.openPositions().length > 0) await t.advance(100);
  } finally {
    await t.stop();
    file.cleanup();
  }
});
