import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { dec } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import type { BookEvent } from "../../src/core/events.ts";
import { createStrategyFromFile, loadStrategyModule } from "../../src/strategies/load.ts";
import type { StrategyView } from "../../src/strategies/strategy.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-strategy-load-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string, ext = ".ts"): string {
  const path = join(dir, `s${n++}${ext}`);
  writeFileSync(path, text);
  return path;
}

const GOOD = `
import type { StrategyDefinition } from "${join(process.cwd(), "src/strategies/module.ts")}";
interface P { readonly threshold: number; readonly mode: "a" | "b" }
const def: StrategyDefinition<P> = {
  name: "buyer",
  params: { threshold: { kind: "number", min: 0, max: 10 }, mode: { kind: "choice", values: ["a", "b"] } },
  defaults: { threshold: 1, mode: "a" },
  create(params, ctx) {
    return {
      onBook(book, view) {
        if (view.positionQty(book.symbol) === 0 && book.bid > params.threshold) {
          return { action: "open", symbol: book.symbol, side: "buy", stopDistance: 0.01, reason: ctx.id + " " + params.mode, sizeFraction: 0.5, urgency: "aggressive" };
        }
        return undefined;
      },
    };
  },
};
export default def;
`;

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isHeanError(e, "STRATEGY_INVALID"), `expected STRATEGY_INVALID, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

const clock = new SimClock(1_000);
const view: StrategyView = { now: () => clock.now(), positionQty: () => 0, hasWorkingOrders: () => false };
const book = (bid: string): BookEvent => ({ type: "market.book", ts: 1_000, symbol: "BTCUSDT", bid: dec(bid), bidQty: dec("1"), ask: dec("100.5"), askQty: dec("1"), venueTs: 1_000, afterGap: false });

describe("strategy files", () => {
  it("loads a TypeScript strategy, lays params over defaults and completes its signals", async () => {
    const s = await createStrategyFromFile(file(GOOD), { mode: "b" }, { id: "mine", symbols: ["BTCUSDT"] });
    assert.equal(s.id, "mine");
    assert.equal(s.onBook(book("0.5"), view), undefined);
    const signal = s.onBook(book("100"), view);
    assert.deepEqual(signal, {
      type: "signal",
      ts: 1_000,
      strategyId: "mine",
      symbol: "BTCUSDT",
      reason: "mine b",
      action: "open",
      side: "buy",
      confidence: 0.5,
      stopDistance: 0.01,
      urgency: "aggressive",
      sizeFraction: 0.5,
    });
  });

  it("takes the definition's name as id by default", async () => {
    const s = await createStrategyFromFile(file(GOOD));
    assert.equal(s.id, "buyer");
  });

  it("loads the worked example", async () => {
    const loaded = await loadStrategyModule("examples/strategies/mean-reversion.ts");
    assert.equal(loaded.definition.name, "mean-reversion");
    assert.equal(loaded.defaults.window, 60);
  });

  it("refuses what does not fit, naming it", async () => {
    await refused(createStrategyFromFile(join(dir, "missing.ts")), /no such file/);
    await refused(createStrategyFromFile(file("x", ".txt")), /must be a \.ts/);
    await refused(createStrategyFromFile(file("export const x = 1;")), /no default export/);
    await refused(createStrategyFromFile(file("export default 42;")), /default export must be an object/);
    await refused(createStrategyFromFile(file("export default { name: 'x' };")), /create must be a function/);
    await refused(createStrategyFromFile(file("export default { name: 'bad name!', create() {} };")), /name must be/);
    await refused(createStrategyFromFile(file("enum E { A } export default { name: 'x', create() { return {} } };")), /cannot be loaded.*erasing types/s);
    await refused(createStrategyFromFile(file("export default { name: 'x', create() { return {}; } };")), /onBook/);
    await refused(createStrategyFromFile(file("export default { name: 'x', create() { throw new Error('boom'); } };")), /create threw: boom/);
    await refused(createStrategyFromFile(file("export default { name: 'x', params: { a: { kind: 'number', min: 0, max: 1 } }, create() { return { onBook() {} }; } };")), /defaults\.a is missing/);
    await refused(createStrategyFromFile(file("export default { name: 'x', params: { a: { kind: 'nope' } }, defaults: { a: 1 }, create() { return { onBook() {} }; } };")), /params\.a\.kind must be/);
    await refused(createStrategyFromFile(file("export default { name: 'x', params: { a: { kind: 'number', min: 0, max: 1 } }, defaults: { a: 5 }, create() { return { onBook() {} }; } };")), /defaults\.a must be a number in \[0, 1\], got 5/);
    await refused(createStrategyFromFile(file(GOOD), { threshold: 11 }), /params\.threshold must be a number in \[0, 10\], got 11/);
    await refused(createStrategyFromFile(file(GOOD), { nope: 1 }), /params\.nope is not a parameter of this strategy \(known: threshold, mode\)/);
    await refused(createStrategyFromFile(file(GOOD), {}, { id: "bad id" }), /strategy id must be/);
    await refused(createStrategyFromFile(file("throw new Error('at import');")), /cannot be loaded: at import/);
  });

  it("says where a module that cannot be loaded went wrong: file, line and column", async () => {
    const ts = file("const a = 1;\nexport default { name: 'x', create() { return { onBook() { return a +; } }; } };\n");
    await refused(createStrategyFromFile(ts), new RegExp(`cannot be loaded: .* \\(at ${ts}:2:\\d+\\)$`));
    const js = file("const a = 1;\n\nexport default { name: 'x', create() { return { onBook() { return a +; } }; } };\n", ".mjs");
    await refused(createStrategyFromFile(js), new RegExp(`cannot be loaded: Unexpected token .* \\(at ${js}:3:\\d+\\)$`));
    const throws = file("const a = 1;\nif (a === 1) throw new Error('at import');\nexport default {};\n");
    await refused(createStrategyFromFile(throws), new RegExp(`cannot be loaded: at import \\(at ${throws}:2:\\d+\\)$`));
  });
});

describe("the two-strategies example configuration", () => {
  it("validates and builds: a built-in and the worked example, each placed on its symbol", async () => {
    const { loadConfig } = await import("../../src/config/config.ts");
    const { buildStrategies } = await import("../../src/strategies/build.ts");
    const config = loadConfig({ file: "examples/strategies/two-strategies.json" });
    assert.deepEqual(config.symbols, ["BTCUSDT", "ETHUSDT"]);
    const placed = await buildStrategies(config.strategies);
    assert.deepEqual(
      placed.map((p) => [p.strategy.id, p.symbols, p.capitalShare, p.maxHoldMs, p.horizonUtc]),
      [
        ["impulse-BTCUSDT", ["BTCUSDT"], 0.5, 600_000, undefined],
        ["mean-reversion-ETHUSDT", ["ETHUSDT"], 0.3, 3_600_000, "21:00"],
      ],
    );
  });

  it("refuses two entries that end up with the same id", async () => {
    const { buildStrategies } = await import("../../src/strategies/build.ts");
    const spec = { source: { kind: "builtin", name: "churn" }, params: {}, capitalShare: 0.1, id: "same" } as const;
    await refused(buildStrategies([{ ...spec, symbol: "BTCUSDT" }, { ...spec, symbol: "ETHUSDT" }]), /strategies\[1\] and strategies\[0\] are both called "same"/);
  });
});

describe("--strategy-file (one strategy over the run's symbols)", () => {
  it("is told the run's symbols, and with one of them may leave symbol out of onTimer's signals", async () => {
    // It was given none: context.symbols was [] and an onTimer signal without a symbol got "",
    // which disabled the strategy ("signal.symbol \"\" is not one of the strategy's symbols").
    const path = file(`
export default {
  name: "ticker",
  create(_p, ctx) {
    return { onBook() { return undefined; }, onTimer() { return [{ action: "open", side: "buy", stopDistance: 0.01, reason: ctx.symbols.join(",") }]; } };
  },
};
`);
    const { loadConfig } = await import("../../src/config/config.ts");
    const { configuredStrategies } = await import("../../src/runtime/runtime.ts");
    const [one] = await configuredStrategies(loadConfig({ overrides: ["symbols=BTCUSDT", `strategy.file=${path}`] }));
    const view = { now: () => 1, positionQty: () => 0, hasWorkingOrders: () => false } as unknown as StrategyView;
    const [signal] = one!.strategy.onTimer!(view);
    assert.equal(signal!.symbol, "BTCUSDT");
    assert.equal(signal!.reason, "BTCUSDT", "its context names the run's symbols");
    // Over two symbols it must say which: the error says so (it read 'signal.symbol "" is not one of …').
    const [two] = await configuredStrategies(loadConfig({ overrides: ["symbols=BTCUSDT,ETHUSDT", `strategy.file=${path}`] }));
    assert.throws(() => two!.strategy.onTimer!(view), { code: "STRATEGY_INVALID", message: /signal\.symbol is required unless the strategy trades one symbol \(it trades BTCUSDT, ETHUSDT\)/ });
  });
});
