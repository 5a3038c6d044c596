import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { after, before, describe, test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { LiveStream } from "../../src/control/http/live-stream.ts";
import { startControlServer, type ControlServer } from "../../src/control/http/server.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { FakeEngineView } from "./fake-view.ts";
import { readEvents } from "./http-helpers.ts";

describe("live stream (/api/stream)", () => {
  let view: FakeEngineView;
  let server: ControlServer;
  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0, stream: { intervalMs: 20, heartbeatMs: 60_000, maxClients: 2 } });
  });
  after(() => server.close());

  test("sends a full snapshot on connect", async () => {
    const messages = await readEvents(`${server.url}/api/stream`, (m) => m.length >= 1);
    const first = messages[0]!;
    assert.equal(first.event, "snapshot");
    assert.equal(first.data.status.equity, view.status().equity);
    assert.deepEqual(first.data.positions, view.positions());
    assert.deepEqual(first.data.orders, view.orders());
    assert.equal(first.data.risk.state, "NORMAL");
    assert.equal(first.data.bus.lanes.length, 2);
    assert.equal(first.data.venue.circuitBreaker, "closed");
  });

  test("pushes fills, alerts, prices, equity, command results and a fresh snapshot as the engine moves", async () => {
    const seen = new Set<string>();
    const messages = await readEvents(
      `${server.url}/api/stream`,
      (m) => {
        for (const x of m) seen.add(x.event);
        return ["fills", "alerts", "price", "equity", "command"].every((e) => seen.has(e)) && m.filter((x) => x.event === "snapshot").length >= 2;
      },
      {
        onOpen: () => {
          setTimeout(() => {
            view.book("BTCUSDT", 97_500);
            view.book("BTCUSDT", 97_510);
            view.emit({ type: "equity", ts: view.now, cash: dec("9990"), equity: dec("10012.5"), unrealizedPnl: dec("22.5") });
            view.emit({
              type: "order.filled",
              ts: view.now,
              fillId: "F-live-1",
              clientOrderId: "hean-9",
              venueOrderId: "V-9",
              symbol: "BTCUSDT",
              side: "buy",
              price: dec("97505.5"),
              qty: dec("0.002"),
              fee: dec("-0.01"),
              liquidity: "maker",
              venueTs: view.now,
              source: "stream",
            });
            view.raise({ type: "alert", ts: view.now, severity: "critical", code: "KILL_SWITCH", message: "kill switch engaged", context: {} });
            void view.submitCommand({ commandId: "tg-1", command: "stop", source: "telegram:1", args: {} });
          }, 30);
        },
      },
    );
    const fills = messages.find((m) => m.event === "fills")!.data;
    assert.deepEqual(fills, [
      { fillId: "F-live-1", clientOrderId: "hean-9", symbol: "BTCUSDT", side: "buy", price: "97505.5", qty: "0.002", fee: "-0.01", liquidity: "maker", ts: view.now },
    ]);
    const prices = messages.filter((m) => m.event === "price").map((m) => m.data);
    // Conflated: only the newest mid of the burst is sent.
    assert.equal(prices.length, 1);
    assert.equal(prices[0].symbol, "BTCUSDT");
    assert.ok(Math.abs(prices[0].price - 97_510) < 0.01);
    assert.equal(messages.find((m) => m.event === "equity")!.data.equity, 10012.5);
    assert.equal(messages.find((m) => m.event === "alerts")!.data[0].code, "KILL_SWITCH");
    assert.equal(messages.find((m) => m.event === "command")!.data.commandId, "tg-1");
    const lastSnapshot = messages.filter((m) => m.event === "snapshot").at(-1)!.data;
    assert.equal(lastSnapshot.status.tradingState, "halted");
  });

  test("refuses clients beyond the limit and frees slots when they leave", async () => {
    const holders = [new AbortController(), new AbortController()];
    const opened = await Promise.all(holders.map((c) => fetch(`${server.url}/api/stream`, { signal: c.signal })));
    assert.deepEqual(opened.map((r) => r.status), [200, 200]);
    const third = await fetch(`${server.url}/api/stream`);
    assert.equal(third.status, 503);
    assert.equal(((await third.json()) as any).error.code, "TOO_MANY_STREAMS");
    for (const c of holders) c.abort();
    // The server notices the disconnects asynchronously: poll until a slot is free.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      const probe = await readEvents(`${server.url}/api/stream`, (m) => m.length >= 1, { timeoutMs: 500 }).catch(() => []);
      status = probe.length > 0 ? 200 : 0;
    }
    assert.equal(status, 200);
  });
});

describe("live stream: a client that stops reading", () => {
  test("is dropped once its backlog passes the limit, and the others keep receiving", async () => {
    class FakeResponse extends EventEmitter {
      written = "";
      writableLength = 0;
      destroyed = false;
      stalled: boolean;
      constructor(stalled: boolean) {
        super();
        this.stalled = stalled;
      }
      writeHead(): this {
        return this;
      }
      write(text: string): boolean {
        this.written += text;
        if (this.stalled) this.writableLength += text.length;
        return !this.stalled;
      }
      end(): void {}
      destroy(): void {
        this.destroyed = true;
      }
    }
    const view = new FakeEngineView();
    const stream = new LiveStream({ view, logger: silentLogger(), intervalMs: 5, heartbeatMs: 5, maxBufferedBytes: 4096 });
    try {
      const stalled = new FakeResponse(true);
      const healthy = new FakeResponse(false);
      stream.accept(new EventEmitter() as any, stalled as any);
      stream.accept(new EventEmitter() as any, healthy as any);
      assert.equal(stream.clientCount, 2);
      for (let i = 0; i < 200 && !stalled.destroyed; i += 1) await new Promise((r) => setTimeout(r, 5));
      assert.ok(stalled.destroyed, "the stalled client was cut off");
      assert.equal(stream.clientCount, 1);
      const before = healthy.written.length;
      // Wait for the evidence (the next write), however slow the machine; the test's timeout bounds it.
      while (healthy.written.length <= before) await new Promise((r) => setTimeout(r, 5));
      assert.ok(healthy.written.length > before, "the healthy client still receives");
    } finally {
      stream.close();
    }
  });
});
