/**
 * Journal before effect on the kill switch's fast path: with durability=full and the worker
 * writer, a close order reaches the (simulated) venue only after the kill-switch decision and
 * that order's intent are committed. Checked at the moment the venue is handed the order, by
 * reading the file through a connection of its own, which sees committed records only.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import type { VenueOrderRequest } from "../../src/execution/venue-port.ts";
import { openPosition, startTestRuntime, tempJournal } from "./helpers.ts";

interface Seen {
  readonly clientOrderId: string;
  readonly decisionSeq: number | undefined;
  readonly intentSeq: number | undefined;
  /** Kill-switch intents committed when this order was handed over. */
  readonly closeIntents: number;
}

/** Seqs of the committed kill-switch decision and of the committed intent of `clientOrderId`. */
function committed(path: string, clientOrderId: string): Seen {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const seqOf = (type: string, needle: string): number | undefined =>
      (db.prepare("SELECT seq FROM events WHERE type = ? AND instr(payload, ?) > 0 ORDER BY seq LIMIT 1").get(type, needle) as
        | { seq: number }
        | undefined)?.seq;
    return {
      clientOrderId,
      decisionSeq: seqOf("risk.kill-switch", '"step":"triggered"'),
      intentSeq: seqOf("order.intent", `"clientOrderId":${JSON.stringify(clientOrderId)}`),
      closeIntents: (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'order.intent' AND instr(payload, ?) > 0").get('"purpose":"kill-switch"') as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

test("durability=full, worker writer: each kill-switch close order is sent only after its decision and intent are committed", async () => {
  const file = tempJournal();
  const t = await startTestRuntime({
    journalPath: file.path,
    overrides: ["strategy.name=none", "risk.maxLeverage=30", "risk.maxOrderNotional=50000", "risk.maxPositionNotional=50000", "risk.maxGrossExposure=100000"],
    journal: (config) => SqliteJournal.open(config.journal.path, { durability: "full", writer: "worker" }),
  });
  try {
    const seen: Seen[] = [];
    const submit = t.venue.submit.bind(t.venue);
    t.venue.submit = (order: VenueOrderRequest): void => {
      const intent = t.rt.engine.state.orders.get(order.clientOrderId);
      if (intent?.purpose === "kill-switch") seen.push(committed(file.path, order.clientOrderId));
      submit(order);
    };
    await t.advance(1_000);
    openPosition(t, "BTCUSDT", "sell", "0.03");
    openPosition(t, "ETHUSDT", "buy", "0.4");
    // Wait for evidence, not for time: the fills, then the closes at the venue.
    while (t.rt.engine.state.portfolio.openPositions().length < 2) await t.advance(100);
    const outcome = await new RuntimeView(t.rt).submitCommand({ commandId: "stop-1", command: "stop", source: "test", args: {} });
    assert.equal(outcome.ok, true);
    while (seen.length < 2) await t.advance(20);
    for (const s of seen) {
      assert.ok(s.decisionSeq !== undefined, `${s.clientOrderId} was sent before the kill-switch decision was committed`);
      assert.ok(s.intentSeq !== undefined, `${s.clientOrderId} was sent before its intent was committed`);
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
