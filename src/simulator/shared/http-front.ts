/**
 * Pieces of a simulated venue's REST front door that do not depend on the venue: splitting the
 * request target, waiting on the simulator's clock (injected latency), the gateway's 503 page,
 * and withholding the answer of an accepted order (the accept-then-timeout fault).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Clock } from "../../core/clock.ts";
import { readBody } from "./http-io.ts";

export const GATEWAY_503_HTML = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>";

export function splitTarget(req: IncomingMessage): { path: string; query: string } {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? { path: url, query: "" } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

export const sleepOn = (clock: Clock, ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimeout(resolve, ms)));

/** The order is booked; its response never comes. The socket is held (or reset after `resetMs` when > 0). */
export function withhold(res: ServerResponse, heldSockets: Set<Socket>, clock: Clock, resetMs: number): void {
  const socket = res.socket;
  if (socket === null) return;
  heldSockets.add(socket);
  socket.once("close", () => heldSockets.delete(socket));
  if (resetMs > 0) clock.setTimeout(() => socket.destroy(), resetMs);
}

export interface Arrival {
  /** Clock time the request arrived. */
  readonly receivedAt: number;
  readonly path: string;
  readonly query: string;
  /** Undefined when over 1 MiB or aborted. */
  readonly body: string | undefined;
  /** The caller's address (the key of IP budgets). */
  readonly ip: string;
}

type ControlHandler = (req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined) => Promise<void>;

/** Read a request; the simulator's own `/__sim/*` routes are answered by `control` (and undefined returned). */
export async function arrive(req: IncomingMessage, res: ServerResponse, clock: Clock, control: ControlHandler): Promise<Arrival | undefined> {
  const receivedAt = clock.now();
  const { path, query } = splitTarget(req);
  const body = await readBody(req);
  if (path.startsWith("/__sim/")) {
    await control(req, res, path, body);
    return undefined;
  }
  return { receivedAt, path, query, body, ip: req.socket.remoteAddress ?? "ip" };
}
