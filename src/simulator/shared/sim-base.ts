/**
 * What every venue simulator does the same way around its protocol: the options it starts from,
 * its accounts and API keys, listening on loopback, shutting the HTTP and WebSocket servers down,
 * and running until SIGINT/SIGTERM from the command line.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { pathToFileURL } from "node:url";
import { WebSocketServer } from "ws";
import type { Clock } from "../../core/clock.ts";
import { dec, type Dec } from "../../core/decimal.ts";
import { describeError, HeanError } from "../../core/errors.ts";
import type { ApiCredential } from "./credential.ts";
import type { FaultSpec } from "./faults.ts";
import type { WsPeer } from "./ws-peer.ts";

export interface SimAccountOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** USDT; default 100000. */
  readonly startingBalance?: string | number | undefined;
}

export interface BaseSimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  readonly seed?: number | undefined;
  /** calm (default), trend, flash-crash, stale. */
  readonly scenario?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly apiSecret?: string | undefined;
  /** USDT balance the account starts with; default 100000. */
  readonly startingBalance?: string | number | undefined;
  /** More accounts (each its own key); the first account is the one of apiKey/apiSecret. */
  readonly extraAccounts?: readonly SimAccountOptions[] | undefined;
  /** A fault set as `POST /__sim/faults` takes it (JSON object), or a parsed FaultSpec. */
  readonly faults?: FaultSpec | Record<string, unknown> | undefined;
  /** Enforce the venue's rate limits. Default true. */
  readonly rateLimits?: boolean | undefined;
  readonly clock?: Clock | undefined;
}

export interface SimAccounts {
  readonly accounts: readonly { readonly apiKey: string; readonly apiSecret: string; readonly startingBalance: Dec }[];
  /** By API key; account ids are acct-1, acct-2, … in the order given. */
  readonly credentials: ReadonlyMap<string, ApiCredential>;
}

export function balanceOf(value: string | number | undefined): Dec {
  const text = value === undefined ? "100000" : String(value);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new HeanError("CONFIG_INVALID", `starting balance must be a decimal ≥ 0, got ${text}`, {});
  return dec(text);
}

/** The accounts of the options, checked (balances, distinct keys) before anything starts. */
export function simAccounts(options: BaseSimulatorOptions): SimAccounts {
  const accounts = [
    { apiKey: options.apiKey ?? "sim-api-key", apiSecret: options.apiSecret ?? "sim-api-secret", startingBalance: balanceOf(options.startingBalance) },
    ...(options.extraAccounts ?? []).map((a) => ({ apiKey: a.apiKey, apiSecret: a.apiSecret, startingBalance: balanceOf(a.startingBalance) })),
  ];
  const credentials = new Map<string, ApiCredential>();
  accounts.forEach((a, index) => {
    if (credentials.has(a.apiKey)) throw new HeanError("CONFIG_INVALID", "two simulator accounts share an API key", {});
    credentials.set(a.apiKey, { apiKey: a.apiKey, apiSecret: a.apiSecret, accountId: `acct-${index + 1}` });
  });
  return { accounts, credentials };
}

/** Listen on host:port; `onFail` stops whatever was started (the process must be able to exit). Returns the bound port and the host as it goes in a URL. */
export async function listenOn(server: Server, host: string, port: number | undefined, onFail: () => void): Promise<{ port: number; hostPart: string }> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    onFail();
    throw new HeanError("CONFIG_INVALID", `cannot listen on ${host}:${port ?? 0}: ${e instanceof Error ? e.message : String(e)}`, {});
  }
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, hostPart: host.includes(":") ? `[${host}]` : host };
}

/** Drop every stream and held socket, then close the WebSocket and HTTP servers. */
export async function shutDown(server: Server, wss: WebSocketServer, peers: Iterable<WsPeer>, heldSockets: Iterable<Socket>): Promise<void> {
  for (const p of [...peers]) p.terminate();
  for (const s of heldSockets) s.destroy();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Keep a started simulator running until SIGINT or SIGTERM, then close it. */
export async function runUntilSignal(name: string, close: () => Promise<void>): Promise<number> {
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await close();
  process.stdout.write(`${name} simulator stopped\n`);
  return 0;
}

/** Run `cli` when this module is the process's entry point (`node src/simulator/<venue>/main.ts …`). */
export function runIfMain(moduleUrl: string, cli: (argv: readonly string[]) => Promise<number>): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${describeError(e).message}\n`);
      process.exit(2);
    },
  );
}

/** An HTTP server whose requests go to `handle` (a throw becomes a bare 500) and whose upgrades go to `upgrade`. */
export function simHttpServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, wss: WebSocketServer) => void,
): { server: Server; wss: WebSocketServer } {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5000;
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(req, socket, head, wss));
  return { server, wss };
}

/** Refuse a WebSocket upgrade with a bare HTTP status line. */
export function refuseUpgrade(socket: Duplex, status: "400 Bad Request" | "404 Not Found"): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
