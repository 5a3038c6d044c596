import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type Dec, ZERO, add, dec, format } from "../../src/core/decimal.ts";
import type { HeanEvent, OrderPurpose, Side } from "../../src/core/events.ts";
import { Portfolio } from "../../src/portfolio/portfolio.ts";
import { type RoundTrip, TradeLedger } from "../../src/report/trade-ledger.ts";

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function intent(id: string, symbol: string, side: Side, purpose: OrderPurpose, ts: number, parentId?: string): HeanEvent {
  return { type: "order.intent", ts, clientOrderId: id, strategyId: "s1", symbol, side, orderType: "limit", qty: dec("1"), price: dec("1"), timeInForce: "GTC", reduceOnly: false, purpose, parentId };
}

let fillSeq = 0;
function fill(id: string | undefined, symbol: string, side: Side, qty: string, price: string, fee: string, ts: number, liquidity: "maker" | "taker" = "taker"): HeanEvent {
  return { type: "order.filled", ts, fillId: `f${++fillSeq}`, clientOrderId: id, venueOrderId: "v", symbol, side, price: dec(price), qty: dec(qty), fee: dec(fee), liquidity, venueTs: ts, source: "stream" };
}

function run(events: readonly HeanEvent[]): { ledger: TradeLedger; trades: RoundTrip[] } {
  const trades: RoundTrip[] = [];
  const ledger = new TradeLedger((t) => trades.push(t));
  for (const e of events) ledger.apply(e);
  return { ledger, trades };
}

const view = (t: RoundTrip) => ({
  n: t.n,
  symbol: t.symbol,
  direction: t.direction,
  openedAt: t.openedAt,
  closedAt: t.closedAt,
  maxQty: format(t.maxQty),
  entryPrice: format(t.entryPrice),
  exitPrice: format(t.exitPrice),
  grossPnl: format(t.grossPnl),
  fees: format(t.fees),
  netPnl: format(t.netPnl),
  fills: t.fills,
  makerQty: format(t.makerQty),
  exitReason: t.exitReason,
});

describe("trade ledger", () => {
  test("a long built in two fills and closed in one: prices, P&L, fees and maker share by hand", () => {
    const { ledger, trades } = run([
      intent("a", "BTCUSDT", "buy", "entry", T0),
      fill("a", "BTCUSDT", "buy", "1", "100", "0.1", T0 + 1000),
      fill("a", "BTCUSDT", "buy", "1", "110", "0.011", T0 + 2000, "maker"),
      intent("b", "BTCUSDT", "sell", "exit", T0 + 60_000),
      fill("b", "BTCUSDT", "sell", "2", "120", "0.24", T0 + 61_000),
    ]);
    assert.deepEqual(trades.map(view), [
      {
        n: 1,
        symbol: "BTCUSDT",
        direction: "long",
        openedAt: T0 + 1000,
        closedAt: T0 + 61_000,
        maxQty: "2",
        entryPrice: "105",
        exitPrice: "120",
        grossPnl: "30",
        fees: "0.351",
        netPnl: "29.649",
        fills: 3,
        makerQty: "1",
        exitReason: "signal",
      },
    ]);
    const totals = ledger.totals();
    assert.equal(totals.trades, 1);
    assert.equal(totals.wins, 1);
    assert.equal(format(totals.grossProfit), "29.649");
    assert.deepEqual(ledger.open(), []);
    assert.equal(ledger.exposedMs(T0 + 100_000), 60_000);
    assert.deepEqual(ledger.byDay().map((d) => [d.day, d.trades, format(d.netPnl)]), [["2026-01-05", 1, "29.649"]]);
  });

  test("funding while a trade is open is the trade's; funding with none open still counts in the run's total; an older snapshot without funding restores", () => {
    const funding = (id: string, symbol: string, paid: string, ts: number): HeanEvent => ({
      type: "funding.paid", ts, fundingId: id, symbol, paid: dec(paid), rate: dec("0.0001"), positionQty: dec("1"), markPrice: dec("100"), venueTs: ts, source: "stream",
    });
    const { ledger, trades } = run([
      funding("f0", "BTCUSDT", "0.5", T0), // no trade open: the run's, nobody's trade
      intent("a", "BTCUSDT", "buy", "entry", T0),
      fill("a", "BTCUSDT", "buy", "1", "100", "0.1", T0 + 1000),
      funding("f1", "BTCUSDT", "0.01", T0 + 2000), // paid
      funding("f2", "ETHUSDT", "0.7", T0 + 2500), // another symbol's
      funding("f3", "BTCUSDT", "-0.004", T0 + 3000), // received
    ]);
    assert.deepEqual(ledger.open().map((t) => format(t.funding)), ["-0.006"]);
    // Restored from a snapshot taken before funding was kept: the open trade and the totals start at zero.
    const old = structuredClone(ledger.snapshot()) as unknown as Record<string, unknown> & { open: Record<string, unknown>[]; totals: Record<string, unknown> };
    delete old.funding;
    delete old.totals.funding;
    for (const t of old.open) delete t.funding;
    const resumed = TradeLedger.fromSnapshot(old as never, (t) => trades.push(t));
    for (const l of [ledger, resumed]) {
      l.apply(intent("b", "BTCUSDT", "sell", "exit", T0 + 4000));
      l.apply(fill("b", "BTCUSDT", "sell", "1", "101", "0.1", T0 + 5000));
    }
    assert.deepEqual(
      trades.map((t) => [format(t.grossPnl), format(t.fees), format(t.funding), format(t.netPnl)]),
      [["1", "0.2", "-0.006", "0.794"], ["1", "0.2", "0", "0.8"]],
    );
    assert.deepEqual([format(ledger.totals().funding), format(ledger.fundingTotal())], ["-0.006", "-1.206"]);
    assert.deepEqual([format(resumed.totals().funding), format(resumed.fundingTotal())], ["0", "0"]);
    assert.deepEqual(ledger.bySymbol().map((t) => [t.symbol, format(t.funding), format(t.netPnl)]), [["BTCUSDT", "-0.006", "0.794"]]);
  });

  test("a fill that flips the position closes one trade (fee split by quantity) and opens the next", () => {
    const { ledger, trades } = run([
      intent("a", "ETHUSDT", "buy", "entry", T0),
      fill("a", "ETHUSDT", "buy", "1", "100", "0.1", T0),
      intent("b", "ETHUSDT", "sell", "entry", T0 + 10),
      fill("b", "ETHUSDT", "sell", "3", "90", "0.3", T0 + 20),
    ]);
    assert.deepEqual(trades.map((t) => [t.direction, format(t.grossPnl), format(t.fees), format(t.netPnl), t.exitReason]), [["long", "-10", "0.2", "-10.2", "reversal"]]);
    const open = ledger.open();
    assert.equal(open.length, 1);
    assert.deepEqual([open[0]!.direction, format(open[0]!.qty), format(open[0]!.entryPrice), format(open[0]!.fees)], ["short", "2", "90", "0.2"]);
    assert.equal(ledger.totals().losses, 1);
  });

  test("exit reasons: force-close reason, kill switch reason, a router child's parent, an operator's order, an external fill", () => {
    const { trades } = run([
      intent("a", "X", "buy", "entry", T0),
      fill("a", "X", "buy", "1", "10", "0", T0),
      { type: "risk.force-close", ts: T0 + 1, symbol: "X", reason: "MAX_HOLD", detail: "" },
      intent("b", "X", "sell", "force-close", T0 + 2),
      fill("b", "X", "sell", "1", "11", "0", T0 + 3),

      intent("c", "X", "buy", "entry", T0 + 4),
      fill("c", "X", "buy", "1", "10", "0", T0 + 5),
      { type: "risk.kill-switch", ts: T0 + 6, step: "triggered", reason: "STALE_MARKET_DATA", detail: "" },
      intent("d", "X", "sell", "kill-switch", T0 + 7),
      fill("d", "X", "sell", "1", "9", "0", T0 + 8),

      intent("e", "X", "buy", "entry", T0 + 9),
      fill("e", "X", "buy", "1", "10", "0", T0 + 10),
      { type: "router.parent", ts: T0 + 11, parentId: "p", strategyId: "s1", symbol: "X", side: "sell", qty: dec("1"), urgency: "normal", purpose: "exit", reduceOnly: true, arrivalMid: dec("10") },
      intent("p-m1", "X", "sell", "router-child", T0 + 12, "p"),
      fill("p-m1", "X", "sell", "1", "10", "0", T0 + 13, "maker"),

      intent("f", "X", "buy", "entry", T0 + 14),
      fill("f", "X", "buy", "1", "10", "0", T0 + 15),
      intent("g", "X", "sell", "operator", T0 + 16),
      fill("g", "X", "sell", "1", "10", "0", T0 + 17),

      intent("h", "X", "buy", "entry", T0 + 18),
      fill("h", "X", "buy", "1", "10", "0", T0 + 19),
      fill(undefined, "X", "sell", "1", "10", "0", T0 + 20),
    ]);
    assert.deepEqual(
      trades.map((t) => t.exitReason),
      ["max-hold", "kill-switch:STALE_MARKET_DATA", "signal", "operator", "external"],
    );
  });

  test("a position the ledger never saw open (adopted from the venue) is closed as a trade with its basis", () => {
    const portfolio = new Portfolio(dec("1000"));
    portfolio.applyFill(fill(undefined, "X", "sell", "2", "50", "0", T0) as Extract<HeanEvent, { type: "order.filled" }>);
    const ledger = TradeLedger.fromSnapshot({ ...new TradeLedger().snapshot(), positions: portfolio.positions() });
    const trades: RoundTrip[] = [];
    const resumed = TradeLedger.fromSnapshot(ledger.snapshot(), (t) => trades.push(t));
    resumed.apply(intent("a", "X", "buy", "exit", T0 + 5));
    resumed.apply(fill("a", "X", "buy", "2", "40", "0.08", T0 + 10));
    assert.deepEqual(trades.map((t) => [t.direction, format(t.entryPrice), format(t.exitPrice), format(t.grossPnl), format(t.netPnl)]), [["short", "50", "40", "20", "19.92"]]);
  });

  test("for any fills: trades' P&L and fees sum to the portfolio's, and a snapshot taken anywhere changes nothing", () => {
    const fillArb = fc.record({
      symbol: fc.constantFrom("A", "B"),
      side: fc.constantFrom<Side>("buy", "sell"),
      qty: fc.integer({ min: 1, max: 50 }),
      price: fc.integer({ min: 900, max: 1100 }),
      fee: fc.integer({ min: -3, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 60 }), fc.nat(), (raw, cut) => {
        const events: HeanEvent[] = raw.map((f, i) => fill(`o${i}`, f.symbol, f.side, (f.qty / 10).toString(), (f.price / 10).toString(), (f.fee / 1000).toString(), T0 + i * 1000));
        const whole = run(events);
        const portfolio = new Portfolio(ZERO);
        for (const e of events) portfolio.applyFill(e as Extract<HeanEvent, { type: "order.filled" }>);
        const sum = (xs: readonly Dec[]): Dec => xs.reduce(add, ZERO);
        const open = whole.ledger.open();
        assert.equal(sum([...whole.trades.map((t) => t.grossPnl), ...open.map((t) => t.grossPnl)]), portfolio.realizedPnl);
        assert.equal(sum([...whole.trades.map((t) => t.fees), ...open.map((t) => t.fees)]), portfolio.fees);
        assert.equal(whole.ledger.totals().netPnl, sum(whole.trades.map((t) => t.netPnl)));

        const at = cut % (events.length + 1);
        const first = run(events.slice(0, at));
        const rest: RoundTrip[] = [];
        const resumed = TradeLedger.fromSnapshot(structuredClone(first.ledger.snapshot()), (t) => rest.push(t));
        for (const e of events.slice(at)) resumed.apply(e);
        assert.deepEqual([...first.trades, ...rest], whole.trades);
        assert.deepEqual(resumed.snapshot(), whole.ledger.snapshot());
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
