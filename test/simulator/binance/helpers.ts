/**
 * Test helpers for the Binance simulator: a minimal signed REST client (so tests can also send
 * what real clients never send: bad signatures, stale timestamps), a WebSocket probe that waits
 * for messages by predicate, and a factory for ccxt's unmodified binanceusdm pointed at the sim.
 */
import { createHmac } from "node:crypto";
import { request } from "node:http";
import WebSocket from "ws";
import ccxt from "ccxt";
import type { SimClock } from "../../../src/core/clock.ts";
import type { BinanceSimulator } from "../../../src/simulator/binance/main.ts";

export interface Call {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

export interface SignOptions {
  readonly apiKey?: string;
  readonly apiSecret?: string;
  readonly timestamp?: number;
  readonly recvWindow?: number;
  /** Put the parameters in a form body instead of the query (POST/PUT/DELETE). */
  readonly inBody?: boolean;
  readonly tamper?: boolean;
}

/**
 * One request on a fresh connection: a test that advances a SimClock blocks the event loop for
 * seconds, and a kept-alive socket may then be closed by the server just as it is reused.
 */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Call> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, body: raw.startsWith("{") || raw.startsWith("[") ? JSON.parse(raw) : raw });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function signed(sim: BinanceSimulator, method: string, path: string, params: Record<string, string | number | boolean>, now: number, o: SignOptions = {}): Promise<Call> {
  const text = new URLSearchParams([
    ...Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    ["timestamp", String(o.timestamp ?? now)],
    ...(o.recvWindow === undefined ? [] : [["recvWindow", String(o.recvWindow)] as [string, string]]),
  ]).toString();
  const signature = createHmac("sha256", o.apiSecret ?? sim.apiSecret).update(o.tamper === true ? `${text}x` : text).digest("hex");
  const full = `${text}&signature=${signature}`;
  const headers = { "X-MBX-APIKEY": o.apiKey ?? sim.apiKey, "Content-Type": "application/x-www-form-urlencoded" };
  return o.inBody === true ? send(`${sim.url}${path}`, method, headers, full) : send(`${sim.url}${path}?${full}`, method, headers);
}

export function call(sim: BinanceSimulator, method: string, path: string, headers: Record<string, string> = {}): Promise<Call> {
  return send(`${sim.url}${path}`, method, headers);
}

export async function control(sim: BinanceSimulator, method: string, path: string, body?: unknown): Promise<any> {
  return (await send(`${sim.url}${path}`, method, {}, body === undefined ? undefined : JSON.stringify(body))).body;
}

/** A WebSocket that records every message; `next(pred)` resolves with the first match (seen or future). */
export class Probe {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  readonly #waiters: { pred: (m: any) => boolean; resolve: (m: any) => void; reject: (e: Error) => void }[] = [];
  readonly closed: Promise<number>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (data) => {
      const m = JSON.parse(String(data));
      this.messages.push(m);
      for (const w of [...this.#waiters]) {
        if (w.pred(m)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      this.ws.on("close", (code) => {
        // A waiter on a closed socket fails instead of hanging the test.
        for (const w of this.#waiters.splice(0)) w.reject(new Error(`socket closed (${code}) before the awaited message`));
        resolve(code);
      }),
    );
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }

  next(pred: (m: any) => boolean): Promise<any> {
    const seen = this.messages.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => this.#waiters.push({ pred, resolve, reject }));
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** ccxt pro binanceusdm with only its URLs changed (and the spot-host currency calls off: they go to api.binance.com). */
export async function ccxtClient(sim: BinanceSimulator): Promise<InstanceType<typeof ccxt.pro.binanceusdm>> {
  const ex = new ccxt.pro.binanceusdm({
    apiKey: sim.apiKey,
    secret: sim.apiSecret,
    // A short keepalive period: ccxt's 20-minute keepalive timer would otherwise hold the test process open.
    options: { fetchCurrencies: false, listenKeyRefreshRate: 1000 },
  });
  const api = ex.urls["api"] as Record<string, any>;
  for (const v of [1, 2, 3]) {
    const suffix = v === 1 ? "" : `V${v}`;
    api[`fapiPublic${suffix}`] = `${sim.url}/fapi/v${v}`;
    api[`fapiPrivate${suffix}`] = `${sim.url}/fapi/v${v}`;
  }
  api["ws"]["future"] = `${sim.wsUrl}/ws`;
  // ccxt refuses ws:// in Node until its HTTP agent is loaded.
  await ex.loadHttpProxyAgent();
  return ex;
}

/** Moves the simulated clock in 100 ms steps until `done()`; yields between steps so sockets can deliver. */
export async function advanceUntil(clock: SimClock, done: () => boolean): Promise<void> {
  while (!done()) {
    clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
