import type { Strategy } from "../../src/strategies/strategy.ts";

/** Opens one long on the first book it sees (a stop wide enough never to be hit) and never closes it. */
export function buyOnce(): Strategy {
  let opened = false;
  return {
    id: "once",
    onBook(book) {
      if (opened) return undefined;
      opened = true;
      return { type: "signal", ts: book.ts, strategyId: "once", symbol: book.symbol, action: "open", side: "buy", confidence: 1, stopDistance: 0.5, reason: "test" };
    },
  };
}
