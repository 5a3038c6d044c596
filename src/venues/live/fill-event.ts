/** hean's fill event for one venue execution report. */
import type { FillEvent } from "../../core/events.ts";
import type { FillReport } from "../venue.ts";

/** `clientOrderId` undefined adopts the fill as external (an order the engine never placed). */
export function fillEventOf(r: FillReport, ts: number, clientOrderId: string | undefined, source: FillEvent["source"]): FillEvent {
  return {
    type: "order.filled",
    ts,
    fillId: r.fillId,
    clientOrderId,
    venueOrderId: r.venueOrderId,
    symbol: r.symbol,
    side: r.side,
    price: r.price,
    qty: r.qty,
    fee: r.fee,
    liquidity: r.liquidity,
    venueTs: r.venueTs,
    source,
  };
}
