/**
 * A stop that keeps working orders (`shutdown.workingOrders=keep`) still lets out what is already
 * recorded: an intent waiting on its commit when the stop begins goes to the venue before the
 * venue stops. Otherwise the journal would say "submitted" for an order the stopped venue dropped,
 * and only the next start's reconciliation would find that it never existed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JournalPort } from "../../src/engine/journal-port.ts";
import type { CandidateOrder, SubmitResult } from "../../src/execution/executor.ts";
import { type TestRuntime, firstBook, journalWithFlush, limitBuy, ofType, restingBuyPrice, startTestRuntime, tempJournal, watchSubmits } from "./helpers.ts";

/** The real journal, whose commits wait while held (a slow disk) and go on once released. */
function heldJournal(path: string): JournalPort & { hold(): () => void } {
  let gate: Promise<void> | undefined;
  const after = (commit: () => Promise<void>): Promise<void> => (gate === undefined ? commit() : gate.then(commit));
  const hold = (): (() => void) => {
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve)).then(() => void (gate = undefined));
    return release;
  };
  const journal = journalWithFlush(path, (real) => ({ flush: () => after(() => real.flush()), flushUrgent: () => after(() => real.flushUrgent()) }));
  return Object.assign(journal, { hold });
}

/**
 * Starts a runtime that keeps its working orders on stop, submits through `submit` while the
 * journal's commits are held, begins the stop, and only then releases the commits. Returns the
 * venue calls in the order they came, and the runtime's events.
 */
async function stopWhileCommitHeld(submit: (t: TestRuntime, entry: (purpose: CandidateOrder["purpose"]) => CandidateOrder) => SubmitResult[]) {
  const file = tempJournal();
  let journal: ReturnType<typeof heldJournal> | undefined;
  const t = await startTestRuntime({
    journalPath: file.path,
    overrides: ["strategy.name=none", "shutdown.workingOrders=keep"],
    journal: (config) => (journal = heldJournal(config.journal.path)),
  });
  try {
    const book = await firstBook(t);
    const calls: string[] = [];
    watchSubmits(t.venue, (order) => calls.push(`submit ${order.clientOrderId}`));
    const venueStop = t.venue.stop.bind(t.venue);
    t.venue.stop = (): Promise<void> => {
      calls.push("stop");
      return venueStop();
    };
    const release = journal!.hold();
    // Resting far below the market: it stays working, which `keep` leaves at the venue.
    const price = restingBuyPrice(t.rt, book);
    const entry = (purpose: CandidateOrder["purpose"]): CandidateOrder => limitBuy(price, purpose);
    const ids = submit(t, entry).map((r) => {
      assert.ok(r.ok, JSON.stringify(r));
      return r.clientOrderId;
    });
    assert.deepEqual(calls, [], "nothing goes out before its commit");
    // The stop runs up to its first wait at once; the commit lands only after that.
    const stopped = t.stop();
    release();
    await stopped;
    return { ids, calls, events: t.events };
  } finally {
    file.cleanup();
  }
}

test("a stop with working orders kept sends the intent that was waiting on its commit before it stops the venue", { timeout: 120_000 }, async () => {
  const { ids, calls, events } = await stopWhileCommitHeld((t, entry) => [t.rt.executor.submit(entry("entry"))]);
  assert.deepEqual(calls, [`submit ${ids[0]}`, "stop"]);
  assert.deepEqual(
    ofType(events, "order.submitted").map((e) => e.clientOrderId),
    ids,
  );
  const types = events.map((e) => e.type);
  assert.ok(types.indexOf("order.submitted") < types.indexOf("system.stopped"), "submitted is journaled before the stop");
});

test("a stop with working orders kept sends urgent intents that were waiting on their commit before it stops the venue", { timeout: 120_000 }, async () => {
  const { ids, calls } = await stopWhileCommitHeld((t, entry) => t.rt.executor.submitUrgent([entry("kill-switch"), entry("kill-switch")]));
  assert.deepEqual(calls, [...ids.map((id) => `submit ${id}`), "stop"]);
});
