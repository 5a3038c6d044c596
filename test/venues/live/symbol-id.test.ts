/**
 * The live venues' public streams stamp every book and trade with the process's `symbolIdOf`
 * number for its symbol (the bus's conflation slots index by it instead of hashing the string),
 * and with the subscribed symbol's own string.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { symbolIdOf } from "../../../src/core/events.ts";
import { BinanceRig } from "../binance/rig.ts";
import { Rig as BybitRig } from "../bybit/rig.ts";
import { waitFor } from "./venue-rig.ts";

describe("public streams stamp symbol ids", () => {
  for (const [venue, start] of [
    ["bybit", () => BybitRig.start({ seed: 71 })],
    ["binance", () => BinanceRig.start({ seed: 71 })],
  ] as const) {
    test(`${venue}: books and trades carry symbolIdOf(symbol)`, async () => {
      const rig = await start();
      try {
        for (const type of ["market.book", "market.trade"] as const) {
          const events = await waitFor(`${venue} ${type} events of both symbols`, () => {
            const seen = rig.of(type);
            return ["BTCUSDT", "ETHUSDT"].every((s) => seen.some((e) => e.symbol === s)) ? seen : undefined;
          });
          for (const e of events) assert.equal(e.symbolId, symbolIdOf(e.symbol), `${type} ${e.symbol}`);
        }
      } finally {
        await rig.stop();
      }
    });
  }
});
