/**
 * What the adapter may read of the engine's account: its orders (by client order id), the fill
 * ids it has applied and its positions. Read only: the adapter changes nothing except by sending
 * events through the sink, like every venue. Reading is safe because the engine is the single
 * writer on this same thread; events the adapter has sent but the engine has not applied yet are
 * the adapter's own business (see the order tracker).
 */
import type { Dec } from "../../core/decimal.ts";
import type { EngineState, OrderRecord } from "../../engine/engine-state.ts";

/** What the adapter reads of one engine order: a read-only slice of the engine's record. */
export type AccountOrder = Readonly<
  Pick<
    OrderRecord,
    "clientOrderId" | "symbol" | "side" | "orderType" | "qty" | "price" | "timeInForce" | "reduceOnly" | "purpose" | "createdAt" | "status" | "filledQty" | "venueOrderId"
  >
>;

export interface AccountView {
  order(clientOrderId: string): AccountOrder | undefined;
  /**
   * An order this engine placed, whether still in its state or remembered after it left it (a
   * late fill for it is still the engine's, not an external one).
   */
  placed(clientOrderId: string): Pick<AccountOrder, "symbol" | "side"> | undefined;
  orders(): Iterable<AccountOrder>;
  hasFill(fillId: string): boolean;
  positionQty(symbol: string): Dec;
  /** True once the journal holds any order or fill (a fresh journal has no past to recover). */
  hasHistory(): boolean;
}

export function engineAccountView(state: EngineState): AccountView {
  return {
    order: (id) => state.orders.get(id),
    placed: (id) => state.orders.get(id) ?? state.retiredOrder(id),
    orders: () => state.orders.values(),
    hasFill: (id) => state.hasFill(id),
    positionQty: (symbol) => state.portfolio.position(symbol).qty,
    hasHistory: () => state.intentCount > 0 || state.fillCount > 0,
  };
}
