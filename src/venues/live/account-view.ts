/**
 * The engine's account as a live venue reads it (`AccountView` in `venue.ts`): orders, applied
 * fill ids, positions. Events the venue has sent but the engine has not applied yet are the
 * venue's own business (see the order tracker).
 */
import type { EngineStateView } from "../../engine/engine-state-view.ts";
import { journalTag } from "../../core/ids.ts";
import type { AccountView } from "../venue.ts";

/** `journalId`: the journal the engine's order ids are made from (they carry its tag). */
export function engineAccountView(state: EngineStateView, journalId: string): AccountView {
  return {
    order: (id) => state.orders.get(id),
    placed: (id) => state.orders.get(id) ?? state.retiredOrder(id),
    orders: () => state.orders.values(),
    hasFill: (id) => state.hasFill(id),
    hasAdjustment: (id) => state.hasCashAdjustment(id),
    positionQty: (symbol) => state.portfolio.position(symbol).qty,
    hasHistory: () => state.intentCount > 0 || state.fillCount > 0,
    openedAt: () => state.accountOpenedAt,
    reconciledAt: () => state.reconciledAccount?.venueTs,
    orderTag: journalTag(journalId),
  };
}
