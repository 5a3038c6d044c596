/**
 * A limiter per metered scope (the exchange's wire says which scope a request falls in and its
 * budget, e.g. Bybit meters create, amend, cancel and cancel-all separately at 10/s). Each scope
 * paces itself with a sliding window kept below the venue's budget, and learns from what every
 * answer's headers say: the current limit, the requests left and, once exhausted, the reset
 * time. A refusal backs off exponentially with jitter; a gateway-wide one holds every scope.
 */
import type { Clock } from "../../core/clock.ts";
import { backoffMs } from "./backoff.ts";

export interface LimitRule {
  limit: number;
  readonly windowMs: number;
}

/** The metered scope of a request key (a REST path) and the venue's budget for it. */
export type ScopeOf = (key: string) => { readonly scope: string; readonly rule: Readonly<LimitRule> };

interface ScopeState {
  readonly rule: LimitRule;
  sent: number[];
  /** Held by the venue's headers (budget exhausted until its reset time). */
  blockedUntil: number;
  /** Held because the venue refused us. */
  refusedUntil: number;
}

export interface RateLimiterOptions {
  readonly scopeOf: ScopeOf;
  /** Use this fraction of the venue's budget (headroom for clock skew and other clients). */
  readonly safety?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

export class RateLimiter {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #safety: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #scopes = new Map<string, ScopeState>();
  readonly #scopeOf: ScopeOf;
  #globalUntil = 0;
  #consecutive = 0;
  /** Refusals seen, for health and metrics. */
  refusals = 0;

  constructor(clock: Clock, random: () => number, options: RateLimiterOptions) {
    this.#clock = clock;
    this.#scopeOf = options.scopeOf;
    this.#random = random;
    this.#safety = options.safety ?? 0.8;
    this.#baseMs = options.backoffBaseMs ?? 500;
    this.#maxMs = options.backoffMaxMs ?? 10_000;
  }

  /** How long a request on `path` must wait before it may go (0: now). */
  waitMs(path: string): number {
    const now = this.#clock.now();
    const s = this.#state(path);
    let wait = Math.max(0, this.#globalUntil - now, s.blockedUntil - now, s.refusedUntil - now);
    const from = now - s.rule.windowMs;
    if (s.sent.length > 0 && s.sent[0]! <= from) s.sent = s.sent.filter((t) => t > from);
    const cap = Math.max(1, Math.floor(s.rule.limit * this.#safety));
    if (s.sent.length >= cap) wait = Math.max(wait, s.sent[s.sent.length - cap]! + s.rule.windowMs - now);
    return wait;
  }

  /** A request on `path` is leaving now. */
  record(path: string): void {
    this.#state(path).sent.push(this.#clock.now());
  }

  /** What an answer's headers say (reset time already converted to local time). */
  observe(path: string, limit: number | undefined, remaining: number | undefined, resetAtLocal: number | undefined): void {
    const s = this.#state(path);
    if (limit !== undefined && Number.isInteger(limit) && limit > 0 && limit <= 100_000) s.rule.limit = limit;
    if (remaining === 0 && resetAtLocal !== undefined && resetAtLocal > this.#clock.now()) {
      s.blockedUntil = Math.max(s.blockedUntil, Math.min(resetAtLocal, this.#clock.now() + 60_000));
    }
  }

  /**
   * A refusal: back off (all scopes for a gateway 429), at least `atLeastMs` when the venue said
   * how long (Retry-After, a ban's end). Returns how long.
   */
  onRefused(path: string, gatewayWide: boolean, atLeastMs = 0): number {
    const now = this.#clock.now();
    this.refusals++;
    const wait = Math.max(backoffMs(this.#consecutive++, this.#baseMs, this.#maxMs, this.#random), Math.min(atLeastMs, 300_000));
    const until = now + wait;
    if (gatewayWide) this.#globalUntil = Math.max(this.#globalUntil, until);
    const s = this.#state(path);
    s.refusedUntil = Math.max(s.refusedUntil, until);
    return Math.max(this.#globalUntil, s.blockedUntil, s.refusedUntil) - now;
  }

  /** Whether `path` is held because the venue refused us (not merely our own pacing). */
  refusing(path: string): boolean {
    const now = this.#clock.now();
    return this.#globalUntil > now || this.#state(path).refusedUntil > now;
  }

  /** A request went through: the refusal streak is over. */
  onAccepted(): void {
    this.#consecutive = 0;
  }

  /** Until when every scope is held (0: not held). */
  get heldUntil(): number {
    return this.#globalUntil > this.#clock.now() ? this.#globalUntil : 0;
  }

  #state(path: string): ScopeState {
    const { scope, rule } = this.#scopeOf(path);
    let s = this.#scopes.get(scope);
    if (s === undefined) {
      s = { rule: { ...rule }, sent: [], blockedUntil: 0, refusedUntil: 0 };
      this.#scopes.set(scope, s);
    }
    return s;
  }
}
