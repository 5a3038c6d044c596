/**
 * Issue 10, defect 2 at the single writer: a commandId is idempotent only for the same payload.
 * A resend (same type and arguments, in any key order, from any sender) is a duplicate that
 * nothing acts on again; another command under a known id is refused and changes nothing, also
 * after the state was rebuilt from the journal (events or snapshot).
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import type { CommandEvent, HeanEvent } from "../../src/core/events.ts";
import { EventBus } from "../../src/bus/event-bus.ts";
import { Engine } from "../../src/engine/engine.ts";
import { EngineState, type EngineSnapshot } from "../../src/engine/engine-state.ts";
import { replayJournal } from "../../src/engine/replay.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { tempJournal } from "../runtime/helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

const command = (commandId: string, type: CommandEvent["command"], args: CommandEvent["args"] = {}, source = "api:127.0.0.1"): CommandEvent => ({
  type: "command",
  ts: 1,
  commandId,
  command: type,
  source,
  args,
});

function engineOn(path: string): { engine: Engine; published: HeanEvent[]; journal: SqliteJournal } {
  const clock = new SimClock(1_000);
  const journal = SqliteJournal.open(path, { durability: "normal", writer: "inline" });
  cleanups.push(() => journal.close());
  const inbox = new EventBus({ clock, mode: "sync" });
  const outbox = new EventBus({ clock, mode: "sync" });
  const engine = new Engine({ state: replayJournal(journal, dec("10000")).state, journal, inbox, outbox, clock });
  const published: HeanEvent[] = [];
  outbox.subscribe("probe", (e) => void published.push(e));
  return { engine, published, journal };
}

test("a resend with the same payload is a duplicate: not journaled, not published, so nothing runs it again", () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const { engine, published, journal } = engineOn(j.path);
  assert.equal(engine.record(command("c1", "set-stoploss", { symbol: "BTCUSDT", pct: 2 })), "applied");
  const seq = journal.lastSeq();
  // Other key order, other sender, later: still the same command.
  assert.equal(engine.record({ ...command("c1", "set-stoploss", { pct: 2, symbol: "BTCUSDT" }, "telegram:42"), ts: 9 }), "duplicate-command");
  assert.equal(journal.lastSeq(), seq);
  assert.equal(published.filter((e) => e.type === "command").length, 1, "the risk layer sees the command once");
});

test("another command under a known commandId is refused with COMMAND_CONFLICT and changes nothing", () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const { engine, published, journal } = engineOn(j.path);
  engine.record(command("c1", "cancel-all"));
  const seq = journal.lastSeq();
  const before = engine.state.snapshot();
  for (const conflicting of [command("c1", "stop"), command("c1", "cancel-all", { reason: "again" })]) {
    assert.equal(engine.record(conflicting), "refused");
    assert.throws(() => (engine.state as EngineState).apply(conflicting), (e) => isHeanError(e, "COMMAND_CONFLICT") && /already used for cancel-all/.test(e.message));
  }
  assert.equal(journal.lastSeq(), seq, "nothing journaled");
  assert.deepEqual(engine.state.snapshot(), before, "state unchanged");
  assert.equal(published.filter((e) => e.type === "command").length, 1, "the conflicting commands never reached the risk layer");
  const refusals = published.filter((e) => e.type === "alert" && e.code === "ENGINE_EVENT_REFUSED");
  assert.equal(refusals.length, 2, "each refusal is alerted");
});

test("after a restart the journal still tells a resend from a conflict: replayed from events and from a snapshot", () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const first = engineOn(j.path);
  first.engine.record(command("c1", "cancel-all"));
  first.engine.record(command("c2", "set-stoploss", { symbol: "ETHUSDT", pct: 1.5 }));
  first.journal.flushSync();
  first.journal.close();

  const fromEvents = engineOn(j.path);
  assert.equal(fromEvents.engine.state.commands.size, 2);
  assert.equal(fromEvents.engine.record(command("c1", "cancel-all")), "duplicate-command");
  assert.equal(fromEvents.engine.record(command("c1", "stop")), "refused");
  assert.equal(fromEvents.engine.record(command("c2", "set-stoploss", { pct: 1.5, symbol: "ETHUSDT" })), "duplicate-command");
  assert.equal(fromEvents.engine.record(command("c2", "set-stoploss", { symbol: "ETHUSDT", pct: 3 })), "refused");
  fromEvents.engine.snapshot();
  fromEvents.journal.flushSync();
  fromEvents.journal.close();

  const fromSnapshot = engineOn(j.path);
  assert.equal(fromSnapshot.journal.latestSnapshot()?.seq, fromSnapshot.journal.lastSeq(), "the state comes from the snapshot alone");
  assert.equal(fromSnapshot.engine.record(command("c1", "cancel-all")), "duplicate-command");
  assert.equal(fromSnapshot.engine.record(command("c1", "stop")), "refused");
  assert.equal(fromSnapshot.engine.record(command("c2", "set-stoploss", { symbol: "ETHUSDT", pct: 3 })), "refused");
  assert.equal(fromSnapshot.engine.state.tradingState(), "active");
});

test("a snapshot from before payloads were kept: a resend without arguments is a duplicate, anything else a conflict", () => {
  const st = new EngineState(dec("10000"));
  st.apply(command("old-stop", "stop"));
  st.apply(command("old-sl", "set-stoploss", { symbol: "BTCUSDT", pct: 2 }));
  const legacy: EngineSnapshot = { ...st.snapshot(), commands: st.snapshot().commands.map(({ payload: _, ...c }) => c) };
  const restored = EngineState.fromSnapshot(legacy);
  assert.equal(restored.apply(command("old-stop", "stop")), "duplicate-command");
  assert.throws(() => restored.apply(command("old-stop", "flatten")), (e) => isHeanError(e, "COMMAND_CONFLICT"));
  // The arguments were not kept: the safe answer is a conflict (nothing done, the sender told), never a silent duplicate.
  assert.throws(() => restored.apply(command("old-sl", "set-stoploss", { symbol: "BTCUSDT", pct: 2 })), (e) => isHeanError(e, "COMMAND_CONFLICT"));
});
