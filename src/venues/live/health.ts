/**
 * A live venue's health (`VenueHealth` in `venue.ts`), in the two shapes the engine reads: the
 * risk input (private stream blind since, last good reconciliation, circuit breaker open since:
 * the kill switch acts on them) and `VenueHealthView` for /ready, the API and metrics. Counters
 * are plain numbers the components bump; nothing here decides anything.
 */
import type { Dec } from "../../core/decimal.ts";
import type { HeanError } from "../../core/errors.ts";
import type { VenueHealthView } from "../../control/engine-view.ts";
import type { VenueHealth } from "../venue.ts";
import type { BreakerState } from "./circuit-breaker.ts";
import type { OtherEngine } from "./shared-account.ts";

export class LiveHealth implements VenueHealth {
  /** Since when the private stream has been down or not yet reconciled after (re)connecting. */
  privateDown: number | null;
  lastReconcileOk: number | null = null;
  breakerOpenSince: number | null = null;
  breakerState: BreakerState = "closed";
  readonly #streams: () => { readonly public: boolean; readonly private: boolean };
  /** The boot reconciliation has succeeded. */
  bootReconciled = false;

  reconciliationRuns = 0;
  reconciliationFailures = 0;
  reconciliationDifferences = 0;
  missedFills = 0;
  positionMismatches = 0;
  positionsAdopted = 0;
  orphanOrders = 0;
  externalOpenOrders = 0;
  unknownOutcomes = 0;
  neverReachedVenue = 0;
  resends = 0;
  rateLimitRefusals = 0;
  /** Messages dropped as malformed, by "channel.kind" ("ws.execution", "rest.order", "ws.frame"…). */
  readonly malformed = new Map<string, number>();
  wallet: { readonly balance: Dec; readonly equity: Dec; readonly at: number } | undefined;
  /** The first fill whose fee the venue charged in another asset (see foreign-fee.ts); sticky until restart. */
  foreignFee: { readonly asset: string; readonly fillId: string } | undefined;
  /** The first order of another hean engine seen on a traded symbol (see shared-account.ts); sticky until restart. */
  sharedAccount: OtherEngine | undefined;

  readonly #blocks: () => string | undefined;

  constructor(startedAt: number, streams: () => { readonly public: boolean; readonly private: boolean }, blocks: () => string | undefined) {
    this.privateDown = startedAt;
    this.#streams = streams;
    this.#blocks = blocks;
  }

  blocksNewExposure(): string | undefined {
    return this.#blocks();
  }

  /** Counts one `VENUE_PROTOCOL` error; returns its "channel.kind" key. */
  countMalformed(channel: "rest" | "ws", error: HeanError): string {
    const kind = typeof error.context.kind === "string" ? error.context.kind : "unknown";
    const key = `${channel}.${kind}`;
    this.malformed.set(key, (this.malformed.get(key) ?? 0) + 1);
    return key;
  }

  privateDownSince(): number | null {
    return this.privateDown;
  }

  lastReconcileOkAt(): number | null {
    return this.lastReconcileOk;
  }

  circuitOpenSince(): number | null {
    return this.breakerOpenSince;
  }

  view(): VenueHealthView {
    const streams = this.#streams();
    return {
      connected: streams.public && streams.private,
      reconciled: this.bootReconciled && this.privateDown === null,
      streams: { public: streams.public, private: streams.private },
      circuitBreaker: this.breakerState,
      missedFills: this.missedFills,
      reconciliationDifferences: this.reconciliationDifferences,
      reconciliationRuns: this.reconciliationRuns,
      malformedMessages: Object.fromEntries(this.malformed),
    };
  }
}
