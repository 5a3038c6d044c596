/**
 * One reconnecting WebSocket to a venue: the venue's ping message every `pingIntervalMs`, a pong
 * deadline (any inbound frame counts as alive), an optional idle timeout on data frames (a socket
 * that answers pings but carries no data is as good as dead), and reconnection with exponential
 * backoff and jitter. What to do on open (auth, subscribe) and with each message belongs to the
 * stream on top; this only keeps a socket alive and says when it is lost. The backoff starts
 * over only once the stream on top says the connection is `healthy()` (authenticated and
 * subscribed), so a venue that accepts sockets and then refuses us is retried ever more slowly.
 */
import WebSocket from "ws";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { HeanError } from "../../core/errors.ts";
import { backoffMs } from "./backoff.ts";

export type WireMessage = Record<string, unknown>;

import type { LiveTuning } from "../../config/venue-config.ts";

export interface WsConnectionOptions {
  readonly url: string;
  /**
   * How messages name the connection (default: `url`). A URL that carries a credential (Binance's
   * user data stream, `/ws/<listenKey>`) is named without it.
   */
  readonly label?: string | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  /** Reconnect when no data (non-pong) frame arrived for this long; undefined: never. */
  readonly idleTimeoutMs?: number | undefined;
  readonly isPong: (message: WireMessage) => boolean;
  /**
   * The venue's application-level ping; `seq` counts up per connection. Absent: a WebSocket
   * ping frame (Binance), whose pong frame counts as the answer.
   */
  readonly pingMessage?: ((seq: number) => WireMessage) | undefined;
  readonly onOpen: () => void;
  readonly onMessage: (message: WireMessage) => void;
  /** The connection is gone (or could not be made); called once per outage. */
  readonly onDown: (reason: string) => void;
  /** The data went quiet; the connection is being replaced. */
  readonly onIdle?: (silentMs: number) => void;
  /** A frame that is not a JSON object (`VENUE_PROTOCOL`, kind "frame"); it has been dropped. */
  readonly onMalformed?: (error: HeanError) => void;
}

export class WsConnection {
  readonly #o: WsConnectionOptions;
  #ws: WebSocket | undefined;
  #running = false;
  #up = false;
  #downReported = false;
  #attempt = 0;
  #lastInboundAt = 0;
  #lastDataAt = 0;
  #pingTimer: TimerHandle | undefined;
  #pongDeadline: TimerHandle | undefined;
  #idleTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #connectTimer: TimerHandle | undefined;
  #pingSeq = 0;
  reconnects = 0;
  opened = 0;
  handlerErrors = 0;
  malformedFrames = 0;

  constructor(options: WsConnectionOptions) {
    this.#o = options;
  }

  get up(): boolean {
    return this.#up;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /** Close for good. Resolves once the socket is closed (or dropped after a short grace). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#reconnectTimer?.cancel();
    const ws = this.#ws;
    this.#teardown();
    if (ws === undefined) return;
    await new Promise<void>((resolve) => {
      const grace = this.#o.clock.setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000);
      ws.once("close", () => {
        grace.cancel();
        resolve();
      });
      try {
        ws.close(1000, "hean stopping");
      } catch {
        ws.terminate();
      }
    });
  }

  send(message: WireMessage): boolean {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /** The stream on top is fully up (e.g. authenticated and subscribed): reconnects start over from the shortest wait. */
  healthy(): void {
    this.#attempt = 0;
  }

  /** Drop the current socket and connect again (e.g. after a protocol error or a failed auth). */
  restart(reason: string): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    this.#lost(ws, reason);
    ws.terminate();
  }

  #connect(): void {
    if (!this.#running) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#o.url, { handshakeTimeout: this.#o.connectTimeoutMs });
    } catch (e) {
      this.#reportDown(`cannot connect: ${(e as Error).message}`);
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    this.#connectTimer = this.#o.clock.setTimeout(() => {
      if (this.#ws === ws && !this.#up) this.restart(`no connection after ${this.#o.connectTimeoutMs} ms`);
    }, this.#o.connectTimeoutMs + 1_000);
    ws.on("open", () => {
      if (this.#ws !== ws) return;
      this.#connectTimer?.cancel();
      this.#up = true;
      this.#downReported = false;
      this.opened++;
      const now = this.#o.clock.now();
      this.#lastInboundAt = now;
      this.#lastDataAt = now;
      this.#pingTimer = this.#o.clock.setInterval(() => this.#ping(), this.#o.pingIntervalMs);
      const idle = this.#o.idleTimeoutMs;
      if (idle !== undefined) this.#idleTimer = this.#o.clock.setInterval(() => this.#checkIdle(), Math.max(50, Math.min(1_000, idle / 4)));
      this.#o.onOpen();
    });
    ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.#ws !== ws) return;
      let message: unknown;
      try {
        message = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        message = undefined;
      }
      if (typeof message !== "object" || message === null || Array.isArray(message)) {
        this.#malformed(isBinary ? "a binary frame" : message === undefined ? "a frame that is not JSON" : "a JSON frame that is not an object");
        return;
      }
      const now = this.#o.clock.now();
      this.#lastInboundAt = now;
      this.#pongDeadline?.cancel();
      this.#pongDeadline = undefined;
      if (this.#o.isPong(message as WireMessage)) return;
      this.#lastDataAt = now;
      try {
        this.#o.onMessage(message as WireMessage);
      } catch {
        // A handler bug must not take the socket (or the process) down; the stream carries on.
        this.handlerErrors++;
      }
    });
    ws.on("pong", () => {
      if (this.#ws !== ws) return;
      this.#lastInboundAt = this.#o.clock.now();
      this.#pongDeadline?.cancel();
      this.#pongDeadline = undefined;
    });
    ws.on("close", (code: number) => this.#lost(ws, `closed (${code})`));
    ws.on("error", (e: Error) => this.#lost(ws, `error: ${e.message}`));
  }

  #malformed(what: string): void {
    this.malformedFrames++;
    try {
      this.#o.onMalformed?.(new HeanError("VENUE_PROTOCOL", `dropped ${what} from ${this.#o.label ?? this.#o.url}`, { kind: "frame" }));
    } catch {
      this.handlerErrors++;
    }
  }

  #ping(): void {
    const message = this.#o.pingMessage;
    if (message !== undefined) this.send(message(++this.#pingSeq));
    else {
      try {
        this.#ws?.ping();
      } catch {
        // A socket closing under us: the close handler takes it from here.
      }
    }
    if (this.#pongDeadline !== undefined) return;
    this.#pongDeadline = this.#o.clock.setTimeout(() => {
      this.#pongDeadline = undefined;
      this.restart(`no pong within ${this.#o.pongTimeoutMs} ms`);
    }, this.#o.pongTimeoutMs);
  }

  #checkIdle(): void {
    const idle = this.#o.idleTimeoutMs;
    if (idle === undefined || !this.#up) return;
    const silent = this.#o.clock.now() - this.#lastDataAt;
    if (silent < idle) return;
    this.#o.onIdle?.(silent);
    this.restart(`no data for ${silent} ms`);
  }

  #lost(ws: WebSocket, reason: string): void {
    if (this.#ws !== ws) return;
    this.#teardown();
    this.#reportDown(reason);
    this.#scheduleReconnect();
  }

  #teardown(): void {
    this.#pingTimer?.cancel();
    this.#pongDeadline?.cancel();
    this.#idleTimer?.cancel();
    this.#connectTimer?.cancel();
    this.#pingTimer = this.#pongDeadline = this.#idleTimer = this.#connectTimer = undefined;
    const ws = this.#ws;
    this.#ws = undefined;
    this.#up = false;
    if (ws !== undefined) {
      ws.removeAllListeners("message");
      ws.removeAllListeners("open");
      ws.removeAllListeners("pong");
      // Keep a no-op error listener: a late socket error must not become an uncaught exception.
      ws.removeAllListeners("error");
      ws.on("error", () => undefined);
    }
  }

  #reportDown(reason: string): void {
    if (this.#downReported) return;
    this.#downReported = true;
    this.#o.onDown(reason);
  }

  #scheduleReconnect(): void {
    if (!this.#running) return;
    this.#reconnectTimer?.cancel();
    const delay = backoffMs(this.#attempt++, this.#o.reconnectInitialMs, this.#o.reconnectMaxMs, this.#o.random);
    this.reconnects++;
    this.#reconnectTimer = this.#o.clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect();
    }, delay);
  }
}
