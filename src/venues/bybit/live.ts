/**
 * The live path: the only place a Bybit venue (and its signer) is built for a running engine.
 * The runtime imports this module lazily, and only in live mode, so a paper run never even
 * loads the code that signs orders; `authorizeLiveSigning` refuses anything but confirmed live
 * trading on bybit in any case.
 */
import type { Clock } from "../../core/clock.ts";
import type { HeanConfig } from "../../config/config.ts";
import type { Secret } from "../../control/secrets.ts";
import type { VenueHealthView } from "../../control/engine-view.ts";
import type { EngineState } from "../../engine/engine-state.ts";
import type { VenueHealthInput } from "../../risk/risk-controller.ts";
import { engineAccountView } from "../live/account-view.ts";
import { BybitVenue } from "../live/live-venue.ts";
import type { BybitTuning } from "../../config/venue-config.ts";
import { BybitSigner, authorizeLiveSigning } from "./signer.ts";

export interface BybitLiveInput {
  readonly apiKey: Secret;
  readonly apiSecret: Secret;
  readonly tuning?: BybitTuning | undefined;
}

export interface LiveVenueParts {
  readonly venue: BybitVenue;
  /** Risk input: private stream, reconciliation, circuit breaker, and when new exposure must wait. */
  readonly health: VenueHealthInput;
  /** For /ready, the API and metrics (`ReadinessInput.venueHealth`). */
  readonly view: () => VenueHealthView;
}

export function createLiveBybitVenue(config: HeanConfig, input: BybitLiveInput, state: EngineState, clock: Clock): LiveVenueParts {
  const signer = new BybitSigner(authorizeLiveSigning(config), input.apiKey, input.apiSecret);
  const venue = new BybitVenue({
    restUrl: config.live.restUrl,
    wsPublicUrl: config.live.wsPublicUrl,
    wsPrivateUrl: config.live.wsPrivateUrl,
    symbols: config.symbols,
    signer,
    account: engineAccountView(state),
    tuning: input.tuning,
    clock,
  });
  const h = venue.health;
  const health: VenueHealthInput = {
    privateDownSince: () => h.privateDownSince(),
    lastReconcileOkAt: () => h.lastReconcileOkAt(),
    circuitOpenSince: () => h.circuitOpenSince(),
    blocksNewExposure: () => venue.blocksNewExposure(),
  };
  return { venue, health, view: () => h.view() };
}
