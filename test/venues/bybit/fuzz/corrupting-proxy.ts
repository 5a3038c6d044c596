/** A loopback WebSocket proxy for the fuzz tests: it forwards both ways and may rewrite what the venue sends. */
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

/** A WebSocket proxy to `upstream` that lets `rewrite` turn each downstream frame into several. */
export class CorruptingProxy {
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<WebSocket>();
  rewrite: (frame: string) => string[] = (frame) => [frame];

  readonly #path: string;

  constructor(upstream: string) {
    this.#path = new URL(upstream).pathname;
    this.#wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    this.#wss.on("connection", (client) => {
      const venue = new WebSocket(upstream);
      const pending: string[] = [];
      this.#sockets.add(client).add(venue);
      venue.on("open", () => pending.splice(0).forEach((m) => venue.send(m)));
      client.on("message", (m) => (venue.readyState === WebSocket.OPEN ? venue.send(m.toString()) : pending.push(m.toString())));
      venue.on("message", (m) => {
        for (const out of this.rewrite(m.toString())) client.send(out);
      });
      const close = (): void => {
        client.terminate();
        venue.terminate();
      };
      client.on("close", close);
      venue.on("close", close);
      client.on("error", close);
      venue.on("error", close);
    });
  }

  listening(): Promise<void> {
    return new Promise((resolve) => (this.#wss.address() === null ? this.#wss.once("listening", () => resolve()) : resolve()));
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as AddressInfo).port}${this.#path}`;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise((resolve) => this.#wss.close(resolve));
  }
}

