/**
 * `hean fleet`'s HTTP side: one dashboard and API over every engine of a Redis, read from their
 * heartbeats and event streams; commands go on the engines' command streams. Each engine's own
 * `--api-port` keeps working beside it.
 *
 *   GET  /                        the fleet dashboard (one page, engine selector)
 *   GET  /api/fleet               engines (up/down, status, positions), fleet totals, fleet risk
 *   GET  /api/fleet/events?engine=ID[&from=SEQ][&limit=N]
 *                                 an engine's events from its stream (oldest first; without
 *                                 `from`, the newest N)
 *   POST /api/fleet/commands      {"type": "stop", "engine": "ID" | "all": true, "commandId"?, "reason"?}
 *   POST /api/fleet/risk/reset    clear a tripped fleet risk latch and re-base its peak
 *
 * Off loopback an API token (HEAN_API_TOKEN) is required, as for an engine's API; POSTs always
 * need it when one is set. On loopback, as an engine's API does, it answers only requests
 * addressed to a loopback host: without a token its commands are open, and a web page the
 * operator visits must not reach them (nor read the fleet) by DNS rebinding.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { describeError } from "../core/errors.ts";
import type { CommandType } from "../core/events.ts";
import { didYouMean } from "../core/suggest.ts";
import { COMMAND_ID_PATTERN } from "../control/command-schema.ts";
import { isLoopbackHost, requireBearer, requireLoopbackHostHeader } from "../control/http/auth.ts";
import { closeServer } from "../control/http/close-server.ts";
import { readJsonObject } from "../control/http/request-body.ts";
import { ApiError, sendError, sendJson, sendText } from "../control/http/respond.ts";
import type { Secret } from "../core/secrets.ts";
import { redisNowId, sendCommand, waitOutcomes } from "./command-sender.ts";
import { FLEET_PAGE } from "./fleet-page.ts";
import type { FleetRisk } from "./fleet-risk.ts";
import { fleetTotals } from "./fleet-risk.ts";
import { readFleet } from "./heartbeat.ts";
import { ENGINE_ID_PATTERN, keys, seqOfEventStreamId } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";
import { toEntries } from "./stream-reply.ts";

export interface FleetServerOptions {
  readonly link: RedisLink;
  /** A second link for blocking waits on outcomes. */
  readonly waitLink: RedisLink;
  readonly host: string;
  readonly port: number;
  readonly token: Secret | undefined;
  readonly risk: FleetRisk | undefined;
  readonly commandTimeoutMs: number;
}

export interface FleetServer {
  readonly url: string;
  close(): Promise<void>;
}

const FLEET_COMMANDS: readonly CommandType[] = ["stop", "resume", "flatten", "cancel-all"];

export async function startFleetServer(o: FleetServerOptions): Promise<FleetServer> {
  const loopback = isLoopbackHost(o.host);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (loopback) requireLoopbackHostHeader(req);
      await handle(req, res, o);
    })().catch((e: unknown) => {
      sendError(res, e instanceof ApiError ? e : new ApiError(500, "INTERNAL", describeError(e).message));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as { port: number };
  return {
    url: `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${addr.port}`,
    close: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, o: FleetServerOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fleet");
  const route = `${req.method} ${url.pathname}`;
  if (o.token !== undefined && (req.method !== "GET" || url.pathname.startsWith("/api/"))) requireBearer(req, o.token);
  if (!o.link.up && url.pathname.startsWith("/api/")) throw new ApiError(503, "ENGINE_UNAVAILABLE", "Redis is down: the fleet cannot be read or commanded (each engine's own API still works)");
  switch (route) {
    case "GET /":
      return sendText(res, 200, "text/html; charset=utf-8", FLEET_PAGE, { "cache-control": "no-store" });
    case "GET /api/fleet": {
      const fleet = await readFleet(o.link);
      const beats = fleet.flatMap((e) => (e.beat === undefined ? [] : [e.beat]));
      const risk = o.risk?.state();
      return sendJson(res, 200, {
        engines: fleet.map((e) => ({ engineId: e.engineId, up: e.beat !== undefined, lastSeen: e.lastSeen, beat: e.beat ?? null })),
        totals: risk?.totals ?? fleetTotals(beats, fleet.length - beats.length, 0),
        risk: risk === undefined ? null : { tripped: risk.tripped ?? null, limits: risk.limits },
      });
    }
    case "GET /api/fleet/events": {
      const engine = url.searchParams.get("engine") ?? "";
      if (!ENGINE_ID_PATTERN.test(engine)) throw new ApiError(400, "BAD_REQUEST", "engine=ID is required");
      const fromText = url.searchParams.get("from");
      const from = fromText === null ? undefined : Number(fromText);
      const limit = Math.min(1_000, Math.max(1, Number(url.searchParams.get("limit") ?? "200")));
      if ((from !== undefined && (!Number.isSafeInteger(from) || from < 1)) || !Number.isFinite(limit)) throw new ApiError(400, "BAD_REQUEST", "from must be a sequence ≥ 1");
      // Without `from`: the newest `limit` events (still oldest first).
      const entries =
        from === undefined
          ? toEntries(await o.link.send(["XREVRANGE", keys.events(engine), "+", "-", "COUNT", Math.floor(limit)])).reverse()
          : toEntries(await o.link.send(["XRANGE", keys.events(engine), `0-${from}`, "+", "COUNT", Math.floor(limit)]));
      return sendJson(res, 200, entries.map((e) => ({ seq: seqOfEventStreamId(e.id), ts: Number(e.fields["ts"]), type: e.fields["type"], event: parse(e.fields["event"]) })));
    }
    case "POST /api/fleet/commands":
      return command(req, res, o);
    case "POST /api/fleet/risk/reset":
      if (o.risk === undefined) throw new ApiError(404, "NOT_FOUND", "this fleet process runs no fleet risk (start it with --max-drawdown-pct or --max-gross-exposure)");
      await o.risk.reset();
      return sendJson(res, 200, { ok: true, message: "fleet risk reset; drawdown measured from the equity of now" });
    default:
      throw new ApiError(404, "NOT_FOUND", `no route ${route}`);
  }
}

async function command(req: IncomingMessage, res: ServerResponse, o: FleetServerOptions): Promise<void> {
  const body = await readJsonObject(req, 4_096);
  const type = body["type"];
  if (typeof type !== "string" || !(FLEET_COMMANDS as readonly string[]).includes(type)) throw new ApiError(422, "COMMAND_INVALID", `"type" must be one of ${FLEET_COMMANDS.join(", ")}`);
  const all = body["all"] === true;
  const engine = body["engine"];
  if (all === (engine !== undefined)) throw new ApiError(422, "COMMAND_INVALID", `name one "engine" or send "all": true`);
  if (engine !== undefined && (typeof engine !== "string" || !ENGINE_ID_PATTERN.test(engine))) throw new ApiError(422, "COMMAND_INVALID", `"engine" must be an engine id`);
  const reason = body["reason"];
  if (reason !== undefined && (typeof reason !== "string" || reason.length > 200 || /[\u0000-\u001f]/.test(reason))) throw new ApiError(422, "COMMAND_INVALID", `"reason" must be one line of at most 200 characters`);
  const commandId = body["commandId"] ?? `fleet-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  if (typeof commandId !== "string" || !COMMAND_ID_PATTERN.test(commandId)) throw new ApiError(422, "COMMAND_INVALID", `"commandId" must be 1-80 letters, digits and . _ : -`);
  const fleet = await readFleet(o.link);
  const registered = fleet.map((e) => e.engineId);
  // An engine this Redis has never seen is a typo, not a down engine: "queued" would be a lie.
  if (!all && !registered.includes(engine as string)) {
    throw new ApiError(404, "NOT_FOUND", `no engine ${JSON.stringify(engine)} registered in this Redis${registered.length === 0 ? " (none is)" : `: ${didYouMean(engine as string, registered)}`}; nothing was sent`);
  }
  const targets = all ? registered : [engine as string];
  const up = new Set(fleet.filter((e) => e.beat !== undefined).map((e) => e.engineId));
  const since = await redisNowId(o.link);
  for (const id of targets) await sendCommand(o.link, id, { commandId, command: type as CommandType, args: reason === undefined ? {} : { reason }, source: "fleet-api", ttlMs: undefined });
  const outcomes = await waitOutcomes(o.waitLink, new Map(targets.filter((t) => up.has(t)).map((t) => [t, commandId] as const)), since, o.commandTimeoutMs);
  sendJson(res, 200, {
    commandId,
    engines: targets.map((id) => {
      const out = outcomes.get(id);
      if (out !== undefined) return { engineId: id, state: out.ok ? "applied" : "refused", ok: out.ok, duplicate: out.duplicate, message: out.message, code: out.code ?? null };
      return { engineId: id, state: up.has(id) ? "timeout" : "queued", ok: false, duplicate: false, message: up.has(id) ? "no answer in time; the command stays queued" : "engine down: applies when it returns", code: up.has(id) ? "FLEET_TIMEOUT" : null };
    }),
  });
}

function parse(text: string | undefined): unknown {
  try {
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return text ?? null;
  }
}
