/**
 * The Binance USD-M simulator assembled: one node:http server for `/fapi` REST and the stream
 * paths, the exchange (sim matching engine + synthetic market), market streams, user streams and
 * the fault state every channel consults.
 *
 * Stream paths: `[/public|/market|/private]/ws[/<stream>|/<listenKey>|/<n>]` (raw) and
 * `[/public|/market|/private]/stream[?streams=a/b][&listenKey=K]` (combined `{stream, data}`);
 * a listen key may also come as `?listenKey=`. Every connection is closed after 24 h (clock time).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { RealClock, type TimerHandle } from "../../core/clock.ts";
import { dec, type Dec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import { FaultState, type FaultSpec } from "../shared/faults.ts";
import { decText, priceText, qtyText } from "../shared/number-text.ts";
import { SeededRandom } from "../shared/rng.ts";
import { WsPeer } from "../shared/ws-peer.ts";
import { BinanceExchange, type BnEvent, type BnPublicTrade } from "./exchange.ts";
import { NO_EXTRAS, parseBinanceFaults, type BinanceExtras } from "./faults.ts";
import { MarketStreams, parseStream, type MarketSource } from "./market-streams.ts";
import { BinanceRateLimiter } from "./rate-limit.ts";
import { buildRoutes } from "./rest-routes.ts";
import { handleBinanceRest } from "./rest-server.ts";
import { handleBinanceControl, type BinanceResetOptions } from "./sim-control.ts";
import { UserStreams } from "./user-streams.ts";
import { listenOn, refuseUpgrade, shutDown, simAccounts, simHttpServer, type BaseSimulatorOptions } from "../shared/sim-base.ts";
import { accountUpdate, orderTradeUpdate } from "./wire.ts";

export interface BinanceSimulatorOptions extends BaseSimulatorOptions {
  /** How long a stream connection may live (Binance: 24 h). */
  readonly maxConnectionMs?: number | undefined;
  /** Accounts start in hedge mode (`GET /fapi/v1/positionSide/dual` true; one-way orders refused with -4061); a reset restores it. */
  readonly hedgeMode?: boolean | undefined;
}

export interface BinanceSimulator {
  readonly port: number;
  /** `http://host:port`: REST base (paths start with `/fapi`). */
  readonly url: string;
  /** `ws://host:port`: the stream base (`/ws/<stream>`, `/stream?streams=`, `/ws/<listenKey>`). */
  readonly wsUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  exchange(): BinanceExchange;
  setFaults(faults: Record<string, unknown>): void;
  setPrice(symbol: string, price: string | Dec): void;
  settleFunding(symbol?: string, rate?: string): number;
  reset(options?: BinanceResetOptions): Promise<void>;
  close(): Promise<void>;
}

const DAY_MS = 24 * 3600 * 1000;

type StreamTarget = { readonly kind: "market"; readonly streams: string[]; readonly combined: boolean } | { readonly kind: "user"; readonly key: string; readonly combined: boolean };

/** Which connection a path asks for; undefined for an unknown path or stream. */
function routeStream(url: string, isLiveKey: (key: string) => boolean, hasSymbol: (s: string) => boolean): StreamTarget | "bad-key" | undefined {
  const parsed = new URL(url, "http://x");
  const m = /^(?:\/(?:public|market|private))?\/(ws|stream)(?:\/([^/]+))?$/.exec(parsed.pathname);
  if (m === null) return undefined;
  const combined = m[1] === "stream";
  const tail = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const key = parsed.searchParams.get("listenKey") ?? (tail !== undefined && !tail.includes("@") && !/^\d+$/.test(tail) ? tail : undefined);
  if (key !== undefined) return isLiveKey(key) ? { kind: "user", key, combined } : "bad-key";
  const names = combined ? (parsed.searchParams.get("streams") ?? "").split("/").filter((s) => s !== "") : tail === undefined || /^\d+$/.test(tail) ? [] : tail.split("/");
  if (names.some((n) => parseStream(n, hasSymbol) === undefined)) return undefined;
  return { kind: "market", streams: names, combined };
}

export async function startBinanceSimulator(options: BinanceSimulatorOptions = {}): Promise<BinanceSimulator> {
  const { clock = new RealClock(), host = "127.0.0.1" } = options;
  let { seed = 1, scenario = "calm" } = options;
  const parsedFaults = options.faults === undefined ? undefined : parseBinanceFaults(options.faults);
  if (parsedFaults !== undefined && !parsedFaults.ok) throw new HeanError("CONFIG_INVALID", `bad simulator faults: ${parsedFaults.error}`, {});
  const { accounts, credentials } = simAccounts(options);
  const primaryAccount = "acct-1";
  let balances = new Map(accounts.map((a, i) => [`acct-${i + 1}`, a.startingBalance]));

  const random = new SeededRandom(seed);
  const faults = new FaultState(seed);
  let extras: BinanceExtras = NO_EXTRAS;
  let left418 = 0;
  const limiter = new BinanceRateLimiter(options.rateLimits ?? true);
  const heldSockets = new Set<Socket>();
  const peers = new Set<WsPeer>();
  const makeExchange = (): BinanceExchange =>
    new BinanceExchange({ clock, seed, scenario, hedgeMode: options.hedgeMode, accounts: [...balances].map(([accountId, startingBalance]) => ({ accountId, startingBalance })) });
  let ex = makeExchange();
  const users = new UserStreams(clock, faults, random);
  const source: MarketSource = {
    hasSymbol: (s) => ex.instrument(s) !== undefined,
    levels: (s) => {
      const i = ex.instrument(s)!;
      const b = ex.book(s, 200);
      return { bids: b.bids.map((l) => [priceText(i, l.price), qtyText(i, l.qty)]), asks: b.asks.map((l) => [priceText(i, l.price), qtyText(i, l.qty)]), ts: b.ts };
    },
    markPrice: (s) => priceText(ex.instrument(s)!, ex.markPrice(s)),
    nextFundingTime: () => ex.nextFundingTime(),
  };
  const markets = new MarketStreams({ source, faults, clock });
  const tape = new Map<string, BnPublicTrade[]>();

  // User-stream events go out on the next turn: the REST answer that caused them is written first.
  const pending: BnEvent[] = [];
  let flushTimer: TimerHandle | undefined;
  const flush = (): void => {
    flushTimer = undefined;
    for (const event of pending.splice(0)) publish(event);
  };
  const publish = (event: BnEvent): void => {
    const now = clock.now();
    switch (event.kind) {
      case "order":
        users.publish(event.accountId, orderTradeUpdate(ex.instrument(event.order.symbol)!, event.order, event.execution, undefined, now));
        return;
      case "fill":
        users.publish(event.accountId, orderTradeUpdate(ex.instrument(event.order.symbol)!, event.order, "TRADE", event.trade, now));
        return;
      case "account":
        users.publish(event.accountId, accountUpdate(ex, event.accountId, event.reason, event.symbols, now));
        return;
      case "trade":
        return;
    }
  };
  const onEvent = (event: BnEvent): void => {
    if (event.kind === "trade") {
      const i = ex.instrument(event.trade.symbol)!;
      const list = tape.get(event.trade.symbol) ?? [];
      list.push(event.trade);
      if (list.length > 1000) list.splice(0, list.length - 1000);
      tape.set(event.trade.symbol, list);
      markets.trade({ ...event.trade, price: priceText(i, event.trade.price), qty: qtyText(i, event.trade.qty) });
      return;
    }
    pending.push(event);
    flushTimer ??= clock.setTimeout(flush, 0);
  };
  let unsubscribe = ex.subscribe(onEvent);

  let dropTimer: TimerHandle | undefined;
  faults.onChange(() => {
    dropTimer?.cancel();
    dropTimer = undefined;
    const every = faults.spec.dropPrivateWsEveryMs;
    if (every > 0) dropTimer = clock.setInterval(() => users.terminateAll(), every);
  });
  const applyFaults = (spec: FaultSpec, next: BinanceExtras): void => {
    const oneShots = faults.apply(spec, clock.now());
    extras = next;
    left418 = next.http418;
    if (oneShots.disconnectPrivate) users.terminateAll();
    if (oneShots.disconnectPublic) for (const p of [...peers]) if (p.kind === "public") p.terminate();
    if (next.expireListenKeys) users.expireAll();
  };
  if (parsedFaults?.ok === true) applyFaults(parsedFaults.spec, parsedFaults.extras);

  const reset = async (r: BinanceResetOptions = {}): Promise<void> => {
    const previous = { seed, scenario, balances };
    seed = r.seed ?? seed;
    scenario = r.scenario ?? scenario;
    if (r.startingBalance !== undefined) balances = new Map([...balances.keys()].map((k) => [k, r.startingBalance!]));
    let next: BinanceExchange;
    try {
      next = makeExchange();
    } catch (e) {
      ({ seed, scenario, balances } = previous);
      throw e;
    }
    unsubscribe();
    ex.close();
    ex = next;
    unsubscribe = ex.subscribe(onEvent);
    faults.clear(clock.now());
    extras = NO_EXTRAS;
    left418 = 0;
    limiter.reset();
    markets.clear();
    users.reset();
    tape.clear();
    for (const p of [...peers]) p.close(1012, "simulator reset");
  };

  const routes = buildRoutes(markets, {
    recent: (symbol, limit) =>
      (tape.get(symbol) ?? []).slice(-limit).map((t) => {
        const i = ex.instrument(symbol)!;
        return { a: t.id, p: priceText(i, t.price), q: qtyText(i, t.qty), f: t.id, l: t.id, T: t.time, m: t.buyerIsMaker };
      }),
  });

  const handle = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    handleBinanceRest(req, res, {
      clock,
      faults,
      take418: () => {
        if (left418 <= 0) return false;
        left418 -= 1;
        return true;
      },
      retryAfterS: () => extras.retryAfterS,
      limiter,
      routes,
      listenKeys: users,
      heldSockets,
      exchange: () => ex,
      lookup: (k) => credentials.get(k),
      control: (rq, rs, path, body) =>
        handleBinanceControl(rq, rs, path, body, {
          exchange: () => ex,
          primaryAccount,
          applyFaults,
          describeFaults: () => ({ ...faults.describe(clock.now()), http418: left418, expireListenKeys: extras.expireListenKeys, retryAfterS: extras.retryAfterS ?? null }),
          streams: () => {
            // A user stream says whether its listen key still lives (an expired one delivers nothing).
            const keyOf = new Map(users.streams().map((u) => [u.peer, u.key]));
            return [...peers].map((p) => {
              const key = keyOf.get(p);
              return { kind: p.kind, connId: p.connId, streams: [...p.subscriptions], ...(key === undefined ? {} : { listenKeyLive: users.isLive(key) }) };
            });
          },
          reset,
          now: () => clock.now(),
        }),
    });
  const { server, wss } = simHttpServer(handle, (req, socket, head, upgrades) => {
    const target = routeStream(req.url ?? "/", (k) => users.isLive(k), (s) => ex.instrument(s) !== undefined);
    if (target === undefined || target === "bad-key") {
      refuseUpgrade(socket, target === "bad-key" ? "400 Bad Request" : "404 Not Found");
      return;
    }
    upgrades.handleUpgrade(req, socket, head, (ws: WebSocket) => attach(ws, target));
  });

  const maxConnectionMs = options.maxConnectionMs ?? DAY_MS;
  const attach = (ws: WebSocket, target: StreamTarget): void => {
    const channel = target.kind === "user" ? "private" : "public";
    const peer = new WsPeer(ws, channel, random.uuid(), clock, () => faults.delayMs(channel));
    peers.add(peer);
    if (target.kind === "user") users.attach(peer, target.key, target.combined);
    else {
      markets.attach(peer, target.combined);
      for (const s of target.streams) markets.subscribe(peer, s);
    }
    // Binance's 24-hour connection limit, on the simulator's clock.
    const lifetime = clock.setTimeout(() => peer.close(1000, "24h connection limit"), maxConnectionMs);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      peer.lastInboundAt = clock.now();
      if (target.kind === "market") handleMarketRequest(peer, isBinary ? "" : data.toString("utf8"));
    });
    ws.on("close", () => {
      lifetime.cancel();
      peers.delete(peer);
      users.detach(peer);
      markets.detach(peer);
    });
    ws.on("error", () => peer.terminate());
  };

  const handleMarketRequest = (peer: WsPeer, text: string): void => {
    let request: { method?: unknown; params?: unknown; id?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      request = parsed as typeof request;
    } catch {
      peer.send({ code: 3, msg: "Invalid JSON: expected an object" });
      return;
    }
    const id = typeof request.id === "number" || typeof request.id === "string" ? request.id : null;
    const params = Array.isArray(request.params) ? request.params : [];
    switch (request.method) {
      case "SUBSCRIBE":
      case "UNSUBSCRIBE": {
        const bad = params.find((p) => typeof p !== "string" || parseStream(p, (s) => ex.instrument(s) !== undefined) === undefined);
        if (bad !== undefined || params.length === 0) {
          peer.send({ code: 2, msg: `Invalid request: unknown stream ${JSON.stringify(bad ?? null)}`, id });
          return;
        }
        for (const p of params as string[]) {
          if (request.method === "SUBSCRIBE") markets.subscribe(peer, p);
          else markets.unsubscribe(peer, p);
        }
        peer.send({ result: null, id });
        return;
      }
      case "LIST_SUBSCRIPTIONS":
        peer.send({ result: [...peer.subscriptions], id });
        return;
      case "SET_PROPERTY":
        if (params[0] !== "combined" || typeof params[1] !== "boolean") {
          peer.send({ code: 2, msg: "Invalid request: property name must be 'combined' with a boolean value", id });
          return;
        }
        markets.setCombined(peer, params[1]);
        peer.send({ result: null, id });
        return;
      case "GET_PROPERTY":
        peer.send({ result: markets.isCombined(peer), id });
        return;
      default:
        peer.send({ code: 2, msg: `Invalid request: unknown method ${JSON.stringify(request.method ?? null)}`, id });
    }
  };

  const { port: boundPort, hostPart } = await listenOn(server, host, options.port, () => {
    unsubscribe();
    ex.close();
  });
  const stopMarkets = markets.run();
  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    url: `http://${hostPart}:${boundPort}`,
    wsUrl: `ws://${hostPart}:${boundPort}`,
    apiKey: accounts[0]!.apiKey,
    apiSecret: accounts[0]!.apiSecret,
    exchange: () => ex,
    setFaults: (f) => {
      const parsed = parseBinanceFaults(f);
      if (!parsed.ok) throw new HeanError("CONFIG_INVALID", `bad simulator faults: ${parsed.error}`, {});
      applyFaults(parsed.spec, parsed.extras);
    },
    setPrice: (symbol, price) => {
      if (ex.instrument(symbol) === undefined) throw new HeanError("INSTRUMENT_UNKNOWN", `unknown symbol ${symbol}`, { symbol });
      ex.setPrice(symbol, typeof price === "string" ? dec(price) : price);
    },
    settleFunding: (symbol, rate) => ex.settleFunding(symbol, dec(rate ?? decText(dec("0.0001")))),
    reset,
    close: () => {
      closing ??= (async () => {
        stopMarkets();
        dropTimer?.cancel();
        flushTimer?.cancel();
        unsubscribe();
        ex.close();
        users.reset();
        await shutDown(server, wss, peers, heldSockets);
      })();
      return closing;
    },
  };
}
