/**
 * Cash, fees, positions and marks of one account. Owned and mutated only by the engine (the
 * single writer); everyone else reads snapshots.
 */
import { type Dec, ZERO, add, sub } from "../core/decimal.ts";
import type { FillEvent } from "../core/events.ts";
import { type FillResult, type Position, applyFillToPosition, flatPosition, markNotional, unrealizedPnl } from "./position.ts";

export interface Mark {
  readonly bid: Dec;
  readonly ask: Dec;
  readonly ts: number;
}

export interface PortfolioSnapshot {
  readonly initialCash: Dec;
  readonly cash: Dec;
  readonly fees: Dec;
  readonly realizedPnl: Dec;
  /** Funding paid (negative: received). Absent in snapshots written before funding was booked. */
  readonly funding?: Dec;
  /** Net cash moved in (deposits, the venue's opening balance) or out without a trade. Absent as above. */
  readonly adjustments?: Dec;
  readonly positions: readonly Position[];
  readonly marks: readonly (Mark & { readonly symbol: string })[];
}

export class Portfolio {
  readonly initialCash: Dec;
  #cash: Dec;
  #fees: Dec = ZERO;
  #realized: Dec = ZERO;
  #funding: Dec = ZERO;
  #adjustments: Dec = ZERO;
  readonly #positions = new Map<string, Position>();
  readonly #marks = new Map<string, Mark>();

  constructor(initialCash: Dec) {
    this.initialCash = initialCash;
    this.#cash = initialCash;
  }

  get cash(): Dec {
    return this.#cash;
  }
  get fees(): Dec {
    return this.#fees;
  }
  get realizedPnl(): Dec {
    return this.#realized;
  }
  /** Funding paid so far (negative: received). */
  get funding(): Dec {
    return this.#funding;
  }
  /** Net cash moved in or out without a trade. */
  get adjustments(): Dec {
    return this.#adjustments;
  }
  /** The capital put in: initial cash plus every adjustment (what drawdown is measured from). */
  get capitalIn(): Dec {
    return add(this.initialCash, this.#adjustments);
  }

  /** Funding is P&L: it moves cash like a fee does. */
  applyFunding(paid: Dec): void {
    this.#cash = sub(this.#cash, paid);
    this.#funding = add(this.#funding, paid);
  }

  /** Cash in or out that is not P&L (deposit, withdrawal, the venue's opening balance). */
  adjustCash(amount: Dec): void {
    this.#cash = add(this.#cash, amount);
    this.#adjustments = add(this.#adjustments, amount);
  }

  applyFill(fill: FillEvent): FillResult {
    const result = applyFillToPosition(this.position(fill.symbol), fill.side, fill.price, fill.qty, fill.ts);
    this.#positions.set(fill.symbol, result.position);
    this.#cash = sub(add(this.#cash, result.realized), fill.fee);
    this.#fees = add(this.#fees, fill.fee);
    this.#realized = add(this.#realized, result.realized);
    return result;
  }

  setMark(symbol: string, bid: Dec, ask: Dec, ts: number): void {
    this.#marks.set(symbol, { bid, ask, ts });
  }

  mark(symbol: string): Mark | undefined {
    return this.#marks.get(symbol);
  }

  position(symbol: string): Position {
    return this.#positions.get(symbol) ?? flatPosition(symbol);
  }

  /** Every symbol ever traded (flat ones included, they carry realised P&L). */
  positions(): Position[] {
    return [...this.#positions.values()];
  }

  /** The stored positions, flat ones included, without a copy: for per-book loops (do not hold on to it). */
  positionValues(): MapIterator<Position> {
    return this.#positions.values();
  }

  openPositions(): Position[] {
    return this.positions().filter((p) => p.qty !== 0n);
  }

  unrealizedPnl(symbol?: string): Dec {
    let total = ZERO;
    for (const p of this.#positions.values()) {
      if (symbol !== undefined && p.symbol !== symbol) continue;
      const m = this.#marks.get(p.symbol);
      total = add(total, unrealizedPnl(p, m?.bid, m?.ask));
    }
    return total;
  }

  equity(): Dec {
    return add(this.#cash, this.unrealizedPnl());
  }

  /** Equity valued at the given marks instead of the latest ones (a report valued on journaled marks only). */
  equityAt(marks: ReadonlyMap<string, Mark>): Dec {
    let total = this.#cash;
    for (const p of this.#positions.values()) {
      const m = marks.get(p.symbol);
      total = add(total, unrealizedPnl(p, m?.bid, m?.ask));
    }
    return total;
  }

  positionNotional(symbol: string): Dec {
    const m = this.#marks.get(symbol);
    return markNotional(this.position(symbol), m?.bid, m?.ask);
  }

  grossExposure(): Dec {
    let total = ZERO;
    for (const p of this.#positions.values()) total = add(total, this.positionNotional(p.symbol));
    return total;
  }

  snapshot(): PortfolioSnapshot {
    return {
      initialCash: this.initialCash,
      cash: this.#cash,
      fees: this.#fees,
      realizedPnl: this.#realized,
      funding: this.#funding,
      adjustments: this.#adjustments,
      positions: this.positions(),
      marks: [...this.#marks].map(([symbol, m]) => ({ symbol, ...m })),
    };
  }

  static fromSnapshot(s: PortfolioSnapshot): Portfolio {
    const p = new Portfolio(s.initialCash);
    p.#cash = s.cash;
    p.#fees = s.fees;
    p.#realized = s.realizedPnl;
    p.#funding = s.funding ?? ZERO;
    p.#adjustments = s.adjustments ?? ZERO;
    for (const pos of s.positions) p.#positions.set(pos.symbol, pos);
    for (const m of s.marks) p.#marks.set(m.symbol, { bid: m.bid, ask: m.ask, ts: m.ts });
    return p;
  }
}
