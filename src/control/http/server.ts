/**
 * The control server (node:http, no framework: a dozen routes do not need one, and every byte
 * the engine process depends on is one more thing to audit).
 *
 *   GET  /health /ready /metrics
 *   GET  /api/status /api/positions /api/orders /api/risk /api/bus /api/venue
 *        /api/fills?limit= /api/alerts?limit= /api/equity /api/prices?symbol=
 *        /api/performance /api/candles?symbol=&interval= /api/strategies
 *   GET  /api/stream                (Server-Sent Events for the dashboard)
 *   POST /api/commands              (Bearer token)
 *   GET  /  and the dashboard files
 *
 * Reads are open, so the server binds loopback by default and refuses to bind anything else
 * without a token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HeanError, describeError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../observability/logger.ts";
import { createMetrics, type HeanMetrics } from "../metrics/metrics.ts";
import type { EngineView } from "../engine-view.ts";
import { registerSecret, type Secret } from "../../core/secrets.ts";
import { isLoopbackHost, requireLoopbackHostHeader } from "./auth.ts";
import { handleCommand } from "./command-route.ts";
import { closeServer } from "./close-server.ts";
import { LiveStream } from "./live-stream.ts";
import type { ReadHandler } from "./read-handler.ts";
import { readRoutes } from "./read-routes.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./request-body.ts";
import { ApiError, sendError, sendText } from "./respond.ts";
import { loadDashboardFiles } from "./static-files.ts";

export const MIN_TOKEN_LENGTH = 16;

export interface ControlServerOptions {
  readonly view: EngineView;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Enables commands. From `readSecret("HEAN_API_TOKEN")`. */
  readonly token?: Secret | string | undefined;
  readonly logger?: Logger;
  /** Shared metrics; created from the view when absent. */
  readonly metrics?: HeanMetrics;
  readonly commandTimeoutMs?: number;
  readonly maxBodyBytes?: number;
  readonly stream?: { readonly intervalMs?: number; readonly heartbeatMs?: number; readonly maxClients?: number };
}

export interface ControlServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  close(): Promise<void>;
}

/** Who may reach the server: a token long enough, and none missing off loopback. Also checked before an engine starts. */
export function checkControlServerAccess(host: string, token: Secret | undefined): void {
  if (token !== undefined && token.reveal().length < MIN_TOKEN_LENGTH) {
    throw new HeanError("CONFIG_INVALID", `the API token (HEAN_API_TOKEN) is too short: use at least ${MIN_TOKEN_LENGTH} characters (make one with: hean token)`);
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new HeanError("CONFIG_INVALID", `refusing to serve the control API on ${host} without an API token: set HEAN_API_TOKEN(_FILE) or bind 127.0.0.1`, { host });
  }
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopbackHost(host);
  const token = options.token === undefined ? undefined : registerSecret(options.token);
  checkControlServerAccess(host, token);
  const logger = (options.logger ?? silentLogger()).child({ component: "http" });
  const ownMetrics = options.metrics === undefined;
  const metrics = options.metrics ?? createMetrics(options.view);
  const { files, csp } = loadDashboardFiles();
  const routes = readRoutes(options.view, metrics, Date.now());
  const stream = new LiveStream({ view: options.view, logger, ...options.stream });
  const commandOptions = {
    view: options.view,
    token,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    timeoutMs: options.commandTimeoutMs ?? 15_000,
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (loopback) requireLoopbackHostHeader(req);
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const path = url.pathname;
    if (path === "/api/commands") {
      if (method !== "POST") throw methodNotAllowed("POST");
      return handleCommand(req, res, commandOptions);
    }
    const isRead = method === "GET" || method === "HEAD";
    if (path === "/api/stream") {
      if (method !== "GET") throw methodNotAllowed("GET");
      stream.accept(req, res);
      return;
    }
    const handler: ReadHandler | undefined = routes[path];
    if (handler !== undefined) {
      if (!isRead) throw methodNotAllowed("GET, HEAD");
      return handler({ url, res });
    }
    const file = files.get(path);
    if (file !== undefined) {
      if (!isRead) throw methodNotAllowed("GET, HEAD");
      sendText(res, 200, file.contentType, file.body, {
        "cache-control": "no-cache",
        "content-security-policy": csp,
      });
      return;
    }
    throw new ApiError(404, "NOT_FOUND", `no route ${method} ${path}`);
  };

  const server: Server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug({ method: req.method, path: (req.url ?? "").split("?")[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 }, "request");
    });
    dispatch(req, res).catch((e: unknown) => {
      if (e instanceof ApiError) {
        sendError(res, e);
        return;
      }
      logger.error({ err: describeError(e), path: req.url }, "control request failed");
      sendError(res, new ApiError(500, "INTERNAL", "internal error; see the engine log"));
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e) => logger.error({ err: describeError(e) }, "control server error"));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  logger.info(
    { host, port, commands: token === undefined ? "disabled (no token)" : "enabled" },
    `control API on http://${urlHost}:${port}`,
  );
  if (!loopback) logger.warn({ host }, "control API reads are unauthenticated on a non-loopback address: keep it on a private network");

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () => {
      if (closing === undefined) {
        stream.close();
        if (ownMetrics) metrics.close();
        closing = closeServer(server);
      }
      return closing;
    },
  };
}

const methodNotAllowed = (allow: string): ApiError =>
  new ApiError(405, "METHOD_NOT_ALLOWED", `use ${allow}`, { allow });
