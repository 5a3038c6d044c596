/**
 * What clients asked of the simulator: every REST request and WebSocket connection, and whether
 * it reached a private endpoint (signed REST, the private and trade streams). Tests assert on it,
 * e.g. that paper trading never touches anything private. Bounded: the oldest entries go first.
 */
import { ROUTES } from "./rest-server.ts";

export interface SimRequest {
  readonly at: number;
  readonly kind: "rest" | "ws";
  readonly method: string;
  readonly path: string;
  readonly private: boolean;
}

const MAX_ENTRIES = 10_000;

export class RequestLog {
  readonly #entries: SimRequest[] = [];

  rest(at: number, method: string, url: string): void {
    const path = url.split("?")[0]!;
    // An unknown path counts as private: nothing unlisted may pass as harmless.
    this.#push({ at, kind: "rest", method, path, private: path.startsWith("/__sim/") ? false : (ROUTES.get(path)?.private ?? true) });
  }

  ws(at: number, path: string, kind: "public" | "private" | "trade"): void {
    this.#push({ at, kind: "ws", method: "GET", path, private: kind !== "public" });
  }

  entries(): readonly SimRequest[] {
    return [...this.#entries];
  }

  #push(entry: SimRequest): void {
    if (this.#entries.length >= MAX_ENTRIES) this.#entries.shift();
    this.#entries.push(entry);
  }
}
