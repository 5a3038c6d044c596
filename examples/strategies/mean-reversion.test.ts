/**
 * A test template for a strategy of one's own: copy it next to your strategy and change the
 * prices and expectations (and the `../../src/` imports, if the copy sits elsewhere than two
 * folders below this checkout). It drives the strategy's handlers directly with books you choose and
 * a view you control (no engine, no venue, no time waiting), and checks that the file loads the way
 * `hean run --strategy-file` loads it. Run it with:
 *
 *   node --test examples/strategies/mean-reversion.test.ts
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { loadStrategyModule, createStrategyFromFile } from "../../src/strategies/load.ts";
import type { MarketBook, StrategyView } from "../../src/strategies/module.ts";
import meanReversion, { type MeanReversionParams } from "./mean-reversion.ts";

/** A view whose answers the test sets: the clock, the position and whether an order is working. */
function fakeView(): StrategyView & { t: number; qty: number; working: boolean } {
  const v = { t: 0, qty: 0, working: false, now: () => v.t, positionQty: () => v.qty, hasWorkingOrders: () => v.working };
  return v;
}

const book = (mid: number, ts: number, spread = 0.01): MarketBook => ({ symbol: "BTCUSDT", ts, bid: mid - spread / 2, ask: mid + spread / 2, bidQty: 1, askQty: 1, afterGap: false });

const PARAMS: MeanReversionParams = { ...meanReversion.defaults!, window: 20, entryZ: 2, exitZ: 0.25, cooldownMs: 0 };

function setUp(params: MeanReversionParams = PARAMS) {
  const view = fakeView();
  const strategy = meanReversion.create(params, { id: "mr", symbols: ["BTCUSDT"] });
  /** Feed one book a second; returns what the strategy signalled. */
  const feed = (mid: number, spread?: number) => {
    view.t += 1_000;
    return strategy.onBook(book(mid, view.t, spread), view);
  };
  // A calm market around 100 fills the window.
  for (let i = 0; i < 20; i++) assert.equal(feed(i % 2 === 0 ? 100 : 100.02), undefined);
  return { view, feed };
}

describe("mean-reversion", () => {
  it("buys a stretch below the band, with a stop and a share of its allowance", () => {
    const { feed } = setUp();
    const s = feed(99.9);
    assert.ok(s !== undefined && s.action === "open");
    assert.equal(s.side, "buy");
    assert.ok(s.stopDistance > 0 && s.stopDistance < 0.01);
    assert.ok(s.sizeFraction !== undefined && s.sizeFraction > 0.5 && s.sizeFraction <= 1);
    assert.equal(s.urgency, "passive");
  });

  it("closes once the price is back at the mean", () => {
    const { view, feed } = setUp();
    feed(99.9);
    view.qty = 0.01; // the entry filled
    assert.equal(feed(99.95), undefined, "still stretched");
    const s = feed(100.01);
    assert.ok(s !== undefined && s.action === "close");
  });

  it("stays out of wide books, and sells stretches above only when shorts are allowed", () => {
    assert.equal(setUp().feed(99.9, 1), undefined, "a 100 bps spread is too wide");
    assert.equal(setUp({ ...PARAMS, sides: "long" }).feed(100.2), undefined);
    const s = setUp().feed(100.2);
    assert.ok(s !== undefined && s.action === "open" && s.side === "sell");
  });

  it("waits while one of its orders is working", () => {
    const { view, feed } = setUp();
    view.working = true;
    assert.equal(feed(99.9), undefined);
  });

  it("loads the way hean run --strategy-file loads it, and refuses bad parameters", async () => {
    const loaded = await loadStrategyModule(new URL("./mean-reversion.ts", import.meta.url).pathname);
    assert.equal(loaded.definition.name, "mean-reversion");
    const strategy = await createStrategyFromFile(loaded.file, { window: 30 }, { symbols: ["BTCUSDT"] });
    assert.equal(strategy.id, "mean-reversion");
    await assert.rejects(createStrategyFromFile(loaded.file, { window: 1 }), (e) => isHeanError(e, "STRATEGY_INVALID") && /params\.window must be an integer in \[2, 100000\], got 1/.test(e.message));
  });
});
