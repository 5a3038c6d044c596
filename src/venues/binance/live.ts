/**
 * The live path: the only place a Binance venue (and its signer) is built for a running engine.
 * The registry imports this module lazily, and only in live mode, so a paper run never even
 * loads the code that signs orders; `authorizeLiveSigning` refuses anything but confirmed live
 * trading on binance in any case.
 */
import type { Clock } from "../../core/clock.ts";
import type { HeanConfig } from "../../config/config.ts";
import type { EngineStateView } from "../../engine/engine-state-view.ts";
import { effectiveStopLossPct } from "../../risk/position-monitor.ts";
import { engineAccountView } from "../live/account-view.ts";
import type { LiveCredentials, LiveVenueParts } from "../venue.ts";
import { BinanceVenue } from "./adapter.ts";
import { BinanceSigner, authorizeLiveSigning } from "./signer.ts";

export function createLiveBinanceVenue(config: HeanConfig, credentials: LiveCredentials, state: EngineStateView, clock: Clock, journalId: string): LiveVenueParts {
  const signer = new BinanceSigner(authorizeLiveSigning(config), credentials.apiKey, credentials.apiSecret);
  const block = config.venues.binance;
  const venue = new BinanceVenue({
    restUrl: block.restUrl,
    wsPublicUrl: block.wsPublicUrl,
    wsPrivateUrl: block.wsPrivateUrl,
    symbols: config.symbols,
    signer,
    account: engineAccountView(state, journalId),
    tuning: block,
    clock,
    // As the engine's position monitor: the operator's per-symbol stop wins over the configured one.
    protectiveStopPct: (symbol) => effectiveStopLossPct(state.stopLosses, symbol, config.risk.stopLossPct),
  });
  return { venue, health: venue.health };
}
