/**
 * A run's events made by hand, for the report's tests: orders from intent to acceptance (the
 * engine refuses a fill of an order never sent), their fills and marks, all on BTCUSDT.
 */
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent, Side } from "../../src/core/events.ts";
import { accepted, fill as engineFill, intent, submitted } from "../engine/fixtures.ts";

export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

export const order = (id: string, side: Side, ts: number): HeanEvent[] => [
  intent(id, { ts, side, strategyId: "s1", purpose: side === "buy" ? "entry" : "exit" }),
  { ...submitted(id), ts },
  { ...accepted(id), ts },
];

/** A fill of the whole order (qty 1), taker unless said. */
export const fill = (id: string, side: Side, price: string, fee: string, ts: number, liquidity: "maker" | "taker" = "taker"): HeanEvent =>
  engineFill(`f-${id}`, id, "1", price, { side, fee: dec(fee), liquidity, ts, venueTs: ts });

export const mark = (bid: string, ask: string, ts: number): HeanEvent => ({ type: "mark", ts, symbol: "BTCUSDT", bid: dec(bid), ask: dec(ask) });
