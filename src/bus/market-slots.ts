/**
 * The market lane's slots: at most one event waits per (kind, symbol), and each such pair has a
 * number, its slot, so that the bus keeps its queue in arrays indexed by slot (no key strings, no
 * Map entries, no hashing on the hot path). The queue itself is the bus's (see event-bus.ts).
 *
 * A slot comes from the symbol's process-wide id: the `symbolId` the publisher stamped on the event
 * when it names the event's symbol (no lookup), else `symbolIdOf`.
 */
import { HeanError } from "../core/errors.ts";
import { symbolIdOf, symbolOfId } from "../core/events.ts";

/** The market-data kinds, each with its own slot per symbol. */
export const MARKET_KINDS = ["market.book", "market.trade"] as const;
export type MarketKind = (typeof MARKET_KINDS)[number];

/**
 * A slot is `symbolId << KIND_BITS | kindIndex`: the kind of a dequeued slot is a mask, not a
 * `%` (an integer division, ~20 cycles, on every delivery).
 */
const KIND_BITS = 1;
export const KIND_MASK = (1 << KIND_BITS) - 1;
if (MARKET_KINDS.length > 1 << KIND_BITS) throw new HeanError("EVENT_INVALID", "more market kinds than KIND_BITS can number", { kinds: MARKET_KINDS.length, KIND_BITS });

/** A slot's ring position when nothing waits in it. */
export const NO_SLOT = -1;

export interface SymbolEvent {
  readonly symbol: string;
  readonly symbolId?: number;
}

/** The slot of (`kindIndex`, `event.symbol`). */
export const slotOf = (kindIndex: number, event: SymbolEvent): number => {
  // A stamped id is an array index and a pointer compare (the publisher's symbol string is the one
  // it interned); the lookup by string costs ~8 ns an event more. A stale or foreign id (another
  // symbol's, one never given out, not an integer) is not trusted: the symbol is looked up instead.
  const stamped = event.symbolId;
  const id = stamped !== undefined && symbolOfId(stamped) === event.symbol ? stamped : symbolIdOf(event.symbol);
  return (id << KIND_BITS) | kindIndex;
};
