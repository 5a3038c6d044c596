/**
 * Market-data ingest: Bybit `orderbook.50` deltas of 25 levels per side, from the WebSocket frame
 * to the engine's top of book (hean's PublicStream: parse, validate every level, apply to the
 * local book, check sequence and crossing, publish `market.book`), against a bare ws client that
 * only `JSON.parse`s the same frames. Same local server, same frames, same process; every delta
 * moves the top so that every frame yields one book event.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { DEFAULT_LIVE_TUNING } from "../src/config/venue-config.ts";
import { RealClock } from "../src/core/clock.ts";
import { PublicStream } from "../src/venues/bybit/public-stream.ts";
import type { BenchResult } from "./result.ts";

const FRAMES = 20_000;
const LEVELS = 25;
const ROUNDS = 3;

function frames(): string[] {
  const out: string[] = [];
  const side = (base: number, step: number, u: number): [string, string][] =>
    Array.from({ length: LEVELS }, (_, k) => [(base + step * k).toFixed(2), k === 0 ? `${1 + (u % 97)}.${u % 1000}` : ((u * (k + 3)) % 5000 / 1000).toFixed(3)]);
  out.push(JSON.stringify({ topic: "orderbook.50.BTCUSDT", type: "snapshot", ts: 1_700_000_000_000, data: { s: "BTCUSDT", b: side(30000, -0.1, 0), a: side(30000.1, 0.1, 0), u: 1, seq: 1 }, cts: 1_700_000_000_000 }));
  for (let u = 2; u <= FRAMES + 1; u++) {
    out.push(JSON.stringify({ topic: "orderbook.50.BTCUSDT", type: "delta", ts: 1_700_000_000_000 + u, data: { s: "BTCUSDT", b: side(30000, -0.1, u), a: side(30000.1, 0.1, u), u, seq: u }, cts: 1_700_000_000_000 + u }));
  }
  return out;
}

/** A server that, on the first message from a client (its subscribe), sends every frame. */
async function server(all: readonly string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  wss.on("connection", (socket) => {
    socket.once("message", () => {
      for (const f of all) socket.send(f);
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

async function bareParse(url: string, expected: number): Promise<number> {
  const ws = new WebSocket(url);
  let seen = 0;
  let sum = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    ws.on("message", (data: Buffer) => {
      if (seen === 0) started = performance.now();
      sum += (JSON.parse(data.toString()) as { ts: number }).ts > 0 ? 1 : 0;
      if (++seen === expected) resolve(performance.now() - started);
    });
  });
  await once(ws, "open");
  ws.send(JSON.stringify({ op: "subscribe" }));
  const ms = await done;
  ws.terminate();
  if (sum !== expected) throw new Error("parse check failed");
  return ((expected - 1) / ms) * 1000;
}

async function throughStream(url: string, expected: number): Promise<number> {
  let seen = 0;
  let started = 0;
  let resolveDone!: (ms: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const problems: string[] = [];
  const stream = new PublicStream({
    url,
    symbols: ["BTCUSDT"],
    tuning: DEFAULT_LIVE_TUNING,
    clock: new RealClock(),
    random: Math.random,
    emit: (e) => {
      if (e.type !== "market.book") return;
      if (seen === 0) started = performance.now();
      if (++seen === expected) resolveDone(performance.now() - started);
    },
    alert: (_s, code, message) => problems.push(`${code}: ${message}`),
    onMalformed: (e) => problems.push(e.message),
  });
  stream.start();
  const ms = await Promise.race([done, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`stream saw ${seen} of ${expected} books; ${problems.slice(0, 3).join("; ")}`)), 60_000))]);
  await stream.stop();
  if (problems.some((p) => !p.startsWith("PUBLIC_") && !p.includes("subscribe"))) throw new Error(`ingest problems: ${problems.slice(0, 3).join("; ")}`);
  return ((expected - 1) / ms) * 1000;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function runIngestBench(): Promise<BenchResult[]> {
  const all = frames();
  const srv = await server(all);
  try {
    const bare: number[] = [];
    const hean: number[] = [];
    await bareParse(srv.url, all.length); // warm-up
    await throughStream(srv.url, all.length);
    for (let r = 0; r < ROUNDS; r++) {
      bare.push(await bareParse(srv.url, all.length));
      hean.push(await throughStream(srv.url, all.length));
    }
    const value = median(hean);
    const baselineValue = median(bare);
    return [{ name: "Bybit 25-level book deltas: WS frame → engine top of book", unit: "frames/s", value, baselineName: "bare ws client + JSON.parse of the same frames", baselineValue, ratio: value / baselineValue }];
  } finally {
    await srv.close();
  }
}

if (import.meta.main) {
  const { formatTable } = await import("./run.ts");
  process.stdout.write(formatTable(await runIngestBench()) + "\n");
}
