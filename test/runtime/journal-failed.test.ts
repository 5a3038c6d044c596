/**
 * The real SQLite journal stops taking records when a commit fails (here: another process holds
 * the file, as a full or failing disk would stop it): from then on its `append` throws. The engine
 * must stay up, halted, and say why, not crash, and an operator's command must be answered at
 * once, not left hanging:
 * - the intent whose commit failed is rejected JOURNAL_NOT_DURABLE and never reaches the venue
 *   (before: recording that rejection threw out of the executor, an unhandled rejection that
 *   killed the process);
 * - a command is refused with JOURNAL_IO, nothing applied (before: it was applied in memory, never
 *   answered, and every resend of its commandId waited forever), and the API says 503.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { startControlServer } from "../../src/control/http/server.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { Secret } from "../../src/core/secrets.ts";
import type { VenueOrderRequest } from "../../src/execution/venue-port.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { postCommand } from "../control/http-helpers.ts";
import { firstBook, limitBuy, ofType, restingBuyPrice, startTestRuntime, tempJournal, watchSubmits } from "./helpers.ts";

test("a journal whose commits fail: the engine stays up and halted, the intent is rejected, a command is refused at once", { timeout: 120_000 }, async () => {
  const file = tempJournal();
  const failures: Error[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  const t = await startTestRuntime({
    journalPath: file.path,
    overrides: ["strategy.name=none"],
    journal: (config) => SqliteJournal.open(config.journal.path, { durability: "normal", writer: "inline", busyTimeoutMs: 20, onFailure: (e) => failures.push(e) }),
  });
  const token = "journal-failed-test-token-0123456789";
  const view = new RuntimeView(t.rt);
  const server = await startControlServer({ view, port: 0, token: new Secret(token) });
  let intruder: DatabaseSync | undefined;
  try {
    const book = await firstBook(t);
    const sent: VenueOrderRequest[] = [];
    watchSubmits(t.venue, (order) => sent.push(order));
    intruder = new DatabaseSync(file.path);
    intruder.exec("BEGIN EXCLUSIVE");

    const result = t.rt.executor.submit(limitBuy(restingBuyPrice(t.rt, book)));
    assert.ok(result.ok, JSON.stringify(result));
    for (;;) {
      if (ofType(t.events, "order.rejected").some((e) => e.clientOrderId === result.clientOrderId)) break;
      await t.advance(20);
    }
    const rejected = ofType(t.events, "order.rejected").find((e) => e.clientOrderId === result.clientOrderId)!;
    assert.equal(rejected.code, "JOURNAL_NOT_DURABLE");
    assert.deepEqual(sent, []);
    assert.equal(failures.length, 1);
    assert.match(t.rt.engine.journalFailure ?? "", /locked|busy/i);
    assert.ok(ofType(t.events, "alert").some((a) => a.code === "JOURNAL_FAILED"));
    assert.deepEqual(unhandled, []);

    // A command now cannot be journaled: refused at once, nothing applied, the same on a resend.
    const request = { commandId: "jf-1", command: "flatten" as const, source: "test", args: {} };
    for (let i = 0; i < 2; i++) {
      await assert.rejects(view.submitCommand(request), (e) => isHeanError(e, "JOURNAL_IO") && /flatten cannot be journaled and was not applied/.test(e.message));
    }
    assert.equal(t.rt.killSwitch.active, false);
    assert.equal(t.rt.engine.state.commands.has("jf-1"), false);
    const api = await postCommand(server.url, { type: "stop", commandId: "jf-2" }, token);
    assert.equal(api.status, 503, JSON.stringify(api.json));
    assert.equal(api.json.error.code, "ENGINE_UNAVAILABLE");
    assert.match(api.json.error.message, /journal has failed/);
    assert.equal(view.status().tradingState, "halted");
    assert.deepEqual(unhandled, []);
  } finally {
    intruder?.exec("ROLLBACK");
    intruder?.close();
    await server.close();
    await t.stop();
    process.off("unhandledRejection", onUnhandled);
    file.cleanup();
  }
});
