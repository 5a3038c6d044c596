/**
 * The private stream: authenticate (`GET/realtime` + expires, signed), subscribe to `order`,
 * `execution`, `position` and `wallet`, keep the heartbeat, reconnect with backoff. It only
 * reads and hands the items on as reports; `onReady` fires once the subscription is acknowledged,
 * and the live core reconciles before it trusts what the stream says (fills missed while it was
 * away). A refused authentication is reported (`onAuthFailed`) and retried with growing backoff.
 */
import type { Clock } from "../../core/clock.ts";
import { type HeanError, isHeanError } from "../../core/errors.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { Alert, PrivateFeed } from "../live/adapter.ts";
import type { ServerTime } from "../live/server-time.ts";
import { type WireMessage, WsConnection } from "../live/ws-connection.ts";
import type { BybitSigner } from "./signer.ts";
import { bybitStreamBasics } from "./stream-basics.ts";
import { accountReportOf, fillReportOf, orderReportOf, parseExecution, parseFunding, parseOrder, parsePosition, parseWallet, protocolError } from "./wire.ts";

export const PRIVATE_TOPICS = ["order", "execution", "position", "wallet"] as const;

export interface PrivateStreamOptions {
  readonly url: string;
  readonly signer: BybitSigner;
  readonly time: ServerTime;
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly feed: PrivateFeed;
  readonly alert: Alert;
  /** A frame or item that fails the wire rules (`VENUE_PROTOCOL`); it has been dropped. */
  readonly onMalformed?: (error: HeanError) => void;
}

export class PrivateStream {
  readonly #o: PrivateStreamOptions;
  readonly #conn: WsConnection;
  #ready = false;
  authFailures = 0;
  messages = 0;

  constructor(options: PrivateStreamOptions) {
    this.#o = options;
    const t = options.tuning;
    this.#conn = new WsConnection({
      url: options.url,
      clock: options.clock,
      random: options.random,
      ...bybitStreamBasics(t),
      onOpen: () => this.#authenticate(),
      onMessage: (m) => this.#onMessage(m),
      onMalformed: (e) => options.onMalformed?.(e),
      onDown: (reason) => {
        this.#ready = false;
        options.feed.onDown(reason);
      },
    });
  }

  /** Authenticated and subscribed on a live socket. */
  get ready(): boolean {
    return this.#ready && this.#conn.up;
  }

  get reconnects(): number {
    return this.#conn.reconnects;
  }

  start(): void {
    this.#conn.start();
  }

  stop(): Promise<void> {
    this.#ready = false;
    return this.#conn.stop();
  }

  #authenticate(): void {
    this.#ready = false;
    // Expires in server time: Bybit refuses an auth whose expiry has already passed on its clock.
    const expires = this.#o.time.now() + this.#o.tuning.recvWindowMs;
    this.#conn.send({ req_id: "hean-auth", op: "auth", args: this.#o.signer.wsAuthArgs(expires) });
  }

  #onMessage(m: WireMessage): void {
    const topic = typeof m.topic === "string" ? m.topic : undefined;
    if (topic !== undefined) {
      const base = topic.split(".")[0] as (typeof PRIVATE_TOPICS)[number];
      if (!(PRIVATE_TOPICS as readonly string[]).includes(base)) {
        this.#o.onMalformed?.(protocolError("frame", "topic", topic, "a subscribed private topic"));
        return;
      }
      if (!Array.isArray(m.data)) {
        this.#o.onMalformed?.(protocolError(base, "data", m.data, "a list"));
        return;
      }
      this.messages++;
      this.#onData(base, m.data);
      return;
    }
    const isAuthReply = m.op === "auth" || (typeof m.request === "object" && m.request !== null && (m.request as { op?: unknown }).op === "auth");
    if (isAuthReply) {
      if (m.success === true) {
        this.#conn.send({ req_id: "hean-sub", op: "subscribe", args: [...PRIVATE_TOPICS] });
        return;
      }
      this.authFailures++;
      this.#o.feed.onAuthFailed(String(m.ret_msg));
      this.#conn.restart("authentication refused");
      return;
    }
    if (m.op === "subscribe") {
      if (m.success === true) {
        this.#ready = true;
        this.#conn.healthy();
        this.#o.feed.onReady();
      } else {
        this.#o.alert("critical", "PRIVATE_SUBSCRIBE_FAILED", `private subscribe refused: ${String(m.ret_msg)}`, { reply: String(m.ret_msg) });
        this.#conn.restart("subscribe refused");
      }
      return;
    }
    // Neither data nor a reply to anything we asked.
    if (typeof m.op !== "string") this.#o.onMalformed?.(protocolError("frame", "topic", m.topic, "a topic or an op"));
  }

  /**
   * Each item on its own: a malformed one is counted and dropped, the items around it still
   * apply. What it carried is not lost for good: reconciliation reads the venue's REST record.
   */
  #onData(topic: (typeof PRIVATE_TOPICS)[number], items: readonly unknown[]): void {
    for (const item of items) {
      try {
        this.#onItem(topic, item);
      } catch (e) {
        if (!isHeanError(e, "VENUE_PROTOCOL")) throw e;
        this.#o.onMalformed?.(e);
      }
    }
  }

  #onItem(topic: (typeof PRIVATE_TOPICS)[number], item: unknown): void {
    const { feed } = this.#o;
    switch (topic) {
      case "order": {
        const o = parseOrder(item);
        if (o.orderLinkId !== "") feed.onOrder(orderReportOf(o));
        return;
      }
      case "execution": {
        const e = parseExecution(item);
        if (e !== undefined) {
          feed.onFill(fillReportOf(e));
          return;
        }
        // Not a trade: a funding settlement is P&L the account booked; other kinds move nothing here.
        const funding = parseFunding(item);
        if (funding !== undefined) feed.onFunding(funding);
        return;
      }
      case "wallet": {
        const w = parseWallet(item);
        // The message says when it was made, not when the balance was struck: venue time now.
        const report = w === undefined ? undefined : accountReportOf(w, this.#o.time.now());
        if (report !== undefined) feed.onWallet(report);
        return;
      }
      case "position":
        // Read only to hold it to the wire rules: positions are compared by reconciliation
        // (REST), where sequence and pending fills are known.
        parsePosition(item);
        return;
    }
  }

}
