/**
 * Round-trip trades, built from the journaled events: a trade opens when a symbol's position
 * leaves flat and closes when it returns to flat (a fill that flips the position closes one trade
 * and opens the next with the remainder).
 *
 * It follows each position with the portfolio's own arithmetic (`applyFillToPosition`), so the
 * realised P&L of the trades sums exactly to the portfolio's. Funding settled while a trade is
 * open is the trade's (a perpetual's carry is part of what holding it earned or cost). It is a pure
 * function of the events it is fed, in order: the live engine, a replay and a backtest feed it the
 * same events and get the same trades. Memory stays bounded: the origin of orders is kept for a
 * window of recent orders, closed trades are handed to `onClosed` (the caller decides how many to
 * keep), and the running totals are O(symbols + days).
 */
import { type Dec, ZERO, abs, add, div, min, mul, mulDiv, sub } from "../core/decimal.ts";
import type { ForceCloseReason, HeanEvent, KillSwitchReason, OrderPurpose } from "../core/events.ts";
import { type Position, applyFillToPosition, flatPosition } from "../portfolio/position.ts";

/** Why a trade ended: the purpose of the order whose fill brought the position back to flat. */
export type ExitReason =
  /** The strategy's own exit. */
  | "signal"
  | "stop-loss"
  | "take-profit"
  | "max-hold"
  | "horizon"
  | `kill-switch:${KillSwitchReason}`
  /** An operator's order (close button, set-stoploss…). */
  | "operator"
  /** An entry the other way closed it (and opened the next trade with the remainder). */
  | "reversal"
  /** A fill hean did not place (a manual trade, a liquidation) or of an order too old to place. */
  | "external";

export interface RoundTrip {
  /** 1-based, in the order trades closed. */
  readonly n: number;
  readonly symbol: string;
  readonly direction: "long" | "short";
  /** The strategy whose order opened it ("" for an external fill). */
  readonly strategyId: string;
  readonly openedAt: number;
  readonly closedAt: number;
  /** Largest absolute position during the trade. */
  readonly maxQty: Dec;
  /** Quantity-weighted average price of the fills that opened or added. */
  readonly entryPrice: Dec;
  /** Quantity-weighted average price of the fills that reduced or closed. */
  readonly exitPrice: Dec;
  readonly entryQty: Dec;
  readonly exitQty: Dec;
  /** Σ entry price × qty: what the trade put at risk, the base of its return. */
  readonly entryNotional: Dec;
  /** Realised P&L before fees. */
  readonly grossPnl: Dec;
  /** Fees of every fill of the trade (negative for net rebates). */
  readonly fees: Dec;
  /** Funding settled on the position while the trade was open: negative when it paid, positive when it received. */
  readonly funding: Dec;
  /** Gross P&L − fees + funding. */
  readonly netPnl: Dec;
  readonly fills: number;
  /** Quantity filled as maker, entries and exits together. */
  readonly makerQty: Dec;
  readonly exitReason: ExitReason;
}

/** A trade still open: what the dashboard shows beside the closed ones. */
export type OpenTrip = Omit<RoundTrip, "n" | "closedAt" | "exitPrice" | "exitReason" | "netPnl"> & { readonly qty: Dec };

export interface TradeTotals {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** Σ net P&L of winning trades. */
  readonly grossProfit: Dec;
  /** Σ net P&L of losing trades (≤ 0). */
  readonly grossLoss: Dec;
  readonly netPnl: Dec;
  readonly fees: Dec;
  readonly funding: Dec;
  readonly tradedQty: Dec;
  readonly makerQty: Dec;
}

/** What fills paid and traded. */
export type FillTotals = Pick<TradeTotals, "fees" | "tradedQty" | "makerQty">;

export interface TradeLedgerSnapshot {
  readonly positions: readonly Position[];
  readonly open: readonly OpenTripState[];
  readonly totals: TradeTotals;
  readonly bySymbol: readonly (TradeTotals & { readonly symbol: string })[];
  /** Keyed by the UTC day the trades closed on, `YYYY-MM-DD`. */
  readonly byDay: readonly (TradeTotals & { readonly day: string })[];
  readonly closedCount: number;
  readonly exposedMs: number;
  readonly exposedSince: number | null;
  readonly origins: readonly (readonly [string, OrderOrigin])[];
  readonly parents: readonly (readonly [string, OrderOrigin])[];
  readonly forceCloseReason: readonly (readonly [string, ForceCloseReason])[];
  readonly killSwitchReason: KillSwitchReason | null;
  /** Every funding settlement so far, open and closed trades' alike (absent in snapshots before it was kept). */
  readonly funding?: Dec;
}

/** Who placed an order and why, as far as the ledger needs it. */
export interface OrderOrigin {
  readonly strategyId: string;
  readonly purpose: OrderPurpose;
  /** Set for force-close and kill-switch orders: the reason in force when the order was made. */
  readonly exitReason?: ExitReason | undefined;
}

export interface OpenTripState {
  readonly symbol: string;
  readonly direction: "long" | "short";
  readonly strategyId: string;
  readonly openedAt: number;
  maxQty: Dec;
  entryQty: Dec;
  entryNotional: Dec;
  exitQty: Dec;
  exitNotional: Dec;
  grossPnl: Dec;
  fees: Dec;
  funding: Dec;
  fills: number;
  makerQty: Dec;
}

const EMPTY_TOTALS: TradeTotals = {
  trades: 0,
  wins: 0,
  losses: 0,
  grossProfit: ZERO,
  grossLoss: ZERO,
  netPnl: ZERO,
  fees: ZERO,
  funding: ZERO,
  tradedQty: ZERO,
  makerQty: ZERO,
};

const FORCE_CLOSE_EXIT: Readonly<Record<ForceCloseReason, ExitReason>> = {
  MAX_HOLD: "max-hold",
  HORIZON: "horizon",
  STOP_LOSS: "stop-loss",
  TAKE_PROFIT: "take-profit",
};

/** How many recent orders' origins are remembered (a fill of an older order is "external"). */
const ORIGIN_WINDOW = 10_000;

/** "YYYY-MM-DD" (UTC) of a time. Every closing fill asks, nearly always for the same day: the last day's text is kept. */
export function utcDay(ts: number): string {
  const day = Math.floor(ts / 86_400_000);
  if (day !== lastDay || !Number.isFinite(day)) {
    lastDayText = new Date(ts).toISOString().slice(0, 10);
    lastDay = day;
  }
  return lastDayText;
}
let lastDay = NaN;
let lastDayText = "";

export class TradeLedger {
  readonly #onClosed: (trade: RoundTrip) => void;
  #positions = new Map<string, Position>();
  #open = new Map<string, OpenTripState>();
  #totals: TradeTotals = EMPTY_TOTALS;
  #bySymbol = new Map<string, TradeTotals>();
  #byDay = new Map<string, TradeTotals>();
  #closedCount = 0;
  #exposedMs = 0;
  #exposedSince: number | null = null;
  /** Insertion-ordered, trimmed from the oldest: a bounded window of recent orders. */
  #origins = new Map<string, OrderOrigin>();
  #parents = new Map<string, OrderOrigin>();
  #forceCloseReason = new Map<string, ForceCloseReason>();
  #killSwitchReason: KillSwitchReason | null = null;
  /** Σ funding received (paid is negative), whether or not a trade was open to take it. */
  #funding: Dec = ZERO;

  readonly #originWindow: number;

  /** `originWindow`: how many recent orders' origins to remember (a fill of an older order is "external"). */
  constructor(onClosed: (trade: RoundTrip) => void = () => {}, originWindow = ORIGIN_WINDOW) {
    this.#onClosed = onClosed;
    this.#originWindow = originWindow;
  }

  /** Feed every applied event, in order; events the ledger does not need are ignored. */
  apply(event: HeanEvent): void {
    switch (event.type) {
      case "router.parent":
        remember(this.#parents, this.#originWindow, event.parentId, this.#originOf(event.strategyId, event.purpose, event.symbol));
        return;
      case "order.intent": {
        const parent = event.parentId === undefined ? undefined : this.#parents.get(event.parentId);
        remember(this.#origins, this.#originWindow, event.clientOrderId, parent ?? this.#originOf(event.strategyId, event.purpose, event.symbol));
        return;
      }
      case "risk.force-close":
        this.#forceCloseReason.set(event.symbol, event.reason);
        return;
      case "risk.kill-switch":
        if (event.step === "triggered") this.#killSwitchReason = event.reason;
        return;
      case "order.filled":
        this.#fill(event);
        return;
      case "funding.paid": {
        // `paid` is what the account paid: received funding is negative.
        const received = -event.paid as Dec;
        this.#funding = add(this.#funding, received);
        const trip = this.#open.get(event.symbol);
        if (trip !== undefined) trip.funding = add(trip.funding, received);
        return;
      }
      default:
        return;
    }
  }

  /** Trades open now, by symbol. */
  open(): OpenTrip[] {
    return [...this.#open.values()].map((t) => ({
      symbol: t.symbol,
      direction: t.direction,
      strategyId: t.strategyId,
      openedAt: t.openedAt,
      qty: abs(this.#positions.get(t.symbol)?.qty ?? ZERO),
      maxQty: t.maxQty,
      entryPrice: avg(t.entryNotional, t.entryQty),
      entryQty: t.entryQty,
      exitQty: t.exitQty,
      entryNotional: t.entryNotional,
      grossPnl: t.grossPnl,
      fees: t.fees,
      funding: t.funding,
      fills: t.fills,
      makerQty: t.makerQty,
    }));
  }

  totals(): TradeTotals {
    return this.#totals;
  }

  /** Every fill so far: the closed trades' and the open trades' (whose entry fees are paid already). */
  fillTotals(): FillTotals {
    let { fees, tradedQty, makerQty } = this.#totals;
    for (const t of this.#open.values()) {
      fees = add(fees, t.fees);
      tradedQty = add(tradedQty, add(t.entryQty, t.exitQty));
      makerQty = add(makerQty, t.makerQty);
    }
    return { fees, tradedQty, makerQty };
  }

  /** Funding received over the run (paid is negative): closed trades', open trades' and any settled while the ledger saw no trade. */
  fundingTotal(): Dec {
    return this.#funding;
  }

  bySymbol(): (TradeTotals & { readonly symbol: string })[] {
    return [...this.#bySymbol].sort(([a], [b]) => a.localeCompare(b)).map(([symbol, t]) => ({ symbol, ...t }));
  }

  byDay(): (TradeTotals & { readonly day: string })[] {
    return [...this.#byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, t]) => ({ day, ...t }));
  }

  /** Time with at least one position open, up to `now`. */
  exposedMs(now: number): number {
    return this.#exposedMs + (this.#exposedSince === null ? 0 : Math.max(0, now - this.#exposedSince));
  }

  snapshot(): TradeLedgerSnapshot {
    return {
      positions: [...this.#positions.values()],
      open: [...this.#open.values()].map((t) => ({ ...t })),
      totals: this.#totals,
      bySymbol: this.bySymbol(),
      byDay: this.byDay(),
      closedCount: this.#closedCount,
      exposedMs: this.#exposedMs,
      exposedSince: this.#exposedSince,
      origins: [...this.#origins],
      parents: [...this.#parents],
      forceCloseReason: [...this.#forceCloseReason],
      killSwitchReason: this.#killSwitchReason,
      funding: this.#funding,
    };
  }

  static fromSnapshot(s: TradeLedgerSnapshot, onClosed?: (trade: RoundTrip) => void, originWindow?: number): TradeLedger {
    const ledger = new TradeLedger(onClosed, originWindow);
    ledger.#positions = new Map(s.positions.map((p) => [p.symbol, p]));
    // Snapshots taken before funding was kept have none: zero, as the ledger then counted it.
    ledger.#open = new Map(s.open.map((t) => [t.symbol, { ...t, funding: t.funding ?? ZERO }]));
    ledger.#totals = fundingOrZero(s.totals);
    ledger.#bySymbol = new Map(s.bySymbol.map(({ symbol, ...t }) => [symbol, fundingOrZero(t)]));
    ledger.#byDay = new Map(s.byDay.map(({ day, ...t }) => [day, fundingOrZero(t)]));
    ledger.#funding = s.funding ?? ZERO;
    ledger.#closedCount = s.closedCount;
    ledger.#exposedMs = s.exposedMs;
    ledger.#exposedSince = s.exposedSince;
    ledger.#origins = new Map(s.origins);
    ledger.#parents = new Map(s.parents);
    ledger.#forceCloseReason = new Map(s.forceCloseReason);
    ledger.#killSwitchReason = s.killSwitchReason;
    return ledger;
  }

  #originOf(strategyId: string, purpose: OrderPurpose, symbol: string): OrderOrigin {
    if (purpose === "force-close") {
      const reason = this.#forceCloseReason.get(symbol);
      return { strategyId, purpose, exitReason: reason === undefined ? "operator" : FORCE_CLOSE_EXIT[reason] };
    }
    if (purpose === "kill-switch") {
      return { strategyId, purpose, exitReason: this.#killSwitchReason === null ? "operator" : `kill-switch:${this.#killSwitchReason}` };
    }
    return { strategyId, purpose };
  }

  #fill(fill: Extract<HeanEvent, { type: "order.filled" }>): void {
    const origin = fill.clientOrderId === undefined ? undefined : this.#origins.get(fill.clientOrderId);
    const before = this.#positions.get(fill.symbol) ?? flatPosition(fill.symbol);
    const { position: after, realized } = applyFillToPosition(before, fill.side, fill.price, fill.qty, fill.ts);
    this.#positions.set(fill.symbol, after);
    const maker = fill.liquidity === "maker";

    // The part of the fill that reduces the held position, and the part that adds or opens.
    const closing = before.qty === 0n || before.qty > 0n === (fill.side === "buy") ? ZERO : min(fill.qty, abs(before.qty));
    const opening = sub(fill.qty, closing);
    const closingFee = closing === fill.qty ? fill.fee : mulDiv(fill.fee, closing, fill.qty);

    if (closing > 0n) {
      const trip = this.#open.get(fill.symbol) ?? this.#adopt(fill.symbol, before, fill.ts);
      trip.exitQty = add(trip.exitQty, closing);
      trip.exitNotional = add(trip.exitNotional, mul(fill.price, closing));
      trip.grossPnl = add(trip.grossPnl, realized);
      trip.fees = add(trip.fees, closingFee);
      trip.fills++;
      if (maker) trip.makerQty = add(trip.makerQty, closing);
      if (after.qty === 0n || opening > 0n) this.#close(trip, fill.ts, exitReasonOf(origin, opening > 0n));
    }
    if (opening > 0n) {
      const trip = this.#open.get(fill.symbol) ?? this.#openTrip(fill.symbol, fill.side === "buy" ? "long" : "short", origin?.strategyId ?? "", fill.ts);
      trip.entryQty = add(trip.entryQty, opening);
      trip.entryNotional = add(trip.entryNotional, mul(fill.price, opening));
      trip.fees = add(trip.fees, sub(fill.fee, closingFee));
      trip.fills++;
      if (maker) trip.makerQty = add(trip.makerQty, opening);
    }
    const trip = this.#open.get(fill.symbol);
    if (trip !== undefined && abs(after.qty) > trip.maxQty) trip.maxQty = abs(after.qty);
  }

  /** A position the ledger never saw open (journal began with it, or adopted from the venue). */
  #adopt(symbol: string, held: Position, ts: number): OpenTripState {
    const trip = this.#openTrip(symbol, held.qty > 0n ? "long" : "short", "", held.openedAt ?? ts);
    trip.maxQty = trip.entryQty = abs(held.qty);
    trip.entryNotional = held.entryValue;
    return trip;
  }

  #openTrip(symbol: string, direction: OpenTripState["direction"], strategyId: string, openedAt: number): OpenTripState {
    const trip: OpenTripState = {
      symbol,
      direction,
      strategyId,
      openedAt,
      maxQty: ZERO,
      entryQty: ZERO,
      entryNotional: ZERO,
      exitQty: ZERO,
      exitNotional: ZERO,
      grossPnl: ZERO,
      fees: ZERO,
      funding: ZERO,
      fills: 0,
      makerQty: ZERO,
    };
    this.#open.set(symbol, trip);
    if (this.#open.size === 1) this.#exposedSince = openedAt;
    return trip;
  }

  #close(t: OpenTripState, ts: number, exitReason: ExitReason): void {
    this.#open.delete(t.symbol);
    if (this.#open.size === 0 && this.#exposedSince !== null) {
      this.#exposedMs += Math.max(0, ts - this.#exposedSince);
      this.#exposedSince = null;
    }
    const trade: RoundTrip = {
      n: ++this.#closedCount,
      symbol: t.symbol,
      direction: t.direction,
      strategyId: t.strategyId,
      openedAt: t.openedAt,
      closedAt: ts,
      maxQty: t.maxQty,
      entryPrice: avg(t.entryNotional, t.entryQty),
      exitPrice: avg(t.exitNotional, t.exitQty),
      entryQty: t.entryQty,
      exitQty: t.exitQty,
      entryNotional: t.entryNotional,
      grossPnl: t.grossPnl,
      fees: t.fees,
      funding: t.funding,
      netPnl: add(sub(t.grossPnl, t.fees), t.funding),
      fills: t.fills,
      makerQty: t.makerQty,
      exitReason,
    };
    this.#totals = addTrade(this.#totals, trade);
    this.#bySymbol.set(trade.symbol, addTrade(this.#bySymbol.get(trade.symbol) ?? EMPTY_TOTALS, trade));
    const day = utcDay(ts);
    this.#byDay.set(day, addTrade(this.#byDay.get(day) ?? EMPTY_TOTALS, trade));
    this.#forceCloseReason.delete(t.symbol);
    this.#onClosed(trade);
  }
}

function exitReasonOf(origin: OrderOrigin | undefined, flips: boolean): ExitReason {
  if (origin === undefined) return "external";
  if (origin.exitReason !== undefined) return origin.exitReason;
  switch (origin.purpose) {
    case "operator":
      return "operator";
    case "entry":
      return "reversal";
    default:
      return flips ? "reversal" : "signal";
  }
}

function addTrade(t: TradeTotals, trade: RoundTrip): TradeTotals {
  const win = trade.netPnl > 0n;
  const loss = trade.netPnl < 0n;
  return {
    trades: t.trades + 1,
    wins: t.wins + (win ? 1 : 0),
    losses: t.losses + (loss ? 1 : 0),
    grossProfit: win ? add(t.grossProfit, trade.netPnl) : t.grossProfit,
    grossLoss: loss ? add(t.grossLoss, trade.netPnl) : t.grossLoss,
    netPnl: add(t.netPnl, trade.netPnl),
    fees: add(t.fees, trade.fees),
    funding: add(t.funding, trade.funding),
    tradedQty: add(t.tradedQty, add(trade.entryQty, trade.exitQty)),
    makerQty: add(t.makerQty, trade.makerQty),
  };
}

function remember<V>(map: Map<string, V>, window: number, key: string, value: V): void {
  map.set(key, value);
  if (map.size > window) map.delete(map.keys().next().value!);
}

const fundingOrZero = (t: TradeTotals): TradeTotals => (t.funding === undefined ? { ...t, funding: ZERO } : t);

const avg = (notional: Dec, qty: Dec): Dec => (qty === 0n ? ZERO : div(notional, qty));
