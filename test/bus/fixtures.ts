/** Event builders for bus tests. `n` is carried in a field the test can read back to check order. */
import { dec } from "../../src/core/decimal.ts";
import type { BookEvent, HeanEvent, TradeEvent } from "../../src/core/events.ts";

const PX = dec("100");
const QTY = dec("1");

/** A book update whose `venueTs` is its sequence number. */
export const book = (symbol: string, n: number): BookEvent => ({
  type: "market.book",
  ts: 0,
  symbol,
  bid: PX,
  bidQty: QTY,
  ask: PX,
  askQty: QTY,
  venueTs: n,
  afterGap: false,
});

export const trade = (symbol: string, n: number): TradeEvent => ({
  type: "market.trade",
  ts: 0,
  symbol,
  price: PX,
  qty: QTY,
  side: "buy",
  venueTs: n,
});

export const isMarket = (e: HeanEvent): e is BookEvent | TradeEvent => e.type === "market.book" || e.type === "market.trade";

/**
 * A critical event whose `ts` is its sequence number, cycling through every critical lane:
 * commands, risk, orders, fills, system.
 */
export function critical(n: number): HeanEvent {
  switch (n % 5) {
    case 0:
      return { type: "command", ts: n, commandId: `c${n}`, command: "stop", source: "test", args: {} };
    case 1:
      return { type: "risk.force-close", ts: n, symbol: "BTCUSDT", reason: "MAX_HOLD", detail: "" };
    case 2:
      return { type: "order.accepted", ts: n, clientOrderId: `o${n}`, venueOrderId: `v${n}` };
    case 3:
      return {
        type: "order.filled",
        ts: n,
        fillId: `f${n}`,
        clientOrderId: `o${n}`,
        venueOrderId: `v${n}`,
        symbol: "BTCUSDT",
        side: "buy",
        price: PX,
        qty: QTY,
        fee: dec("0"),
        liquidity: "maker",
        venueTs: n,
        source: "stream",
      };
    default:
      return { type: "market.status", ts: n, symbol: "BTCUSDT", status: "live", detail: "" };
  }
}

/** Burn CPU for `us` microseconds: a handler that is slow without yielding. */
export function busyWait(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    // spin
  }
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Wait (turn by turn, never by wall time) until `done()` holds; gives up after `maxTurns`. */
export async function until(done: () => boolean, maxTurns = 1_000_000): Promise<void> {
  for (let i = 0; i < maxTurns && !done(); i++) await nextTurn();
  if (!done()) throw new Error(`condition not met after ${maxTurns} turns`);
}
