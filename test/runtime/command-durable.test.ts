/**
 * An operator's command is answered only once it and its result are durable in the journal, on
 * the API and Telegram as on the command bus: told "stopped", the operator must not find after a
 * crash in the next millisecond an engine that never heard of the stop. The engine still acts in
 * the same turn; only the answer waits for the journal. Before, the answer went out as soon as the
 * result was recorded in memory, ahead of the commit.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { journalWithFlush, ofType, startTestRuntime, tempJournal } from "./helpers.ts";

test("a command's outcome comes after a flush that covers its result; a flush that fails says the command is not durable", { timeout: 60_000 }, async () => {
  const file = tempJournal();
  /** The highest sequence a completed flush made durable (what the engine asked to be made durable). */
  let flushedThrough = 0;
  let failing = false;
  const t = await startTestRuntime({
    journalPath: file.path,
    overrides: ["strategy.name=none"],
    journal: (config) =>
      journalWithFlush(config.journal.path, (real) => {
        const flush = async (): Promise<void> => {
          const target = real.lastSeq();
          if (failing) throw new Error("disk I/O error (injected)");
          await real.flush();
          flushedThrough = Math.max(flushedThrough, target);
        };
        return { flush, flushUrgent: flush };
      }),
  });
  const view = new RuntimeView(t.rt);
  try {
    const outcome = await view.submitCommand({ commandId: "durable-1", command: "stop", source: "test", args: {} });
    assert.equal(outcome.ok, true);
    const resultSeq = t.rt.engine.journal.lastSeq();
    assert.ok(ofType(t.events, "command.result").some((e) => e.commandId === "durable-1"));
    assert.ok(flushedThrough >= resultSeq, `answered with the journal flushed through ${flushedThrough}, the result at ${resultSeq}`);

    // The same commandId again: the earlier outcome, also only once durable.
    const again = await view.submitCommand({ commandId: "durable-1", command: "stop", source: "test", args: {} });
    assert.deepEqual([again.ok, again.duplicate], [true, true]);

    // A flush that fails: the command took effect in memory, and the answer says it is not durable.
    failing = true;
    await assert.rejects(
      view.submitCommand({ commandId: "durable-2", command: "resume", source: "test", args: {} }),
      (e) => isHeanError(e, "JOURNAL_IO") && /resume was applied \(resumed\) but the journal could not make it durable/.test(e.message),
    );
  } finally {
    failing = false;
    await t.stop();
    file.cleanup();
  }
});
