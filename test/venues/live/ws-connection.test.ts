/**
 * The WebSocket connection's reconnect backoff grows while the venue accepts the socket and then
 * refuses us (an authentication refused: issue 10, defect 8, `PRIVATE_AUTH_FAILED` four times a
 * second), and starts over only once the stream on top says the connection is healthy.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocketServer } from "ws";
import { RealClock, type TimerHandle } from "../../../src/core/clock.ts";
import { WsConnection } from "../../../src/venues/live/ws-connection.ts";

class RecordingClock extends RealClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

test("reconnects back off exponentially until the stream is healthy, then start over", async () => {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as { port: number }).port;
  const clock = new RecordingClock();
  let opens = 0;
  let sixth!: () => void;
  const done = new Promise<void>((resolve) => (sixth = resolve));
  const conn: WsConnection = new WsConnection({
    url: `ws://127.0.0.1:${port}`,
    clock,
    random: () => 0.5, // no jitter: each delay is exactly base · 2^attempt
    pingIntervalMs: 60_000,
    pongTimeoutMs: 60_000,
    connectTimeoutMs: 60_000,
    reconnectInitialMs: 10,
    reconnectMaxMs: 500,
    isPong: () => false,
    pingMessage: (seq) => ({ op: "ping", seq }),
    onOpen: () => {
      opens++;
      if (opens === 5) conn.healthy(); // this one got as far as "authenticated and subscribed"
      if (opens <= 5) conn.restart(opens === 5 ? "dropped after being healthy" : "authentication refused");
      else sixth();
    },
    onMessage: () => undefined,
    onDown: () => undefined,
  });
  conn.start();
  await done;
  await conn.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const reconnectDelays = clock.delays.filter((d) => d <= 500);
  assert.deepEqual(reconnectDelays, [10, 20, 40, 80, 10]);
});
