/**
 * Restarting paper trading. The in-process simulated venue died with the process; hean's
 * journal is the only durable record of what the paper account held. So on restart:
 * - intents that never reached the venue are rejected (NEVER_SENT);
 * - orders whose venue outcome was never journaled (an IOC in flight, a pending cancel) did not
 *   happen at the venue: they end cancelled, with that reason;
 * - resting orders the venue had acknowledged go back into the fresh venue, as do positions
 *   and cash, so the venue and the engine agree again before trading resumes.
 */
import type { Clock } from "../core/clock.ts";
import type { Dec } from "../core/decimal.ts";
import { avgPrice } from "../portfolio/position.ts";
import type { Engine } from "../engine/engine.ts";
import type { OrderRecord } from "../engine/engine-state.ts";
import { type VenueOrderRequest, type VenuePosition, venueRequestOf } from "../execution/venue-port.ts";

export interface PaperRestoreState {
  readonly orders: readonly (VenueOrderRequest & { readonly filledQty: Dec; readonly venueOrderId: string | undefined })[];
  readonly positions: readonly VenuePosition[];
  readonly cash: Dec;
}

export function settleForPaperRestart(engine: Engine, clock: Clock): PaperRestoreState {
  const resting: OrderRecord[] = [];
  for (const o of engine.state.workingOrders()) {
    const ts = clock.now();
    switch (o.status) {
      case "PENDING_SUBMIT":
        engine.record({ type: "order.rejected", ts, clientOrderId: o.clientOrderId, code: "NEVER_SENT", reason: "the engine stopped before this intent was sent", postOnlyWouldTake: false });
        break;
      case "ACCEPTED":
      case "PARTIALLY_FILLED":
      case "SUBMITTED":
      case "UNKNOWN":
      case "PENDING_CANCEL":
        // Only an acknowledged resting order existed at the venue for sure. An IOC would have
        // ended at once; anything else's outcome was never journaled: it did not happen.
        if ((o.status === "ACCEPTED" || o.status === "PARTIALLY_FILLED") && o.timeInForce !== "IOC") {
          resting.push(o);
          break;
        }
        engine.record({
          type: "order.cancelled",
          ts,
          clientOrderId: o.clientOrderId,
          reason: "paper venue restarted before this order's outcome was journaled",
          postOnlyWouldTake: false,
        });
    }
  }
  return {
    orders: resting.map((o) => ({ ...venueRequestOf(o), venueOrderId: o.venueOrderId, filledQty: o.filledQty })),
    positions: engine.state.portfolio
      .openPositions()
      .map((p) => ({ symbol: p.symbol, qty: p.qty, avgPrice: avgPrice(p) })),
    cash: engine.state.portfolio.cash,
  };
}
