/**
 * Issue 10, defect 2's sibling for fills: fills are de-duplicated by the venue's execution id,
 * and a second report of one execution may differ in source, fee or time; but one that differs
 * in symbol, side, quantity or price is not the same fill. The first stands, nothing changes,
 * and it is alerted (critical), never dropped silently; also after a restart from a snapshot.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EventBus } from "../../src/bus/event-bus.ts";
import { Engine } from "../../src/engine/engine.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { replayJournal } from "../../src/engine/replay.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { tempJournal } from "../runtime/helpers.ts";
import { accepted, fill, intent, submitted } from "./fixtures.ts";

test("a known execution id with other numbers is alerted and changes nothing; with another fee or source it is a plain duplicate", () => {
  const j = tempJournal();
  const journal = SqliteJournal.open(j.path, { durability: "normal", writer: "inline" });
  try {
    const clock = new SimClock(1_000);
    const outbox = new EventBus({ clock, mode: "sync" });
    const engine = new Engine({ state: new EngineState(dec("10000")), journal, inbox: new EventBus({ clock, mode: "sync" }), outbox, clock });
    const published: HeanEvent[] = [];
    outbox.subscribe("probe", (e) => void published.push(e));
    for (const e of [intent("a"), submitted("a"), accepted("a"), fill("f1", "a", "0.5", "100")]) assert.equal(engine.record(e), "applied");
    const seq = journal.lastSeq();
    const before = engine.state.snapshot();

    assert.equal(engine.record(fill("f1", "a", "0.5", "100", { source: "reconciliation", fee: dec("0.07") })), "duplicate-fill");
    assert.equal(engine.record(fill("f1", "a", "0.4", "100", { source: "reconciliation" })), "conflicting-fill");
    assert.deepEqual(engine.state.snapshot(), before, "the first report stands");
    assert.equal(journal.lastSeq(), seq, "nothing journaled");
    const alerts = published.filter((e) => e.type === "alert" && e.code === "FILL_CONFLICT");
    assert.equal(alerts.length, 1);
    assert.ok(alerts[0]!.type === "alert" && alerts[0]!.severity === "critical");
    assert.match(alerts[0]!.type === "alert" ? alerts[0]!.message : "", /kept BTCUSDT buy 0\.5 @ 100, ignored BTCUSDT buy 0\.4 @ 100/);
    assert.equal(published.filter((e) => e.type === "order.filled").length, 1, "only the first fill reached anyone");

    // A restart from a snapshot still knows what the fill said.
    engine.snapshot();
    journal.flushSync();
    const { state: restored, report } = replayJournal(journal, dec("10000"));
    assert.equal(report.fromSnapshotSeq, journal.lastSeq(), "rebuilt from the snapshot alone");
    assert.equal(restored.apply(fill("f1", "a", "0.5", "100")), "duplicate-fill");
    assert.equal(restored.apply(fill("f1", "a", "0.5", "99")), "conflicting-fill");
  } finally {
    journal.close();
    j.cleanup();
  }
});

test("a snapshot from before fill prints were kept: a known id is a plain duplicate (nothing to compare with)", () => {
  const st = new EngineState(dec("10000"));
  for (const e of [intent("a"), submitted("a"), accepted("a"), fill("f1", "a", "0.5", "100")]) st.apply(e);
  const { fillPrints: _, ...legacy } = st.snapshot();
  const restored = EngineState.fromSnapshot(legacy);
  assert.equal(restored.apply(fill("f1", "a", "0.3", "90")), "duplicate-fill");
});

test("the fill memory stays bounded: past 50,000 ids the oldest is forgotten first", () => {
  const st = new EngineState(dec("10000000"));
  for (let i = 0; i <= 50_000; i++) st.apply(fill(`x${i}`, undefined, "0.001", "100", { side: i % 2 === 0 ? "buy" : "sell" }));
  assert.equal(st.hasFill("x0"), false, "the oldest id was evicted");
  assert.equal(st.hasFill("x1"), true);
  assert.equal(st.hasFill("x50000"), true);
  assert.equal(st.snapshot().fillIds.length, 50_000);
  assert.equal(st.snapshot().fillPrints?.length, 50_000);
});
