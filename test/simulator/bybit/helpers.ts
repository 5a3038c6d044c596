/**
 * Test helpers for the Bybit simulator: a minimal signed REST client (so tests can also send
 * what real clients never send: wrong signatures, stale timestamps), a WebSocket probe that
 * waits for messages by predicate, and factories for the unmodified ccxt and bybit-api clients.
 */
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import { RealClock, type TimerHandle } from "../../../src/core/clock.ts";
import type { BybitSimulator } from "../../../src/simulator/bybit/main.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Envelope = { retCode: number; retMsg: string; result: any; retExtInfo: any; time: number };

export interface SignedCall {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Envelope;
}

export interface SignOptions {
  readonly apiKey?: string;
  readonly apiSecret?: string;
  readonly timestamp?: number;
  readonly recvWindow?: number;
  readonly signal?: AbortSignal;
}

const hmac = (secret: string, text: string): string => createHmac("sha256", secret).update(text).digest("hex");

/** A Bybit V5 signed request, the way the docs describe it. */
export async function signed(sim: BybitSimulator, method: "GET" | "POST", path: string, params: Record<string, unknown>, o: SignOptions = {}): Promise<SignedCall> {
  const apiKey = o.apiKey ?? sim.apiKey;
  const secret = o.apiSecret ?? sim.apiSecret;
  const timestamp = String(o.timestamp ?? Date.now());
  const recvWindow = String(o.recvWindow ?? 5000);
  const query = method === "GET" ? new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString() : "";
  const body = method === "POST" ? JSON.stringify(params) : "";
  const sign = hmac(secret, timestamp + apiKey + recvWindow + (method === "GET" ? query : body));
  const init: RequestInit = {
    method,
    headers: {
      "X-BAPI-API-KEY": apiKey,
      "X-BAPI-TIMESTAMP": timestamp,
      "X-BAPI-RECV-WINDOW": recvWindow,
      "X-BAPI-SIGN": sign,
      "Content-Type": "application/json",
    },
    ...(method === "POST" ? { body } : {}),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  };
  const res = await fetch(`${sim.url}${path}${query === "" ? "" : `?${query}`}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith("{") ? JSON.parse(text) : ({ raw: text } as never) };
}

export async function publicGet(sim: BybitSimulator, path: string): Promise<SignedCall> {
  const res = await fetch(`${sim.url}${path}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Envelope };
}

export async function control(sim: BybitSimulator, method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
  return { status: res.status, body: await res.json() };
}

export const wsAuthArgs = (apiKey: string, secret: string, expires = Date.now() + 10_000): [string, number, string] => [
  apiKey,
  expires,
  hmac(secret, `GET/realtime${expires}`),
];

/** A WebSocket client that keeps every message and lets a test wait for one by predicate. */
export class WsProbe {
  readonly messages: any[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number }>;
  #waiters: { pred: (m: any) => boolean; resolve: (m: any) => void; from: number }[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.on("close", (code: number) => resolve({ code })));
    ws.on("message", (data: Buffer) => {
      const m = JSON.parse(data.toString("utf8"));
      this.messages.push(m);
      const index = this.messages.length - 1;
      for (const w of [...this.#waiters]) {
        if (index >= w.from && w.pred(m)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    ws.on("error", () => {});
  }

  static open(url: string): Promise<WsProbe> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("open", () => resolve(new WsProbe(ws)));
      ws.once("error", reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first message (from index `from`, default: any already received) matching `pred`. */
  next(pred: (m: any) => boolean, timeoutMs = 5000, from = 0): Promise<any> {
    const found = this.messages.slice(from).find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (m: any) => (clearTimeout(timer), resolve(m)), from };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5)).slice(0, 800)}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Send and wait for the reply matched by `pred` among messages after the send. */
  async request(message: unknown, pred: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const from = this.messages.length;
    this.send(message);
    return this.next(pred, timeoutMs, from);
  }

  close(): void {
    this.ws.terminate();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A real clock that records every timer delay asked of it (to see injected latency without timing a test). */
export class RecordingClock extends RealClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

/** ccxt's bybit (pro, for the streams) pointed at the simulator, linear markets only. */
export async function makeCcxt(sim: BybitSimulator, overrides: { apiKey?: string; secret?: string; options?: Record<string, unknown> } = {}): Promise<any> {
  const { default: ccxt } = await import("ccxt");
  const base = sim.url;
  const ws = base.replace(/^http/, "ws");
  const exchange = new (ccxt as any).pro.bybit({
    apiKey: overrides.apiKey ?? sim.apiKey,
    secret: overrides.secret ?? sim.apiSecret,
    enableRateLimit: false,
    urls: {
      api: {
        spot: base,
        futures: base,
        v2: base,
        public: base,
        private: base,
        ws: {
          public: { linear: `${ws}/v5/public/linear`, spot: `${ws}/v5/public/spot`, inverse: `${ws}/v5/public/inverse`, option: `${ws}/v5/public/option` },
          private: { contract: `${ws}/v5/private`, spot: { unified: `${ws}/v5/private`, nonUnified: `${ws}/v5/private` }, usdc: `${ws}/v5/private`, trade: `${ws}/v5/trade` },
        },
      },
    },
    options: { fetchMarkets: { types: ["linear"] }, defaultType: "swap", ...overrides.options },
  });
  // ccxt refuses plain ws:// URLs in Node until its HTTP agent is loaded (a public method, no patching).
  await exchange.loadHttpProxyAgent();
  return exchange;
}

export const BTC = "BTC/USDT:USDT";

/** Wait until some authenticated private stream of the simulator carries all `topics`. */
export async function waitForPrivateTopics(sim: BybitSimulator, topics: readonly string[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await control(sim, "GET", "/__sim/state")).body;
    const ready = (state.streams as any[]).some((s) => s.kind === "private" && s.authenticated && topics.every((t) => s.topics.includes(t)));
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`no private stream with ${topics.join(", ")}: ${JSON.stringify(state.streams)}`);
    await sleep(20);
  }
}
