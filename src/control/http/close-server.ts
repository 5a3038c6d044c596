import type { Server } from "node:http";

/**
 * Stops listening and resolves once every connection has ended. Idle keep-alive connections (a
 * dashboard polling every few seconds) close at once: left alone, a page kept open would hold the
 * process up for as long as it stays open. Requests still running (a slow command) get `graceMs`,
 * then their sockets go.
 */
export function closeServer(server: Server, graceMs = 2_000): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}
