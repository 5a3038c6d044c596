/**
 * Binance's budgets over the clock minute: request weight per IP (2400) and orders per account
 * (1200 a minute, 300 per 10 s). Every answer reports the used amounts in `X-MBX-USED-WEIGHT-1M`
 * and `X-MBX-ORDER-COUNT-1M` / `-10S`. A request over budget gets HTTP 429 (-1003); an IP that
 * keeps sending after its 429s is banned with HTTP 418 for two minutes.
 */
export const WEIGHT_PER_MINUTE = 2400;
export const ORDERS_PER_MINUTE = 1200;
const ORDERS_PER_10S = 300;
/** 429s within one minute after which the IP is banned. */
const BAN_AFTER_429S = 5;
const BAN_MS = 120_000;

export type LimitVerdict =
  | { readonly kind: "ok"; readonly headers: Record<string, string> }
  | { readonly kind: "limited"; readonly headers: Record<string, string> }
  | { readonly kind: "banned"; readonly until: number; readonly headers: Record<string, string> };

interface Budget {
  minute: number;
  used: number;
  refused: number;
}

export class BinanceRateLimiter {
  readonly #enabled: boolean;
  readonly #weights = new Map<string, Budget>();
  readonly #orders = new Map<string, { minute: number; count: number; tenSec: number; count10: number }>();
  readonly #bannedUntil = new Map<string, number>();

  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  #budget(ip: string, now: number): Budget {
    const minute = Math.floor(now / 60_000);
    let b = this.#weights.get(ip);
    if (b === undefined || b.minute !== minute) {
      b = { minute, used: 0, refused: 0 };
      this.#weights.set(ip, b);
    }
    return b;
  }

  #orderCount(account: string, now: number): { minute: number; count: number; tenSec: number; count10: number } {
    const minute = Math.floor(now / 60_000);
    const tenSec = Math.floor(now / 10_000);
    let c = this.#orders.get(account);
    if (c === undefined || c.minute !== minute) c = { minute, count: 0, tenSec, count10: 0 };
    if (c.tenSec !== tenSec) c = { ...c, tenSec, count10: 0 };
    this.#orders.set(account, c);
    return c;
  }

  headers(ip: string, account: string | undefined, now: number): Record<string, string> {
    const h: Record<string, string> = { "X-MBX-USED-WEIGHT-1M": String(this.#budget(ip, now).used) };
    if (account !== undefined) {
      const c = this.#orderCount(account, now);
      h["X-MBX-ORDER-COUNT-1M"] = String(c.count);
      h["X-MBX-ORDER-COUNT-10S"] = String(c.count10);
    } else {
      h["X-MBX-ORDER-COUNT-1M"] = "0";
    }
    return h;
  }

  /** Count a request of `weight` for `ip` (and an order for `account` when `isOrder`). */
  take(ip: string, weight: number, account: string | undefined, isOrder: boolean, now: number): LimitVerdict {
    const bannedUntil = this.#bannedUntil.get(ip) ?? 0;
    if (this.#enabled && now < bannedUntil) return { kind: "banned", until: bannedUntil, headers: this.headers(ip, account, now) };
    const b = this.#budget(ip, now);
    b.used += weight;
    let over = this.#enabled && b.used > WEIGHT_PER_MINUTE;
    if (!over && isOrder && account !== undefined) {
      const c = this.#orderCount(account, now);
      c.count += 1;
      c.count10 += 1;
      over = this.#enabled && (c.count > ORDERS_PER_MINUTE || c.count10 > ORDERS_PER_10S);
    }
    if (!over) return { kind: "ok", headers: this.headers(ip, account, now) };
    b.refused += 1;
    if (b.refused > BAN_AFTER_429S) {
      const until = now + BAN_MS;
      this.#bannedUntil.set(ip, until);
      return { kind: "banned", until, headers: this.headers(ip, account, now) };
    }
    return { kind: "limited", headers: this.headers(ip, account, now) };
  }

  /** Headers of an exhausted weight budget, for the injected 429. */
  exhausted(): Record<string, string> {
    return { "X-MBX-USED-WEIGHT-1M": String(WEIGHT_PER_MINUTE + 1), "X-MBX-ORDER-COUNT-1M": "0" };
  }

  reset(): void {
    this.#weights.clear();
    this.#orders.clear();
    this.#bannedUntil.clear();
  }
}
