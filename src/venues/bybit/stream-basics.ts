/** The timing, ping and pong rule both Bybit streams share (Bybit asks for a ping every 20 s). */
import type { LiveTuning } from "../../config/venue-config.ts";
import type { WsConnectionOptions } from "../live/ws-connection.ts";

export function bybitStreamBasics(t: LiveTuning): Pick<WsConnectionOptions, "pingIntervalMs" | "pongTimeoutMs" | "connectTimeoutMs" | "reconnectInitialMs" | "reconnectMaxMs" | "isPong" | "pingMessage"> {
  return {
    pingIntervalMs: t.pingIntervalMs,
    pongTimeoutMs: t.pongTimeoutMs,
    connectTimeoutMs: t.connectTimeoutMs,
    reconnectInitialMs: t.reconnectInitialMs,
    reconnectMaxMs: t.reconnectMaxMs,
    // Public streams answer with `ret_msg: "pong"`, the private one with `op: "pong"`.
    isPong: (m) => m.op === "pong" || m.ret_msg === "pong",
    pingMessage: (seq) => ({ op: "ping", req_id: `p${seq}` }),
  };
}
