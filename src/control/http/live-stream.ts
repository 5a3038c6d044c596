/**
 * The dashboard's live channel: Server-Sent Events on `/api/stream`.
 *
 * The engine's event listener only notes what changed (it must stay cheap: it runs inside the
 * engine's turn); a timer then sends, at most once per interval, what the browser needs:
 * - `snapshot`: status, positions, orders, risk, bus, venue (on connect, on change, and at least
 *   every `heartbeatMs` so bus figures and clocks stay fresh);
 * - `price`: `{symbol, ts, price}` per symbol whose book moved (latest mid only);
 * - `equity`: `{ts, equity}` (latest only);
 * - `fills`: new fills; `alerts`: new alerts; `command`: command results from any surface.
 * A client that stops reading is dropped once its unsent backlog passes `maxBufferedBytes`,
 * so a stalled browser tab cannot grow the engine's memory.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { toNumber } from "../../core/decimal.ts";
import type { AlertEvent, CommandResultEvent, HeanEvent } from "../../core/events.ts";
import { describeError } from "../../core/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import type { EngineView, FillView } from "../engine-view.ts";
import { ApiError, baseHeaders, toJson } from "./respond.ts";
import { dashboardSnapshot, fillViewOf, midOf } from "./snapshot.ts";

export interface LiveStreamOptions {
  readonly view: EngineView;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly heartbeatMs?: number;
  readonly maxClients?: number;
  readonly maxBufferedBytes?: number;
}

const MAX_PENDING = 200;

export class LiveStream {
  readonly #view: EngineView;
  readonly #logger: Logger;
  readonly #heartbeatMs: number;
  readonly #maxClients: number;
  readonly #maxBuffered: number;
  readonly #clients = new Set<ServerResponse>();
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  #dirty = true;
  #lastSnapshotAt = 0;
  readonly #prices = new Map<string, { ts: number; price: number }>();
  #equity: { ts: number; equity: number } | undefined;
  #fills: FillView[] = [];
  #alerts: AlertEvent[] = [];
  #commands: CommandResultEvent[] = [];
  #lastErrorLoggedAt = 0;

  constructor(options: LiveStreamOptions) {
    this.#view = options.view;
    this.#logger = options.logger;
    this.#heartbeatMs = options.heartbeatMs ?? 2000;
    this.#maxClients = options.maxClients ?? 32;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.#unsubscribe = this.#view.onEvent((event) => this.#note(event));
    this.#timer = setInterval(() => this.#flush(), options.intervalMs ?? 500);
    this.#timer.unref();
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  accept(req: IncomingMessage, res: ServerResponse): void {
    if (this.#clients.size >= this.#maxClients) {
      throw new ApiError(503, "TOO_MANY_STREAMS", `at most ${this.#maxClients} live streams at once`);
    }
    res.writeHead(200, {
      ...baseHeaders(),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 3000\n\n");
    this.#clients.add(res);
    const drop = (): void => {
      this.#clients.delete(res);
    };
    req.on("close", drop);
    res.on("close", drop);
    res.on("error", drop);
    this.#send(res, "snapshot", this.#safeSnapshot());
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #note(event: HeanEvent): void {
    switch (event.type) {
      case "market.book":
        this.#prices.set(event.symbol, { ts: event.ts, price: midOf(event.bid, event.ask) });
        return;
      case "market.trade":
        return;
      case "equity":
        this.#equity = { ts: event.ts, equity: toNumber(event.equity) };
        return;
      case "order.filled":
        if (this.#fills.length < MAX_PENDING) this.#fills.push(fillViewOf(event));
        break;
      case "alert":
        if (this.#alerts.length < MAX_PENDING) this.#alerts.push(event);
        break;
      case "command.result":
        if (this.#commands.length < MAX_PENDING) this.#commands.push(event);
        break;
      default:
        break;
    }
    this.#dirty = true;
  }

  #flush(): void {
    if (this.#clients.size === 0) {
      this.#prices.clear();
      this.#equity = undefined;
      this.#fills = [];
      this.#alerts = [];
      this.#commands = [];
      return;
    }
    const now = Date.now();
    const messages: [string, unknown][] = [];
    for (const [symbol, point] of this.#prices) messages.push(["price", { symbol, ...point }]);
    this.#prices.clear();
    if (this.#equity !== undefined) messages.push(["equity", this.#equity]);
    this.#equity = undefined;
    if (this.#fills.length > 0) messages.push(["fills", this.#fills]);
    if (this.#alerts.length > 0) messages.push(["alerts", this.#alerts]);
    for (const result of this.#commands) messages.push(["command", result]);
    this.#fills = [];
    this.#alerts = [];
    this.#commands = [];
    if (this.#dirty || now - this.#lastSnapshotAt >= this.#heartbeatMs) {
      const snapshot = this.#safeSnapshot();
      if (snapshot !== undefined) messages.push(["snapshot", snapshot]);
    }
    if (messages.length === 0) return;
    const text = messages.map(([name, data]) => frame(name, data)).join("");
    for (const res of this.#clients) this.#write(res, text);
  }

  #safeSnapshot(): unknown {
    try {
      const snapshot = dashboardSnapshot(this.#view);
      this.#dirty = false;
      this.#lastSnapshotAt = Date.now();
      return snapshot;
    } catch (e) {
      const now = Date.now();
      if (now - this.#lastErrorLoggedAt > 10_000) {
        this.#lastErrorLoggedAt = now;
        this.#logger.warn({ err: describeError(e) }, "live stream: the engine view failed to give a snapshot");
      }
      return undefined;
    }
  }

  #send(res: ServerResponse, name: string, data: unknown): void {
    if (data !== undefined) this.#write(res, frame(name, data));
  }

  #write(res: ServerResponse, text: string): void {
    if (res.writableLength > this.#maxBuffered) {
      this.#logger.warn({ buffered: res.writableLength }, "live stream: dropping a client that stopped reading");
      this.#clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  }
}

const frame = (name: string, data: unknown): string => `event: ${name}\ndata: ${toJson(data)}\n\n`;
