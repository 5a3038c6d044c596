/**
 * Journal before effect when durability fails: an intent whose commit cannot be made durable is
 * never handed to the venue; it is rejected with JOURNAL_NOT_DURABLE, on the ordinary path and on
 * the kill switch's urgent one alike.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JournalPort } from "../../src/engine/journal-port.ts";
import type { CandidateOrder } from "../../src/execution/executor.ts";
import type { VenueOrderRequest } from "../../src/execution/venue-port.ts";
import { type TestRuntime, firstBook, journalWithFlush, limitBuy, ofType, startTestRuntime, tempJournal, watchSubmits } from "./helpers.ts";

/** The real journal, whose flushes fail once `failing` is set (a disk that stopped writing). */
function failingJournal(path: string): JournalPort & { failing: boolean } {
  const refuse = (): Promise<void> => Promise.reject(new Error("disk I/O error (injected)"));
  const journal: JournalPort & { failing: boolean } = Object.assign(
    journalWithFlush(path, (real) => ({
      flush: () => (journal.failing ? refuse() : real.flush()),
      flushUrgent: () => (journal.failing ? refuse() : real.flushUrgent()),
    })),
    { failing: false },
  );
  return journal;
}

async function withFailingJournal(run: (t: TestRuntime, sent: VenueOrderRequest[], entry: (purpose: CandidateOrder["purpose"]) => CandidateOrder) => Promise<void>): Promise<void> {
  const file = tempJournal();
  let journal: ReturnType<typeof failingJournal> | undefined;
  const t = await startTestRuntime({
    journalPath: file.path,
    overrides: ["strategy.name=none"],
    journal: (config) => (journal = failingJournal(config.journal.path)),
  });
  try {
    const book = await firstBook(t);
    const sent: VenueOrderRequest[] = [];
    watchSubmits(t.venue, (order) => sent.push(order));
    journal!.failing = true;
    const entry = (purpose: CandidateOrder["purpose"]): CandidateOrder => limitBuy(book.bid, purpose);
    await run(t, sent, entry);
  } finally {
    journal!.failing = false;
    await t.stop();
    file.cleanup();
  }
}

/** Advances simulated time until `id` is rejected (evidence, not time; the test's timeout only names what never came). */
async function rejectionOf(t: TestRuntime, id: string) {
  for (;;) {
    const r = ofType(t.events, "order.rejected").find((e) => e.clientOrderId === id);
    if (r !== undefined) return r;
    await t.advance(20);
  }
}

test("an ordinary intent whose commit fails is rejected JOURNAL_NOT_DURABLE and never reaches the venue", { timeout: 120_000 }, async () => {
  await withFailingJournal(async (t, sent, entry) => {
    const result = t.rt.executor.submit(entry("entry"));
    assert.ok(result.ok, JSON.stringify(result));
    const rejected = await rejectionOf(t, result.clientOrderId);
    assert.equal(rejected.code, "JOURNAL_NOT_DURABLE");
    assert.match(rejected.reason, /disk I\/O error \(injected\)/);
    assert.deepEqual(sent, []);
    assert.equal(t.rt.engine.state.orders.get(result.clientOrderId)?.status, "REJECTED");
  });
});

test("urgent intents whose commit fails are each rejected JOURNAL_NOT_DURABLE and none reaches the venue", { timeout: 120_000 }, async () => {
  await withFailingJournal(async (t, sent, entry) => {
    const results = t.rt.executor.submitUrgent([entry("kill-switch"), entry("kill-switch")]);
    const ids = results.map((r) => {
      assert.ok(r.ok, JSON.stringify(r));
      return r.clientOrderId;
    });
    for (const id of ids) assert.equal((await rejectionOf(t, id)).code, "JOURNAL_NOT_DURABLE");
    assert.deepEqual(sent, []);
  });
});
