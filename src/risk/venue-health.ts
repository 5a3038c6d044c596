/**
 * What risk reads of a live venue's health (the venue's own contract, `VenueHealth` in
 * `venues/venue.ts`, extends it). A leaf of its own, so a venue can name it without importing the
 * risk controller.
 */
export interface VenueHealthInput {
  /** Since when the private order stream has been down (null: connected). */
  privateDownSince(): number | null;
  /** When reconciliation last succeeded (null: never). */
  lastReconcileOkAt(): number | null;
  /** Since when the REST circuit breaker has been open (null: closed). */
  circuitOpenSince(): number | null;
  /** A reason while new exposure must wait (breaker open, limiter backing off, stream unreconciled). */
  blocksNewExposure?(): string | undefined;
}
