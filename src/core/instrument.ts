/**
 * Instruments: the rules an order must meet before any venue sees it.
 */
import { suggest } from "./suggest.ts";
import { type Dec, dec, isMultipleOf, mul, roundToStep, format, type Rounding } from "./decimal.ts";
import { HeanError } from "./errors.ts";

export interface Instrument {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: Dec;
  readonly lotSize: Dec;
  readonly minQty: Dec;
  readonly maxQty: Dec;
  readonly minNotional: Dec;
  /** Fee rates as fractions of notional; a negative maker fee is a rebate. */
  readonly makerFee: Dec;
  readonly takerFee: Dec;
  /** What one unit of quantity is; absent: a linear perpetual of one base unit. */
  readonly contract?: InstrumentContract | undefined;
  /**
   * The band the venue keeps limit prices in around its mark price (Binance's `PERCENT_PRICE`): a
   * buy above mark × up, or a sell below mark × down, is refused. Absent: none known.
   */
  readonly priceBand?: PriceBand | undefined;
}

export interface PriceBand {
  readonly up: Dec;
  readonly down: Dec;
}

/**
 * A contract's kind and size. `multiplier`: units of the underlying per unit of quantity (1000
 * for Bybit's 1000PEPEUSDT, whose base "coin" is a thousand PEPE).
 */
export interface InstrumentContract {
  readonly kind: "perpetual" | "futures";
  readonly multiplier: Dec;
}

/** The built-in linear USDT perpetuals (tick/lot as Bybit lists them). */
export const BUILTIN_INSTRUMENTS: readonly Instrument[] = [
  {
    symbol: "BTCUSDT",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    tickSize: dec("0.1"),
    lotSize: dec("0.001"),
    minQty: dec("0.001"),
    maxQty: dec("100"),
    minNotional: dec("5"),
    makerFee: dec("0.0002"),
    takerFee: dec("0.00055"),
  },
  {
    symbol: "ETHUSDT",
    baseAsset: "ETH",
    quoteAsset: "USDT",
    tickSize: dec("0.01"),
    lotSize: dec("0.01"),
    minQty: dec("0.01"),
    maxQty: dec("1000"),
    minNotional: dec("5"),
    makerFee: dec("0.0002"),
    takerFee: dec("0.00055"),
  },
];

export class InstrumentRegistry {
  readonly #bySymbol = new Map<string, Instrument>();

  constructor(instruments: readonly Instrument[] = BUILTIN_INSTRUMENTS) {
    for (const i of instruments) this.#bySymbol.set(i.symbol, i);
  }

  get(symbol: string): Instrument {
    const found = this.#bySymbol.get(symbol);
    if (found === undefined) {
      throw new HeanError("INSTRUMENT_UNKNOWN", `unknown symbol ${JSON.stringify(symbol)}`, {
        symbol,
        known: [...this.#bySymbol.keys()],
      });
    }
    return found;
  }

  find(symbol: string): Instrument | undefined {
    return this.#bySymbol.get(symbol);
  }

  symbols(): string[] {
    return [...this.#bySymbol.keys()];
  }

  all(): Instrument[] {
    return [...this.#bySymbol.values()];
  }

  /**
   * Take the venue's listing in place of what was held (the runtime loads it at start, before
   * anything trades; every component holds this same registry).
   */
  load(instruments: readonly Instrument[]): void {
    this.#bySymbol.clear();
    for (const i of instruments) this.#bySymbol.set(i.symbol, i);
  }
}

/** Refuse symbols a venue does not list (a configuration error), each with what it may be a typo of or what is listed. */
export function assertListed(venue: string, symbols: readonly string[], registry: InstrumentRegistry): void {
  const known = registry.symbols();
  const missing = symbols.filter((s) => registry.find(s) === undefined);
  if (missing.length === 0) return;
  throw new HeanError("CONFIG_INVALID", `${venue} does not list ${missing.map((s) => withSymbolHint(s, known)).join("; ")}`, {
    venue,
    missing,
    likelyMeant: Object.fromEntries(missing.map((s) => [s, likelyMeantSymbols(s, known)])),
  });
}

/** `ETHUSTD (did you mean ETHUSDT?)`, `SOLUSDT (known: BTCUSDT, ETHUSDT)`: a symbol nothing lists, with `unlistedSymbolHint`. */
export function withSymbolHint(symbol: string, known: readonly string[]): string {
  return `${symbol} (${unlistedSymbolHint(symbol, known)})`;
}

/** A refusal names every known symbol up to this many; a venue's whole listing (hundreds) is counted instead. */
const KNOWN_SHOWN = 10;

/**
 * What to say of a symbol nothing lists, the same in `hean run`'s and `hean backtest`'s refusals:
 * the known symbols it may be a typo of ("did you mean ETHUSDT?"), else what is known ("known:
 * BTCUSDT, ETHUSDT", or "none of the 612 known is close"). Never the nearest of unrelated names:
 * "SOLUSDT (nearest: BTCUSDT)" reads as a typo hint, and a wrong one.
 */
export function unlistedSymbolHint(symbol: string, known: readonly string[]): string {
  const meant = likelyMeantSymbols(symbol, known);
  if (meant.length > 0) return `did you mean ${meant.join(" or ")}?`;
  if (known.length === 0) return "no symbol is known";
  return known.length <= KNOWN_SHOWN ? `known: ${known.join(", ")}` : `none of the ${known.length} known is close`;
}

/**
 * Up to `limit` of `known` that `symbol` may be a typo of, best first: the close ones by
 * `suggest` (a few edits for the length, a swap of neighbours, a case slip, or a known symbol
 * containing it: PEPEUSDT finds 1000PEPEUSDT), then known symbols it contains (1000PEPEUSDT finds
 * PEPEUSDT, a contract's multiplier added). None when nothing is that close.
 */
export function likelyMeantSymbols(symbol: string, known: readonly string[], limit = 3): string[] {
  const close = suggest(symbol, known, limit);
  const target = symbol.toUpperCase();
  const within = known.filter((k) => !close.includes(k) && target.includes(k.toUpperCase()));
  return [...close, ...within].slice(0, limit);
}

/** Whether two listings of a symbol carry the same rules. */
export function sameRules(a: Instrument, b: Instrument): boolean {
  return (
    a.symbol === b.symbol &&
    a.baseAsset === b.baseAsset &&
    a.quoteAsset === b.quoteAsset &&
    a.tickSize === b.tickSize &&
    a.lotSize === b.lotSize &&
    a.minQty === b.minQty &&
    a.maxQty === b.maxQty &&
    a.minNotional === b.minNotional &&
    a.makerFee === b.makerFee &&
    a.takerFee === b.takerFee &&
    a.contract?.kind === b.contract?.kind &&
    a.contract?.multiplier === b.contract?.multiplier &&
    a.priceBand?.up === b.priceBand?.up &&
    a.priceBand?.down === b.priceBand?.down
  );
}

export const roundPrice = (i: Instrument, price: Dec, rounding: Rounding = "half-even"): Dec =>
  roundToStep(price, i.tickSize, rounding);

/** Quantities round down by default: never trade more than asked. */
export const roundQty = (i: Instrument, qty: Dec, rounding: Rounding = "floor"): Dec =>
  roundToStep(qty, i.lotSize, rounding);

export type OrderRuleViolation =
  | { readonly rule: "QTY_NOT_POSITIVE"; readonly qty: string }
  | { readonly rule: "QTY_NOT_LOT_MULTIPLE"; readonly qty: string; readonly lotSize: string }
  | { readonly rule: "QTY_BELOW_MIN"; readonly qty: string; readonly minQty: string }
  | { readonly rule: "QTY_ABOVE_MAX"; readonly qty: string; readonly maxQty: string }
  | { readonly rule: "PRICE_NOT_POSITIVE"; readonly price: string }
  | { readonly rule: "PRICE_NOT_TICK_MULTIPLE"; readonly price: string; readonly tickSize: string }
  | { readonly rule: "NOTIONAL_BELOW_MIN"; readonly notional: string; readonly minNotional: string };

/**
 * Check an order against the instrument. `refPrice` is used for the notional of market orders.
 * Reduce-only orders are exempt from the minimum notional (a venue lets you close dust).
 */
export function checkOrderRules(
  i: Instrument,
  qty: Dec,
  price: Dec | undefined,
  refPrice: Dec | undefined,
  reduceOnly = false,
): OrderRuleViolation | undefined {
  if (qty <= 0n) return { rule: "QTY_NOT_POSITIVE", qty: format(qty) };
  if (!isMultipleOf(qty, i.lotSize)) return { rule: "QTY_NOT_LOT_MULTIPLE", qty: format(qty), lotSize: format(i.lotSize) };
  if (qty < i.minQty) return { rule: "QTY_BELOW_MIN", qty: format(qty), minQty: format(i.minQty) };
  if (qty > i.maxQty) return { rule: "QTY_ABOVE_MAX", qty: format(qty), maxQty: format(i.maxQty) };
  if (price !== undefined) {
    if (price <= 0n) return { rule: "PRICE_NOT_POSITIVE", price: format(price) };
    if (!isMultipleOf(price, i.tickSize)) {
      return { rule: "PRICE_NOT_TICK_MULTIPLE", price: format(price), tickSize: format(i.tickSize) };
    }
  }
  const px = price ?? refPrice;
  if (!reduceOnly && px !== undefined) {
    const notional = mul(qty, px);
    if (notional < i.minNotional) {
      return { rule: "NOTIONAL_BELOW_MIN", notional: format(notional), minNotional: format(i.minNotional) };
    }
  }
  return undefined;
}
