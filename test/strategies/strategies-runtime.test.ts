/**
 * Several strategies of one's own in one run on the built-in simulated venue: each on its symbol
 * with its capital share, max hold and urgency; a broken one is disabled with an alert while the
 * others go on; every entry's size is journaled with its inputs and recomputes the same on replay.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { HeanEvent } from "../../src/core/events.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { sizeOrder } from "../../src/risk/sizing.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { ofType, startTestRuntime, tempJournal, type TestRuntime } from "../runtime/helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-strategies-rt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Opens once whenever flat and idle (a taker entry when aggressive, not before `startAfterMs`), never closes by itself. */
const OPENER = join(dir, "opener.ts");
writeFileSync(
  OPENER,
  `export default {
  name: "opener",
  params: { sizeFraction: { kind: "number", min: 0, max: 1, minExclusive: true }, urgency: { kind: "choice", values: ["passive", "aggressive"] }, closeAfterMs: { kind: "number", min: 0, max: 1e9 }, startAfterMs: { kind: "number", min: 0, max: 1e9 } },
  defaults: { sizeFraction: 1, urgency: "aggressive", closeAfterMs: 0, startAfterMs: 0 },
  create(p) {
    let openedAt = -Infinity;
    let firstBookAt;
    return {
      onBook(book, view) {
        firstBookAt ??= view.now();
        if (view.now() - firstBookAt < p.startAfterMs) return undefined;
        if (view.hasWorkingOrders(book.symbol)) return undefined;
        const held = view.positionQty(book.symbol);
        if (held === 0) {
          openedAt = view.now();
          return { action: "open", symbol: book.symbol, side: "buy", stopDistance: 0.1, sizeFraction: p.sizeFraction, urgency: p.urgency, reason: "open" };
        }
        if (p.closeAfterMs > 0 && view.now() - openedAt >= p.closeAfterMs) return { action: "close", symbol: book.symbol, urgency: "aggressive" };
        return undefined;
      },
    };
  },
};
`,
);

/** Throws on its third book, or returns a broken signal, depending on \`mode\`. */
const BROKEN = join(dir, "broken.ts");
writeFileSync(
  BROKEN,
  `const calls = (globalThis.__brokenCalls ??= { n: 0 });
export default {
  name: "broken",
  params: { mode: { kind: "choice", values: ["throw", "bad-signal"] } },
  defaults: { mode: "throw" },
  create(p) {
    return {
      onBook(book) {
        calls.n++;
        if (calls.n < 3) return undefined;
        if (p.mode === "throw") throw new Error("kaboom on book " + calls.n);
        return { action: "open", symbol: book.symbol, side: "buy", stopDistance: -1 };
      },
    };
  },
};
`,
);

const runs: { cleanup(): void }[] = [];
after(() => runs.forEach((r) => r.cleanup()));

async function start(strategies: unknown[], extra: string[] = []): Promise<TestRuntime & { journalPath: string }> {
  const j = tempJournal();
  runs.push(j);
  const t = await startTestRuntime({ journalPath: j.path, overrides: [`strategies=${JSON.stringify(strategies)}`, ...extra] });
  return Object.assign(t, { journalPath: j.path });
}

function journaled(path: string): HeanEvent[] {
  const journal = SqliteJournal.open(path, { writer: "inline" });
  try {
    return [...journal.read()].map((r) => r.event);
  } finally {
    journal.close();
  }
}

async function until(t: TestRuntime, what: string, ok: () => boolean, maxMs = 30_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 100) {
    if (waited > maxMs) assert.fail(`simulated ${maxMs} ms passed without: ${what}`);
    await t.advance(100);
  }
}

test("two strategies, each on its symbol with its capital share, urgency and max hold; sizes journaled and recomputed from the journal", async () => {
  const t = await start([
    { file: OPENER, symbol: "BTCUSDT", capitalShare: 0.5, maxHoldMs: 3_000, params: { urgency: "aggressive" } },
    { file: OPENER, symbol: "ETHUSDT", capitalShare: 0.25, params: { sizeFraction: 0.5, urgency: "passive" } },
  ]);
  assert.deepEqual(t.config.symbols, ["BTCUSDT", "ETHUSDT"], "the run trades the strategies' symbols");
  assert.deepEqual(t.rt.trading.slots.map((s) => s.id), ["opener-BTCUSDT", "opener-ETHUSDT"]);
  await until(t, "both strategies sized an entry", () => new Set(ofType(t.events, "order.sized").map((e) => e.strategyId)).size === 2);
  await until(t, "the BTC position is closed at its strategy's max hold", () => ofType(t.events, "risk.force-close").some((e) => e.symbol === "BTCUSDT" && e.reason === "MAX_HOLD"));
  const forced = ofType(t.events, "risk.force-close");
  assert.ok(forced.every((e) => e.symbol === "BTCUSDT"), "ETH keeps the account-wide max hold (15 min)");
  assert.match(forced[0]!.detail, /max hold 3000 ms of strategy opener-BTCUSDT/);

  const parents = ofType(t.events, "router.parent").filter((p) => p.purpose === "entry");
  assert.equal(parents.find((p) => p.symbol === "BTCUSDT")?.urgency, "immediate", "aggressive → taken at once");
  assert.equal(parents.find((p) => p.symbol === "ETHUSDT")?.urgency, "passive");
  assert.ok(parents.every((p) => p.strategyId === `opener-${p.symbol}`));
  await t.stop();

  const sized = journaled(t.journalPath).filter((e) => e.type === "order.sized");
  assert.ok(sized.length >= 2);
  for (const e of sized) {
    const share = e.symbol === "BTCUSDT" ? 0.5 : 0.25;
    assert.equal(e.inputs.capitalShare, share);
    assert.equal(e.inputs.sizeFraction, e.symbol === "BTCUSDT" ? 1 : 0.5);
    // Replay: the journaled inputs give the same quantity and the same steps.
    const again = sizeOrder({ ...e.inputs, instrument: t.rt.instruments.get(e.symbol) }, t.config.risk);
    assert.equal(again.qty, e.qty);
    assert.deepEqual(again.steps.map((s) => [s.step, s.qty]), e.steps.map((s) => [s.step, s.qty]));
    assert.ok(e.steps.some((s) => s.step === "strategy-allowance"));
    assert.match(e.steps[0]!.note, new RegExp(`share ${share}`));
  }
});

for (const mode of ["throw", "bad-signal"] as const) {
  test(`a strategy that ${mode === "throw" ? "throws" : "returns a bad signal"} is disabled with an alert; the engine and the other strategy go on`, async () => {
    (globalThis as { __brokenCalls?: { n: number } }).__brokenCalls = { n: 0 };
    const t = await start([
      { file: BROKEN, symbol: "BTCUSDT", capitalShare: 0.5, params: { mode } },
      { file: OPENER, symbol: "ETHUSDT", capitalShare: 0.5, params: { closeAfterMs: 500 } },
    ]);
    await until(t, "the broken strategy is disabled", () => ofType(t.events, "alert").some((a) => a.code === "STRATEGY_DISABLED"));
    const alert = ofType(t.events, "alert").find((a) => a.code === "STRATEGY_DISABLED")!;
    assert.equal(alert.severity, "critical");
    assert.equal(alert.context.strategyId, "broken-BTCUSDT");
    assert.match(alert.message, mode === "throw" ? /onBook threw Error: kaboom on book 3/ : /onBook returned a bad signal: signal\.stopDistance must be a fraction of price in \(0, 1\), got -1/);
    const calls = (globalThis as { __brokenCalls?: { n: number } }).__brokenCalls!.n;
    const sizedBefore = ofType(t.events, "order.sized").length;
    await until(t, "the other strategy trades on", () => ofType(t.events, "order.sized").length > sizedBefore + 1);
    assert.equal((globalThis as { __brokenCalls?: { n: number } }).__brokenCalls!.n, calls, "a disabled strategy gets no more data");
    assert.equal(t.rt.trading.slots[0]!.disabled !== undefined, true);
    // The run's report names it too, with the alert's time and problem, and the dashboard's
    // strategy panel shows it disabled rather than trading.
    const problem = `${String(alert.context.handler)} ${String(alert.context.problem)}`;
    assert.deepEqual(t.rt.report().disabled?.map((d) => [d.strategyId, d.at, d.problem]), [["broken-BTCUSDT", alert.ts, problem]]);
    const panel = new RuntimeView(t.rt).strategies();
    assert.deepEqual(panel.map((s) => [s.id, s.state === "disabled", s.disabled]), [["broken-BTCUSDT", true, { ts: alert.ts, problem }], ["opener-ETHUSDT", false, null]]);
    assert.ok(ofType(t.events, "order.sized").every((e) => e.strategyId === "opener-ETHUSDT"));
    assert.equal(ofType(t.events, "alert").filter((a) => a.code === "STRATEGY_DISABLED").length, 1, "reported once");
    assert.equal(t.rt.engine.state.tradingState(), "active");
    await t.stop();
  });
}

test("realised volatility is measured while flat: the first entry after a quiet start is sized with it", async () => {
  // Marks are journaled only while a position is held: an estimate fed by them had nothing here.
  const t = await start([{ file: OPENER, symbol: "BTCUSDT", capitalShare: 1, params: { startAfterMs: 2_000 } }], [
    'risk.realisedVolatility={"sampleMs":100,"samples":5,"horizonMs":3600000}',
    "risk.volatilityTargetPct=0.0001",
  ]);
  await until(t, "the first entry", () => ofType(t.events, "order.sized").length > 0);
  const first = ofType(t.events, "order.sized")[0]!;
  assert.equal(ofType(t.events, "mark").filter((m) => m.ts < first.ts).length, 1, "only the first book's mark before the entry");
  assert.ok(first.inputs.realisedVolPct !== undefined && first.inputs.realisedVolPct > 0, "an estimate from the books seen while flat");
  assert.match(first.steps.find((s) => s.step === "volatility")!.note, /× 0\.25 \(target 0\.0001% \/ realised/);
  await t.stop();
});

test("size steps down after consecutive losing trades, and realised volatility scales it once warmed up", async () => {
  const t = await start([{ file: OPENER, symbol: "BTCUSDT", capitalShare: 1, params: { closeAfterMs: 300 } }], [
    'risk.lossStepDown={"after":2,"factor":0.5,"floor":0.25}',
    'risk.realisedVolatility={"sampleMs":100,"samples":5,"horizonMs":3600000}',
    "journal.markIntervalMs=100",
    "risk.volatilityTargetPct=0.0001",
  ]);
  // Taker in and out: every round trip pays the spread and two fees, so each one loses.
  await until(t, "three losing trades behind an entry", () => ofType(t.events, "order.sized").some((e) => (e.inputs.lossStepDown?.streak ?? 0) >= 3));
  const sized = ofType(t.events, "order.sized");
  const trades = t.rt.engine.state.performance.recentTrades();
  assert.ok(trades.length >= 3 && trades.every((x) => x.netPnl < 0n), "taker round trips lose");
  const streak2 = sized.find((e) => e.inputs.lossStepDown?.streak === 2)!;
  assert.equal(streak2.inputs.lossStepDown!.factor, 0.5);
  const streak3 = sized.find((e) => e.inputs.lossStepDown?.streak === 3)!;
  assert.equal(streak3.inputs.lossStepDown!.factor, 0.25);
  assert.ok(streak3.steps.some((s) => s.step === "loss-step-down" && /3 losing trades in a row/.test(s.note)));
  assert.equal(sized[0]!.inputs.lossStepDown, undefined, "no step-down before any loss");
  const withVol = sized.find((e) => e.inputs.realisedVolPct !== undefined);
  assert.ok(withVol !== undefined, "realised volatility warms up");
  const volStep = withVol.steps.find((s) => s.step === "volatility")!;
  assert.match(volStep.note, /× 0\.25 \(target 0\.0001% \/ realised/, "a tiny target takes the floor");
  await t.stop();
});
