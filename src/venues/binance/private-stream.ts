/**
 * The user data stream. A listen key is created (`POST /fapi/v1/listenKey`), the stream opened at
 * `<base>/ws/<listenKey>`, the key kept alive (`PUT`) every 30 minutes, and the key re-created
 * and the stream reopened when the venue says the key expired (`listenKeyExpired`, or -1125 / any
 * 401 on the keepalive) and before the venue's 24 h connection limit. Every (re)open is reported
 * (`onReady`) and the live core reconciles before it trusts the stream: what happened while it
 * was away is read from REST. It only reads: `ORDER_TRADE_UPDATE` becomes order reports and
 * fills (trade id → fill id, shared with REST), each item on its own (a malformed one is counted
 * and dropped; reconciliation recovers it).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { type HeanError, isHeanError } from "../../core/errors.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { Alert, PrivateFeed } from "../live/adapter.ts";
import { backoffMs } from "../live/backoff.ts";
import { type WireMessage, WsConnection } from "../live/ws-connection.ts";
import { DEFAULT_MAX_CONNECTION_MS } from "./public-stream.ts";
import { binanceStreamBasics } from "./stream-basics.ts";
import { fillReportOf, isCloseStop, orderReportOf, parseOrderUpdate, protocolError } from "./wire.ts";

/** What the listen-key endpoints answered. */
export type KeyAnswer = { readonly ok: true; readonly key: string } | { readonly ok: false; readonly why: "expired" | "auth-failed" | "failed"; readonly detail: string };

export interface ListenKeys {
  /** `POST /fapi/v1/listenKey`: the account's key (the live one, extended, if it has one). */
  create(): Promise<KeyAnswer>;
  /** `PUT /fapi/v1/listenKey`: extend the live key by 60 minutes. */
  keepAlive(): Promise<KeyAnswer>;
}

export interface PrivateStreamOptions {
  /** The user-data-stream base (`wss://fstream.binance.com`). */
  readonly url: string;
  readonly keys: ListenKeys;
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly feed: PrivateFeed;
  readonly alert: Alert;
  readonly onMalformed?: ((error: HeanError) => void) | undefined;
  /**
   * Something moved the account's balance: `reason` is the update's `a.m` (ORDER for a trade,
   * FUNDING_FEE, DEPOSIT, WITHDRAW, ADJUSTMENT, …; "" when absent).
   */
  readonly onAccountUpdate?: ((reason: string) => void) | undefined;
  /** Keepalive interval (Binance: the key lives 60 min after the last keepalive; default 30 min). */
  readonly keepAliveMs?: number | undefined;
  /** Reopen before the venue's 24 h connection limit (default 23 h 50 min). */
  readonly maxConnectionMs?: number | undefined;
}

export const DEFAULT_KEEPALIVE_MS = 30 * 60_000;
/** Events that carry nothing the core reads (the same facts come in ORDER_TRADE_UPDATE or from REST). */
const IGNORED_EVENTS: ReadonlySet<string> = new Set(["TRADE_LITE", "MARGIN_CALL", "ACCOUNT_CONFIG_UPDATE", "STRATEGY_UPDATE", "GRID_UPDATE", "CONDITIONAL_ORDER_TRIGGER_REJECT"]);

/** The `a.m` of an ACCOUNT_UPDATE ("" when it has none: read as a balance move of unknown cause). */
function accountUpdateReason(m: WireMessage): string {
  const a = m.a;
  if (typeof a !== "object" || a === null || Array.isArray(a)) return "";
  const reason = (a as Record<string, unknown>).m;
  return typeof reason === "string" ? reason : "";
}

export class PrivateStream {
  readonly #o: PrivateStreamOptions;
  #conn: WsConnection | undefined;
  #running = false;
  #ready = false;
  #attempt = 0;
  #opening = false;
  #downReported = false;
  #reopen: TimerHandle | undefined;
  #keepAlive: TimerHandle | undefined;
  #lifetime: TimerHandle | undefined;
  /** The key the current connection was opened with. */
  #key: string | undefined;
  keysCreated = 0;
  renewals = 0;
  authFailures = 0;
  messages = 0;

  constructor(options: PrivateStreamOptions) {
    this.#o = options;
  }

  get ready(): boolean {
    return this.#ready && this.#conn?.up === true;
  }

  get listenKey(): string | undefined {
    return this.#key;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#ready = false;
    this.#reopen?.cancel();
    this.#keepAlive?.cancel();
    this.#lifetime?.cancel();
    const conn = this.#conn;
    this.#conn = undefined;
    await conn?.stop();
  }

  /** Get a key, then open the stream on it; on failure try again with backoff. */
  async #open(): Promise<void> {
    if (!this.#running || this.#opening) return;
    this.#opening = true;
    let answer: KeyAnswer;
    try {
      answer = await this.#o.keys.create();
    } finally {
      this.#opening = false;
    }
    if (!this.#running) return;
    if (!answer.ok) {
      if (answer.why === "auth-failed") {
        this.authFailures++;
        this.#o.feed.onAuthFailed(answer.detail);
      }
      this.#down(`cannot get a listen key: ${answer.detail}`);
      this.#scheduleOpen();
      return;
    }
    this.keysCreated++;
    this.#key = answer.key;
    const t = this.#o.tuning;
    const conn: WsConnection = new WsConnection({
      url: `${this.#o.url.replace(/\/+$/, "")}/ws/${encodeURIComponent(answer.key)}`,
      // The listen key lets anyone read the account's stream for an hour: never in a message.
      label: `${this.#o.url.replace(/\/+$/, "")}/ws/<listenKey>`,
      clock: this.#o.clock,
      random: this.#o.random,
      ...binanceStreamBasics(t),
      onOpen: () => this.#onOpen(conn),
      onMessage: (m) => this.#onMessage(m),
      onMalformed: (e) => this.#o.onMalformed?.(e),
      onDown: (reason) => {
        if (this.#conn !== conn) return;
        // This connection is done for: the next one is opened on a fresh (or re-confirmed) key.
        void conn.stop();
        this.#conn = undefined;
        this.#keepAlive?.cancel();
        this.#lifetime?.cancel();
        this.#down(reason);
        this.#scheduleOpen();
      },
    });
    this.#conn = conn;
    conn.start();
  }

  #onOpen(conn: WsConnection): void {
    if (this.#conn !== conn) return;
    this.#attempt = 0;
    this.#ready = true;
    this.#downReported = false;
    conn.healthy();
    const every = this.#o.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
    this.#keepAlive?.cancel();
    this.#keepAlive = this.#o.clock.setInterval(() => void this.#extend(), every);
    this.#lifetime?.cancel();
    this.#lifetime = this.#o.clock.setTimeout(() => this.#renew("connection lifetime reached: reopening before the venue's 24 h limit"), this.#o.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS);
    this.#o.feed.onReady();
  }

  async #extend(): Promise<void> {
    const answer = await this.#o.keys.keepAlive();
    if (answer.ok || !this.#running) return;
    if (answer.why === "failed") {
      // The venue could not be asked (it may be away for a moment): the key lives 60 minutes, the next keepalive tries again.
      this.#o.alert("warning", "LISTEN_KEY_KEEPALIVE_FAILED", `Binance listen-key keepalive failed: ${answer.detail}`, {});
      return;
    }
    this.#renew(`listen key ${answer.why === "expired" ? "expired" : "refused (401)"} on keepalive: ${answer.detail}`);
  }

  /** The key is gone (or the connection is old): a fresh key, a fresh connection, a reconciliation. */
  #renew(why: string): void {
    if (!this.#running) return;
    this.renewals++;
    this.#o.alert("warning", "LISTEN_KEY_RENEWED", `Binance user data stream: ${why}; re-creating the listen key and reconnecting`, { why });
    const conn = this.#conn;
    if (conn === undefined) {
      this.#scheduleOpen();
      return;
    }
    conn.restart(why);
  }

  #down(reason: string): void {
    this.#ready = false;
    if (this.#downReported) return;
    this.#downReported = true;
    this.#o.feed.onDown(reason);
  }

  #scheduleOpen(): void {
    if (!this.#running) return;
    this.#reopen?.cancel();
    const t = this.#o.tuning;
    this.#reopen = this.#o.clock.setTimeout(() => void this.#open(), backoffMs(this.#attempt++, t.reconnectInitialMs, t.reconnectMaxMs, this.#o.random));
  }

  #onMessage(m: WireMessage): void {
    const e = m.e;
    if (typeof e !== "string") {
      this.#o.onMalformed?.(protocolError("frame", "e", e, "an event type"));
      return;
    }
    this.messages++;
    try {
      if (e === "ORDER_TRADE_UPDATE") this.#onOrderUpdate(m);
      else if (e === "ACCOUNT_UPDATE") this.#o.onAccountUpdate?.(accountUpdateReason(m));
      else if (e === "listenKeyExpired") this.#renew("the venue says the listen key expired");
      else if (!IGNORED_EVENTS.has(e)) this.#o.onMalformed?.(protocolError("frame", "e", e, "a known user-data event"));
    } catch (err) {
      if (!isHeanError(err, "VENUE_PROTOCOL")) throw err;
      this.#o.onMalformed?.(err);
    }
  }

  #onOrderUpdate(m: WireMessage): void {
    const { order, trade } = parseOrderUpdate(m);
    const { feed } = this.#o;
    // The fill first: the order's own word (filled, or expired after a partial fill) then finds it counted.
    if (trade !== undefined) feed.onFill(fillReportOf(trade, order.clientOrderId));
    // A protective stop is the position's, not an engine order: only its fills matter.
    if (order.clientOrderId !== "" && !isCloseStop(order)) feed.onOrder(orderReportOf(order));
  }
}
