/**
 * The engine's state as every reader sees it (rule 1, one writer): the same object the engine
 * applies events to, typed so that nothing outside the engine can change it. No `apply`, no
 * snapshot restore, read-only maps, and the portfolio and router parents without their
 * mutators. Readers that need a copy to keep take `snapshot()`.
 */
import type { Instrument } from "../core/instrument.ts";
import type { Portfolio } from "../portfolio/portfolio.ts";
import type { ParentBook } from "./parent-book.ts";
import type { RunPerformanceView } from "../report/run-performance.ts";
import type { CommandRecord, EngineState, OrderRecord } from "./engine-state.ts";

export type PortfolioView = Omit<Portfolio, "applyFill" | "setMark" | "applyFunding" | "adjustCash">;
export type ParentBookView = Omit<ParentBook, "apply" | "onChildFill" | "restore">;

export type EngineStateView = Readonly<Omit<EngineState, "apply" | "orders" | "parents" | "portfolio" | "stopLosses" | "commands" | "deniedByCode" | "instruments" | "performance">> & {
  readonly performance: RunPerformanceView;
  readonly orders: ReadonlyMap<string, Readonly<OrderRecord>>;
  readonly parents: ParentBookView;
  readonly portfolio: PortfolioView;
  readonly stopLosses: ReadonlyMap<string, number>;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly commands: ReadonlyMap<string, CommandRecord>;
  readonly deniedByCode: ReadonlyMap<string, number>;
};
