/**
 * The Bybit simulator assembled: one node:http server for REST and the three WebSocket paths,
 * the exchange backend (sim matching engine + synthetic market), the public feeds, the private
 * streams, and the fault state that every channel consults.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { RealClock, type TimerHandle } from "../../core/clock.ts";
import { dec, type Dec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import { createEngineBackend } from "./backend.ts";
import type { ExchangeEvent, ExchangePort } from "./exchange-port.ts";
import { FaultState, parseFaults, type FaultSpec } from "../shared/faults.ts";
import { PublicFeeds, type MarketView } from "./public-feeds.ts";
import { RateLimiter } from "./rate-limit.ts";
import { handleRest } from "./rest-server.ts";
import { RequestLog, type SimRequest } from "./request-log.ts";
import { SeededRandom } from "../shared/rng.ts";
import { handleControl, type ResetOptions } from "./sim-control.ts";
import type { ApiCredential } from "./signing.ts";
import { wsPosition, wsWallet } from "./wire-account.ts";
import { publicTrade, streamTicker, wireBook } from "./wire-market.ts";
import { wsExecution, wsFastExecution, wsOrder } from "./wire-orders.ts";
import { PrivateStreams } from "./ws-private.ts";
import { handlePublicMessage } from "./ws-public.ts";
import { WsPeer, type PeerKind } from "../shared/ws-peer.ts";
import { handleTradeMessage } from "./ws-trade.ts";
import { listenOn, refuseUpgrade, shutDown, simAccounts, simHttpServer, type BaseSimulatorOptions } from "../shared/sim-base.ts";

export type { SimAccountOptions } from "../shared/sim-base.ts";

export interface BybitSimulatorOptions extends BaseSimulatorOptions {
  /** Close a WebSocket with no inbound message for this long (Bybit: 10 min). */
  readonly idleTimeoutMs?: number | undefined;
}

export interface BybitSimulator {
  readonly port: number;
  /** `http://host:port` (REST). */
  readonly url: string;
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
  readonly wsTradeUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** The exchange behind the protocol (for in-process tests and tools). */
  backend(): ExchangePort;
  setFaults(faults: FaultSpec | Record<string, unknown>): void;
  clearFaults(): void;
  /** Booked creates whose answer is withheld (acceptThenTimeout) and whose client has not given up yet. */
  heldRequests(): number;
  setPrice(symbol: string, price: string | Dec): void;
  reset(options?: ResetOptions): Promise<void>;
  /** Every REST request and stream connection so far, oldest first (`request-log.ts`). */
  requests(): readonly SimRequest[];
  close(): Promise<void>;
}

const IDLE_SWEEP_MS = 30_000;
const WS_PATHS: Readonly<Record<string, PeerKind>> = { "/v5/public/linear": "public", "/v5/private": "private", "/v5/trade": "trade" };

/** A FaultSpec is itself valid input to parseFaults, so both forms go through the one validator. */
function toSpec(faults: FaultSpec | Record<string, unknown>): FaultSpec {
  const parsed = parseFaults(faults);
  if (!parsed.ok) throw new HeanError("CONFIG_INVALID", `bad simulator faults: ${parsed.error}`, {});
  return parsed.spec;
}

export async function startBybitSimulator(options: BybitSimulatorOptions = {}): Promise<BybitSimulator> {
  const clock = options.clock ?? new RealClock();
  let seed = options.seed ?? 1;
  let scenario = options.scenario ?? "calm";
  const host = options.host ?? "127.0.0.1";
  // Everything that can be refused is checked before anything starts running.
  const initialFaults = options.faults === undefined ? undefined : toSpec(options.faults);
  const { accounts, credentials } = simAccounts(options);
  const userIds = new Map([...credentials.values()].map((c, index) => [c.accountId, 100_001 + index]));
  const lookup = (apiKey: string): ApiCredential | undefined => credentials.get(apiKey);
  const primaryAccount = credentials.get(accounts[0]!.apiKey)!.accountId;

  const random = new SeededRandom(seed);
  const faults = new FaultState(seed);
  const limiter = new RateLimiter(options.rateLimits ?? true);
  const heldSockets = new Set<Socket>();
  const peers = new Set<WsPeer>();
  const makeBackend = (startingBalances: ReadonlyMap<string, Dec>): ExchangePort =>
    createEngineBackend({
      clock,
      seed,
      scenario,
      accounts: [...credentials.values()].map((c) => ({ accountId: c.accountId, startingBalance: startingBalances.get(c.accountId)! })),
    });
  let balances = new Map([...credentials.values()].map((c, i) => [c.accountId, accounts[i]!.startingBalance]));
  let port = makeBackend(balances);

  const market: MarketView = {
    hasSymbol: (symbol) => port.instrument(symbol) !== undefined,
    bookLevels: (symbol, depth) => wireBook(port.instrument(symbol)!, port.book(symbol, depth), depth),
    ticker: (symbol) => streamTicker(port.instrument(symbol)!, port.ticker(symbol)),
    crossSeq: () => port.crossSeq(),
  };
  const feeds = new PublicFeeds(market, faults, clock);
  const privateStreams = new PrivateStreams(lookup, faults, clock, random);

  // Account messages go out on the next turn: the REST answer that caused them is written first,
  // as on Bybit, where order entry is acknowledged before the stream reports it.
  const pendingPrivate: [string, ExchangeEvent][] = [];
  let flushTimer: TimerHandle | undefined;
  const flushPrivate = (): void => {
    flushTimer = undefined;
    for (const [accountId, event] of pendingPrivate.splice(0)) publishPrivate(accountId, event);
  };
  const onEvent = (accountId: string | undefined, event: ExchangeEvent): void => {
    if (event.kind !== "trade") {
      if (accountId === undefined) return;
      pendingPrivate.push([accountId, event]);
      flushTimer ??= clock.setTimeout(flushPrivate, 0);
      return;
    }
    const i = port.instrument(event.trade.symbol);
    if (i !== undefined) feeds.trade(publicTrade(i, event.trade));
  };
  const publishPrivate = (accountId: string, event: ExchangeEvent): void => {
    switch (event.kind) {
      case "order":
        privateStreams.publish(accountId, "order", [wsOrder(port.instrument(event.order.symbol)!, event.order)]);
        return;
      case "execution": {
        const i = port.instrument(event.execution.symbol)!;
        // The fast topic carries trades only.
        if (event.execution.execType === "Trade") privateStreams.publish(accountId, "execution.fast", [wsFastExecution(i, event.execution)]);
        privateStreams.publish(accountId, "execution", [wsExecution(i, event.execution)]);
        return;
      }
      case "position":
        privateStreams.publish(accountId, "position", [wsPosition(port.instrument(event.position.symbol)!, event.position)]);
        return;
      case "wallet":
        privateStreams.publish(accountId, "wallet", [wsWallet(event.wallet)]);
    }
  };
  let unsubscribe = port.subscribe(onEvent);

  let dropTimer: TimerHandle | undefined;
  const armDropTimer = (): void => {
    dropTimer?.cancel();
    dropTimer = undefined;
    const every = faults.spec.dropPrivateWsEveryMs;
    if (every > 0) dropTimer = clock.setInterval(() => privateStreams.disconnectAll("terminate"), every);
  };
  faults.onChange(armDropTimer);

  const applyFaults = (spec: FaultSpec): void => {
    const oneShots = faults.apply(spec, clock.now());
    if (oneShots.disconnectPrivate) privateStreams.disconnectAll("terminate");
    if (oneShots.disconnectPublic) for (const p of [...peers]) if (p.kind === "public") p.terminate();
    if (oneShots.bookRestart) feeds.restartBooks();
  };
  if (initialFaults !== undefined) applyFaults(initialFaults);

  const reset = async (resetOptions: ResetOptions = {}): Promise<void> => {
    const nextScenario = resetOptions.scenario ?? scenario;
    const nextSeed = resetOptions.seed ?? seed;
    const nextBalances = resetOptions.startingBalance === undefined ? balances : new Map([...balances.keys()].map((k) => [k, resetOptions.startingBalance!]));
    const previous = { seed, scenario };
    seed = nextSeed;
    scenario = nextScenario;
    let next: ExchangePort;
    try {
      next = makeBackend(nextBalances);
    } catch (e) {
      seed = previous.seed;
      scenario = previous.scenario;
      throw e;
    }
    unsubscribe();
    port.close();
    port = next;
    balances = nextBalances;
    unsubscribe = port.subscribe(onEvent);
    faults.clear(clock.now());
    limiter.reset();
    feeds.clear();
    // A restart on the venue's side: every stream is closed with "service restart".
    for (const p of [...peers]) p.close(1012, "simulator reset");
  };

  const requestLog = new RequestLog();
  const handle = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requestLog.rest(clock.now(), req.method ?? "", req.url ?? "/");
    return handleRest(req, res, {
      clock,
      faults,
      limiter,
      random,
      heldSockets,
      port: () => port,
      lookup,
      userId: (accountId) => userIds.get(accountId) ?? 0,
      control: (rq, rs, path, body) =>
        handleControl(rq, rs, path, body, {
          port: () => port,
          primaryAccount,
          applyFaults,
          describeFaults: () => faults.describe(clock.now()),
          streams: () =>
            [...peers].map((p) => ({ kind: p.kind, connId: p.connId, authenticated: p.credential !== undefined, topics: [...p.subscriptions] })),
          requests: () => requestLog.entries(),
          reset,
          now: () => clock.now(),
        }),
    });
  };
  const { server, wss } = simHttpServer(handle, (req, socket, head, upgrades) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const kind = WS_PATHS[path];
    if (kind === undefined) {
      refuseUpgrade(socket, "404 Not Found");
      return;
    }
    requestLog.ws(clock.now(), path, kind);
    upgrades.handleUpgrade(req, socket, head, (ws: WebSocket) => attach(ws, kind));
  });

  const attach = (ws: WebSocket, kind: PeerKind): void => {
    const channel = kind === "public" ? "public" : "private";
    const peer = new WsPeer(ws, kind, random.uuid(), clock, () => faults.delayMs(channel));
    peers.add(peer);
    if (kind === "private") privateStreams.add(peer);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      peer.lastInboundAt = clock.now();
      const text = isBinary ? "" : data.toString("utf8");
      try {
        if (kind === "public") handlePublicMessage(peer, text, feeds);
        else if (kind === "private") privateStreams.handleMessage(peer, text);
        else handleTradeMessage(peer, text, { clock, faults, limiter, random, port: () => port, lookup });
      } catch {
        peer.close(1011, "internal error");
      }
    });
    ws.on("close", () => {
      peers.delete(peer);
      privateStreams.remove(peer);
      feeds.drop(peer);
    });
    ws.on("error", () => peer.terminate());
  };

  const idleTimeoutMs = options.idleTimeoutMs ?? 600_000;
  const idleTimer = clock.setInterval(() => {
    const now = clock.now();
    for (const p of [...peers]) if (now - p.lastInboundAt > idleTimeoutMs) p.close(1000, "idle timeout");
  }, Math.min(IDLE_SWEEP_MS, idleTimeoutMs));

  const { port: boundPort, hostPart } = await listenOn(server, host, options.port, () => {
    idleTimer.cancel();
    dropTimer?.cancel();
    unsubscribe();
    port.close();
  });
  feeds.start();
  const url = `http://${hostPart}:${boundPort}`;
  let closing: Promise<void> | undefined;

  return {
    port: boundPort,
    url,
    wsPublicUrl: `ws://${hostPart}:${boundPort}/v5/public/linear`,
    wsPrivateUrl: `ws://${hostPart}:${boundPort}/v5/private`,
    wsTradeUrl: `ws://${hostPart}:${boundPort}/v5/trade`,
    apiKey: accounts[0]!.apiKey,
    apiSecret: accounts[0]!.apiSecret,
    backend: () => port,
    setFaults: (f) => applyFaults(toSpec(f)),
    clearFaults: () => faults.clear(clock.now()),
    heldRequests: () => heldSockets.size,
    setPrice: (symbol, price) => {
      const value = typeof price === "string" ? dec(price) : price;
      if (port.instrument(symbol) === undefined) throw new HeanError("INSTRUMENT_UNKNOWN", `unknown symbol ${symbol}`, { symbol });
      port.setPrice(symbol, value);
    },
    reset,
    requests: () => requestLog.entries(),
    close: () => {
      closing ??= (async () => {
        feeds.stop();
        dropTimer?.cancel();
        flushTimer?.cancel();
        idleTimer.cancel();
        unsubscribe();
        port.close();
        await shutDown(server, wss, peers, heldSockets);
      })();
      return closing;
    },
  };
}
