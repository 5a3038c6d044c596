/**
 * A venue answers with events and must not throw; one that does anyway neither takes the engine
 * down nor stalls the orders behind it: the order stays submitted (reconciliation settles it), a
 * critical alert names it, and the rest of its batch still goes out.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { firstBook, limitBuy, ofType, restingBuyPrice, startTestRuntime, tempJournal, watchSubmits } from "./helpers.ts";

test("a venue that throws on one submit: that order is alerted and left submitted, the next one still goes", { timeout: 120_000 }, async () => {
  const file = tempJournal();
  const t = await startTestRuntime({ journalPath: file.path, overrides: ["strategy.name=none"] });
  try {
    const book = await firstBook(t);
    const sent: string[] = [];
    let throws = true;
    watchSubmits(t.venue, (order) => {
      if (throws) {
        throws = false;
        throw new Error("adapter bug (injected)");
      }
      sent.push(order.clientOrderId);
    });
    const order = limitBuy(restingBuyPrice(t.rt, book));
    // Two intents of one turn: one commit, one batch.
    const first = t.rt.executor.submit(order);
    const second = t.rt.executor.submit(order);
    assert.ok(first.ok && second.ok, JSON.stringify([first, second]));
    await t.rt.executor.idle(); // both went out, or were tried
    assert.deepEqual(sent, [second.clientOrderId]);
    const alert = ofType(t.events, "alert").find((a) => a.code === "VENUE_SUBMIT_FAILED");
    assert.ok(alert !== undefined, "a critical alert names the order");
    assert.equal(alert.severity, "critical");
    assert.match(alert.message, new RegExp(`${first.clientOrderId}.*adapter bug \\(injected\\)`));
    assert.equal(t.rt.engine.state.orders.get(first.clientOrderId)?.status, "SUBMITTED");
  } finally {
    await t.stop();
    file.cleanup();
  }
});
