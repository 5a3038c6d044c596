/**
 * Detectors for the kill-switch triggers that are not the governor or stale data. Each is pure:
 * the caller keeps the times, passes `now`, and acts on what comes back.
 */
import type { KillSwitchReason } from "../core/events.ts";
import type { RiskConfig } from "./config.ts";
import { countInWindow } from "./sliding-window.ts";

export interface KillSwitchTrigger {
  readonly reason: KillSwitchReason;
  readonly detail: string;
}

/**
 * `rejectionTimes`: when the venue rejected our orders (keep them with `recordInWindow`). A
 * post-only order refused because it would take is the maker router working as designed, not a
 * rejection worth counting.
 */
export function rejectionStorm(rejectionTimes: readonly number[], now: number, config: RiskConfig): KillSwitchTrigger | undefined {
  const { count, windowMs } = config.rejectionStorm;
  const n = countInWindow(rejectionTimes, now, windowMs);
  if (n < count) return undefined;
  return { reason: "REJECTION_STORM", detail: `${n} rejections in the last ${windowMs} ms (threshold ${count})` };
}

export interface PrivateStreamStatus {
  /** When the private order stream went down; null while it is up. */
  readonly downSince: number | null;
  /** When reconciliation last succeeded; null if never. */
  readonly lastReconcileOkAt: number | null;
}

/**
 * The engine is blind to its own orders while the private stream is down and no reconciliation
 * has succeeded since: blind time = now − max(downSince, lastReconcileOkAt). A down stream with
 * working reconciliation is not blind; blind beyond `privateStreamDownMs` trips.
 */
export function privateStreamBlind(status: PrivateStreamStatus, now: number, config: RiskConfig): KillSwitchTrigger | undefined {
  if (status.downSince === null) return undefined;
  const blindSince = Math.max(status.downSince, status.lastReconcileOkAt ?? Number.NEGATIVE_INFINITY);
  const blindMs = now - blindSince;
  if (!(blindMs >= config.privateStreamDownMs)) return undefined;
  const reconciled = status.lastReconcileOkAt === null ? "never reconciled" : `last reconciled ${now - status.lastReconcileOkAt} ms ago`;
  return {
    reason: "PRIVATE_STREAM_DOWN",
    detail: `private stream down ${now - status.downSince} ms, ${reconciled}: blind ${blindMs} ms ≥ ${config.privateStreamDownMs} ms`,
  };
}

/** The venue circuit breaker has been open for `circuitOpenMs` or more while positions are held. */
export function circuitOpenTooLong(openSince: number | null, heldPositions: number, now: number, config: RiskConfig): KillSwitchTrigger | undefined {
  if (openSince === null || heldPositions <= 0) return undefined;
  const openMs = now - openSince;
  if (!(openMs >= config.circuitOpenMs)) return undefined;
  return {
    reason: "CIRCUIT_BREAKER_OPEN",
    detail: `circuit breaker open ${openMs} ms ≥ ${config.circuitOpenMs} ms with ${heldPositions} open position(s)`,
  };
}
