/**
 * What the simulated Bybit lists (instruments-info) and where its synthetic market starts: the
 * built-in BTC and ETH perpetuals, SOL, and a contract on a thousand coins (1000PEPEUSDT), each
 * with its own tick and lot rules as Bybit lists them.
 */
import { dec } from "../../core/decimal.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../../core/instrument.ts";
import { DEFAULT_START_PRICES } from "../../venues/sim/market/synthetic-market.ts";

export const BYBIT_SIM_INSTRUMENTS: readonly Instrument[] = [
  ...BUILTIN_INSTRUMENTS,
  {
    symbol: "SOLUSDT",
    baseAsset: "SOL",
    quoteAsset: "USDT",
    tickSize: dec("0.01"),
    lotSize: dec("0.1"),
    minQty: dec("0.1"),
    maxQty: dec("79770"),
    minNotional: dec("5"),
    makerFee: dec("0.0002"),
    takerFee: dec("0.00055"),
    contract: { kind: "perpetual", multiplier: dec("1") },
  },
  {
    symbol: "1000PEPEUSDT",
    baseAsset: "1000PEPE",
    quoteAsset: "USDT",
    tickSize: dec("0.0000001"),
    lotSize: dec("100"),
    minQty: dec("100"),
    maxQty: dec("200000000"),
    minNotional: dec("5"),
    makerFee: dec("0.0002"),
    takerFee: dec("0.00055"),
    contract: { kind: "perpetual", multiplier: dec("1000") },
  },
];

export const BYBIT_SIM_START_PRICES: Readonly<Record<string, number>> = { ...DEFAULT_START_PRICES, SOLUSDT: 150, "1000PEPEUSDT": 0.012 };
