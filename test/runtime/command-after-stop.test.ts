/**
 * A command that reaches a stopped engine (the API, Telegram and the command bus close after the
 * runtime: a shutdown leaves them a moment) is refused at once with BUS_CLOSED, nothing applied,
 * and the API answers 503: before, it went onto the closed intake, nobody ever answered it, and
 * the operator got an empty reply (HTTP), a handler waiting for good (Telegram), or a bus entry
 * held until its timeout.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startControlServer } from "../../src/control/http/server.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { Secret } from "../../src/core/secrets.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { postCommand } from "../control/http-helpers.ts";
import { startTestRuntime, tempJournal } from "./helpers.ts";

test("a command to a stopped engine is refused at once, not applied, and the API says 503", { timeout: 60_000 }, async () => {
  const file = tempJournal();
  const t = await startTestRuntime({ journalPath: file.path, overrides: ["strategy.name=none"] });
  const token = "command-after-stop-token-0123456789";
  const view = new RuntimeView(t.rt);
  const server = await startControlServer({ view, port: 0, token: new Secret(token) });
  try {
    // Running, a command is answered as ever.
    const before = await view.submitCommand({ commandId: "before-1", command: "cancel-all", source: "test", args: {} });
    assert.equal(before.ok, true);

    await t.stop();
    await assert.rejects(
      view.submitCommand({ commandId: "late-1", command: "flatten", source: "test", args: {} }),
      (e) => isHeanError(e, "BUS_CLOSED") && /stopped taking commands/.test(e.message) && /flatten was not applied/.test(e.message),
    );
    assert.equal(t.rt.engine.state.commands.has("late-1"), false);
    const api = await postCommand(server.url, { type: "stop", commandId: "late-2" }, token);
    assert.equal(api.status, 503, JSON.stringify(api.json));
    assert.equal(api.json.error.code, "ENGINE_UNAVAILABLE");
    // What it answered before it stopped it still answers, as the duplicate it is.
    const again = await view.submitCommand({ commandId: "before-1", command: "cancel-all", source: "test", args: {} });
    assert.deepEqual([again.ok, again.duplicate], [true, true]);
  } finally {
    await server.close();
    file.cleanup();
  }
});
