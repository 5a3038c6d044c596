/** Shared builders for the simulated-venue tests. */
import { SimClock } from "../../src/core/clock.ts";
import { type Dec, dec, format } from "../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../../src/core/instrument.ts";
import { SyntheticMarket, type SyntheticMarketOptions } from "../../src/venues/sim/market/synthetic-market.ts";
import { MatchingEngine, type MatchingEngineOptions } from "../../src/venues/sim/matching/matching-engine.ts";
import type { EngineEvent, PlaceOrderRequest } from "../../src/venues/sim/matching/types.ts";

export const BTC = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "BTCUSDT")!;
export const ETH = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "ETHUSDT")!;

/** A round-number instrument for hand-checked arithmetic; the maker fee is a rebate. */
export const TEST: Instrument = {
  symbol: "TESTUSDT",
  baseAsset: "TEST",
  quoteAsset: "USDT",
  tickSize: dec("0.5"),
  lotSize: dec("0.1"),
  minQty: dec("0.1"),
  maxQty: dec("1000"),
  minNotional: dec("5"),
  makerFee: dec("-0.0001"),
  takerFee: dec("0.0005"),
};

export const d = dec;

/** An engine with no synthetic market: only the accounts' orders. */
export function bareEngine(extra: Partial<MatchingEngineOptions> = {}) {
  const clock = new SimClock();
  const engine = new MatchingEngine({ clock, instruments: [...BUILTIN_INSTRUMENTS, TEST], ...extra });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  for (const a of ["a", "b", "c"]) engine.ensureAccount(a, dec("10000"));
  return { clock, engine, events };
}

/** An engine over a seeded synthetic market (not started: step it by hand or start it). */
export function marketEngine(marketOptions: Partial<SyntheticMarketOptions> = {}, extra: Partial<MatchingEngineOptions> = {}) {
  const clock = new SimClock();
  const market = new SyntheticMarket({ clock, instruments: BUILTIN_INSTRUMENTS, seed: 42, ...marketOptions });
  const engine = new MatchingEngine({ clock, instruments: BUILTIN_INSTRUMENTS, market, ...extra });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  for (const a of ["a", "b"]) engine.ensureAccount(a, dec("100000"));
  return { clock, market, engine, events };
}

export function limit(account: string, side: "buy" | "sell", qty: string, price: string, rest: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return { account, symbol: "TESTUSDT", side, type: "limit", qty: dec(qty), price: dec(price), timeInForce: "GTC", ...rest };
}

export function market(account: string, side: "buy" | "sell", qty: string, rest: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return { account, symbol: "TESTUSDT", side, type: "market", qty: dec(qty), timeInForce: "IOC", ...rest };
}

/** Everything observable about an engine, as a string: equal fingerprints mean nothing changed. */
export function fingerprint(engine: MatchingEngine, accounts: readonly string[] = ["a", "b", "c"]): string {
  const parts: unknown[] = [engine.sequence()];
  for (const a of accounts) {
    parts.push(engine.wallet(a), engine.positions(a), engine.orderHistory(a), engine.executions(a));
  }
  for (const s of engine.symbols()) parts.push(engine.depth(s, 100));
  return JSON.stringify(parts, (_k, v: unknown) => (typeof v === "bigint" ? format(v as Dec) : v));
}

export const fmt = (v: Dec | undefined): string | undefined => (v === undefined ? undefined : format(v));
