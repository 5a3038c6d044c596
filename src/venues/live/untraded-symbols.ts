/**
 * Someone else's trading on the account, in symbols hean neither trades nor holds (the operator
 * by hand, another bot). Both exchanges' private streams carry every symbol's trades: booked as
 * external fills they became positions hean neither reconciles nor has market data for. Each venue
 * leaves them out and books their cash from its ledger (`untraded` cash adjustments); this is the
 * rule for what is hean's, and the one warning per symbol, that both share.
 */
import { ZERO } from "../../core/decimal.ts";
import type { AccountView } from "../venue.ts";
import type { LiveCore } from "./adapter.ts";

export class UntradedSymbols {
  readonly #core: Pick<LiveCore, "symbols" | "alert">;
  readonly #account: AccountView;
  /** Where the venue's cash for such trades is read ("the income ledger", …), for the warning. */
  readonly #ledger: string;
  readonly #said = new Set<string>();

  constructor(core: Pick<LiveCore, "symbols" | "alert">, account: AccountView, ledger: string) {
    this.#core = core;
    this.#account = account;
    this.#ledger = ledger;
  }

  /**
   * Whether a trade is hean's to book: a symbol it trades, one it still holds (from a run on other
   * symbols: its exits and their reconciliation go on), or its own order's (an order hean placed,
   * on any symbol, is its own). `bySymbol` false: its own order's only.
   */
  books(symbol: string, clientOrderId: string | undefined, bySymbol = true): boolean {
    if (bySymbol && (this.#core.symbols.includes(symbol) || this.#account.positionQty(symbol) !== ZERO)) return true;
    return clientOrderId !== undefined && clientOrderId !== "" && this.#account.placed(clientOrderId) !== undefined;
  }

  /** A trade left out: said once per symbol. */
  leftOut(symbol: string): void {
    if (this.#said.has(symbol)) return;
    this.#said.add(symbol);
    this.#core.alert(
      "warning",
      "UNTRADED_SYMBOL_TRADE",
      `${symbol}: the account trades a symbol hean does not trade (${this.#core.symbols.join(", ")}): left out of hean's positions; ${this.#ledger}`,
      { symbol },
    );
  }
}
