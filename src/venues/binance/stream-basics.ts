/**
 * The timing and keepalive both Binance streams share. Binance pings the client with WebSocket
 * ping frames (answered by the `ws` library); hean pings too, with ping frames, and takes the
 * pong frame (or any inbound frame) as proof the connection is alive.
 */
import type { LiveTuning } from "../../config/venue-config.ts";
import type { WsConnectionOptions } from "../live/ws-connection.ts";

export function binanceStreamBasics(t: LiveTuning): Pick<WsConnectionOptions, "pingIntervalMs" | "pongTimeoutMs" | "connectTimeoutMs" | "reconnectInitialMs" | "reconnectMaxMs" | "isPong" | "pingMessage"> {
  return {
    pingIntervalMs: t.pingIntervalMs,
    pongTimeoutMs: t.pongTimeoutMs,
    connectTimeoutMs: t.connectTimeoutMs,
    reconnectInitialMs: t.reconnectInitialMs,
    reconnectMaxMs: t.reconnectMaxMs,
    // No application-level pong: a ping frame's pong (or any frame) keeps the connection alive.
    isPong: () => false,
    pingMessage: undefined,
  };
}
