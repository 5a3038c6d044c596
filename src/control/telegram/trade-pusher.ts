/**
 * Fills and closed trades pushed to the chats as they happen (config `telegram.notify`). The
 * engine's event listener only notes what happened (it runs inside the engine's turn); the
 * messages are built on the next turn of the event loop, where reading the performance report
 * costs the engine nothing. A closed trade is found by its number in the ledger, so a burst of
 * fills that closes several trades pushes each trade once.
 */
import type { EngineView, FillView } from "../engine-view.ts";
import { fillViewOf } from "../http/snapshot.ts";
import { exitText, fillText } from "../report-text.ts";

export interface TradePushTarget {
  push(text: string): void;
}

export function pushTrades(view: EngineView, target: TradePushTarget, notify: { readonly fills: boolean; readonly exits: boolean }): () => void {
  if (!notify.fills && !notify.exits) return () => undefined;
  let lastTrip = notify.exits ? (view.performance().trades.closed.at(-1)?.n ?? 0) : 0;
  let fills: FillView[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  const flush = (): void => {
    scheduled = undefined;
    if (stopped) return;
    if (notify.fills) for (const f of fills) target.push(fillText(f));
    fills = [];
    if (!notify.exits) return;
    const closed = view.performance().trades.closed;
    for (const t of closed) if (t.n > lastTrip) target.push(exitText(t));
    lastTrip = closed.at(-1)?.n ?? lastTrip;
  };
  const unsubscribe = view.onEvent((e) => {
    if (e.type !== "order.filled") return;
    if (notify.fills) {
      fills.push(fillViewOf(e));
    }
    scheduled ??= setImmediate(flush);
  });
  return () => {
    stopped = true;
    unsubscribe();
    if (scheduled !== undefined) clearImmediate(scheduled);
  };
}

