/**
 * Every injected fault: it happens, and it stops when cleared (or runs out).
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { control, publicGet, RecordingClock, signed, sleep, WsProbe, wsAuthArgs } from "./helpers.ts";

describe("injected faults", () => {
  let sim: BybitSimulator;
  const clock = new RecordingClock();
  const probes: WsProbe[] = [];
  const open = async (url: string): Promise<WsProbe> => {
    const p = await WsProbe.open(url);
    probes.push(p);
    return p;
  };
  const openPrivate = async (topics: string[] = []): Promise<WsProbe> => {
    const p = await open(sim.wsPrivateUrl);
    await p.request({ op: "auth", args: wsAuthArgs(sim.apiKey, sim.apiSecret) }, (m) => m.op === "auth" && m.success);
    if (topics.length > 0) await p.request({ op: "subscribe", args: topics }, (m) => m.op === "subscribe" && m.success);
    return p;
  };
  const faults = async (spec: unknown): Promise<void> => {
    const r = await control(sim, "POST", "/__sim/faults", spec);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const faultsNow = async (): Promise<Record<string, unknown>> => (await control(sim, "GET", "/__sim/faults")).body.faults;
  /** The book's sequence as REST shows it: it moves whenever the market does, stale stream or not. */
  const bookSeq = async (): Promise<number> => (await publicGet(sim, "/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=1")).body.result.seq;
  let linkSeq = 0;
  const restingOrder = (overrides: Record<string, unknown> = {}) =>
    signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: `f-${++linkSeq}`, ...overrides });
  /** Timers of at least `min` ms the server asked for while `fn` ran. */
  const longTimersDuring = async (min: number, fn: () => Promise<unknown>): Promise<number[]> => {
    const from = clock.delays.length;
    await fn();
    return clock.delays.slice(from).filter((d) => d >= min);
  };

  before(async () => {
    sim = await startBybitSimulator({ seed: 31, apiKey: "fault-key", apiSecret: "fault-secret", clock, rateLimits: false });
  });
  afterEach(async () => {
    await faults({});
    for (const p of probes.splice(0)) p.close();
  });
  after(async () => {
    await sim?.close();
  });

  it("latencyMs on rest delays every answer, and stops when cleared", async () => {
    await faults({ latencyMs: { rest: 240 } });
    // The delays the server asked its clock for prove the latency; a wall clock would only add noise.
    const delayed = await longTimersDuring(100, () => publicGet(sim, "/v5/market/time"));
    assert.deepEqual(delayed, [120, 120], "half before processing, half after");
    await faults({});
    assert.deepEqual(await longTimersDuring(1, () => publicGet(sim, "/v5/market/time")), []);
  });

  it("jitterMs on rest adds a seeded uniform extra, and stops when cleared", async () => {
    await faults({ latencyMs: { rest: 100 }, jitterMs: { rest: 60 } });
    const totals: number[] = [];
    for (let i = 0; i < 8; i++) {
      const d = await longTimersDuring(1, () => publicGet(sim, "/v5/market/time"));
      totals.push(d.reduce((a, b) => a + b, 0));
    }
    for (const t of totals) assert.ok(t >= 100 && t <= 160, String(t));
    assert.ok(new Set(totals).size > 1, `jitter varies: ${totals.join(",")}`);
    await faults({ reset: true });
    assert.deepEqual(await longTimersDuring(1, () => publicGet(sim, "/v5/market/time")), []);
  });

  it("latencyMs on the public and private streams delays their messages, and stops when cleared", async () => {
    const pub = await open(sim.wsPublicUrl);
    const priv = await openPrivate();
    await faults({ latencyMs: { public: 180, private: 90 } });
    const pubDelays = await longTimersDuring(50, () => pub.request({ op: "ping" }, (m) => m.ret_msg === "pong"));
    assert.deepEqual(pubDelays, [180]);
    assert.deepEqual(await longTimersDuring(50, () => priv.request({ op: "ping" }, (m) => m.op === "pong")), [90]);
    await faults({});
    assert.deepEqual(await longTimersDuring(1, () => pub.request({ op: "ping" }, (m) => m.ret_msg === "pong")), []);
    assert.deepEqual(await longTimersDuring(1, () => priv.request({ op: "ping" }, (m) => m.op === "pong")), []);
  });

  it("acceptThenTimeout books the order but never answers, n times; then answers again", async () => {
    await faults({ acceptThenTimeout: 1 });
    // The first create is withheld: the client's own timeout is all it gets.
    await assert.rejects(
      signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "att-2" }, { signal: AbortSignal.timeout(400) }),
      (e: any) => e.name === "TimeoutError",
    );
    const state = (await control(sim, "GET", "/__sim/state")).body;
    const booked = state.orders.find((o: any) => o.orderLinkId === "att-2");
    assert.equal(booked?.orderStatus, "New", "the withheld order is booked");
    assert.equal(typeof booked.receivedAt, "number");
    const next = await restingOrder({ orderLinkId: "att-3" });
    assert.equal(next.body.retCode, 0, "the fault ran out after one order");
    await faults({ acceptThenTimeout: 5 });
    await faults({});
    assert.equal((await restingOrder({ orderLinkId: "att-4" })).body.retCode, 0, "cleared");
  });

  it("acceptThenTimeout with acceptThenTimeoutResetMs resets the held connection", async () => {
    await faults({ acceptThenTimeout: 1, acceptThenTimeoutResetMs: 50 });
    await assert.rejects(
      signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "att-reset" }, { signal: AbortSignal.timeout(4000) }),
      (e: any) => e.name !== "TimeoutError",
    );
    const state = (await control(sim, "GET", "/__sim/state")).body;
    assert.equal(state.orders.find((o: any) => o.orderLinkId === "att-reset")?.orderStatus, "New");
  });

  it("http5xx answers 503 n times without processing, then recovers; clearing stops it", async () => {
    await faults({ http5xx: 2 });
    const first = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "5xx-1" });
    assert.equal(first.status, 503);
    assert.equal((await publicGet(sim, "/v5/market/time").catch(() => ({ status: 503 }))).status, 503);
    const state = (await control(sim, "GET", "/__sim/state")).body;
    assert.equal(state.orders.some((o: any) => o.orderLinkId === "5xx-1"), false, "a 5xx request was not processed");
    assert.equal((await publicGet(sim, "/v5/market/time")).status, 200);
    await faults({ http5xx: 10 });
    await faults({});
    assert.equal((await publicGet(sim, "/v5/market/time")).status, 200);
  });

  it("http429 answers 10006 with exhausted limit headers n times, then recovers; clearing stops it", async () => {
    await faults({ http429: 1 });
    const r = await signed(sim, "GET", "/v5/order/realtime", { category: "linear", symbol: "BTCUSDT" });
    assert.equal(r.status, 429);
    assert.equal(r.body.retCode, 10006);
    assert.equal(r.headers.get("x-bapi-limit-status"), "0");
    assert.equal(r.headers.get("x-bapi-limit"), "50");
    assert.ok(Number(r.headers.get("x-bapi-limit-reset-timestamp")) > Date.now() - 1000);
    assert.equal((await signed(sim, "GET", "/v5/order/realtime", { category: "linear", symbol: "BTCUSDT" })).body.retCode, 0);
    await faults({ http429: 10 });
    await faults({});
    assert.equal((await signed(sim, "GET", "/v5/order/realtime", { category: "linear", symbol: "BTCUSDT" })).status, 200);
  });

  it("dropPrivateWsEveryMs drops every private stream periodically; clearing stops it", async () => {
    await faults({ dropPrivateWsEveryMs: 80 });
    const a = await openPrivate();
    await a.closed;
    const b = await openPrivate().catch(() => undefined);
    if (b !== undefined) await b.closed;
    const pub = await open(sim.wsPublicUrl);
    await faults({});
    const c = await openPrivate();
    assert.equal(((await faultsNow()) as { dropPrivateWsEveryMs: number }).dropPrivateWsEveryMs, 0, "no drop timer is armed");
    assert.equal((await c.request({ op: "ping" }, (m) => m.op === "pong")).op, "pong", "a private stream stays up once cleared");
    assert.equal((await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong")).ret_msg, "pong", "public streams were never dropped");
  });

  it("disconnectPrivate and disconnectPublic close the streams once", async () => {
    const priv = await openPrivate();
    const pub = await open(sim.wsPublicUrl);
    await faults({ disconnectPrivate: true });
    assert.equal((await priv.closed).code, 1006, "dropped without a close frame");
    assert.equal((await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong")).success, true, "public untouched");
    const priv2 = await openPrivate();
    await faults({ disconnectPublic: true });
    await pub.closed;
    assert.equal((await priv2.request({ op: "ping" }, (m) => m.op === "pong")).op, "pong", "a reconnected private stream is not dropped again");
    const pub2 = await open(sim.wsPublicUrl);
    assert.equal((await pub2.request({ op: "ping" }, (m) => m.ret_msg === "pong")).success, true, "one-shot: a new public stream stays");
  });

  it("stalePublicMs keeps public streams open and answering pings but stops their data; clearing resumes it", async () => {
    const pub = await open(sim.wsPublicUrl);
    await pub.request({ op: "subscribe", args: ["orderbook.50.BTCUSDT", "publicTrade.BTCUSDT", "tickers.BTCUSDT"] }, (m) => m.op === "subscribe");
    await pub.next((m) => m.topic === "orderbook.50.BTCUSDT" && m.type === "delta");
    await faults({ stalePublicMs: 60_000 });
    await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    const from = pub.messages.length;
    // Evidence, not time: the market has moved on several times since, so data would have been sent.
    const seq = await bookSeq();
    while ((await bookSeq()) < seq + 3) await sleep(20);
    const pong = await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    assert.equal(pong.success, true);
    assert.deepEqual(pub.messages.slice(from).filter((m) => m.topic !== undefined), [], "no data while stale");
    await faults({});
    const resumed = await pub.next((m) => m.topic === "orderbook.50.BTCUSDT", 5000, pub.messages.length);
    assert.equal(resumed.type, "delta", "the book continues with a delta of everything missed");
  });

  it("duplicatePrivate sends the next n private messages twice, then stops", async () => {
    const priv = await openPrivate(["order"]);
    await faults({ duplicatePrivate: 1 });
    const created = await restingOrder({ orderLinkId: "dup-a" });
    await priv.next((m) => m.topic === "order" && m.data[0].orderLinkId === "dup-a");
    await signed(sim, "POST", "/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderId: created.body.result.orderId });
    await priv.next((m) => m.topic === "order" && m.data[0].orderStatus === "Cancelled");
    // One socket delivers in order: once the pong is in, a duplicate sent with the original is too.
    await priv.request({ op: "ping" }, (m) => m.op === "pong");
    const msgs = priv.messages.filter((m) => m.topic === "order" && m.data[0].orderLinkId === "dup-a");
    assert.deepEqual(msgs.map((m) => m.data[0].orderStatus), ["New", "New", "Cancelled"]);
    assert.equal(msgs[0].id, msgs[1].id, "the duplicate is the same message");
    await faults({ duplicatePrivate: 5 });
    await faults({});
    await restingOrder({ orderLinkId: "dup-b" });
    await priv.next((m) => m.topic === "order" && m.data[0].orderLinkId === "dup-b");
    await priv.request({ op: "ping" }, (m) => m.op === "pong");
    assert.equal(priv.messages.filter((m) => m.topic === "order" && m.data[0].orderLinkId === "dup-b").length, 1);
  });

  it("reorderPrivate swaps a private message with the next one, n times; clearing restores the order", async () => {
    const priv = await openPrivate(["order", "position"]);
    const firstTopicAfter = async (linkId: string): Promise<string[]> => {
      const from = priv.messages.length;
      await restingOrder({ orderLinkId: linkId });
      await priv.next((m) => m.topic === "order" && m.data[0].orderLinkId === linkId, 5000, from);
      await priv.next((m) => m.topic === "position", 5000, from);
      return priv.messages.slice(from).map((m) => m.topic);
    };
    assert.deepEqual((await firstTopicAfter("ro-0")).slice(0, 2), ["order", "position"], "natural order");
    await faults({ reorderPrivate: 1 });
    assert.deepEqual((await firstTopicAfter("ro-1")).slice(0, 2), ["position", "order"], "swapped");
    await faults({ reorderPrivate: 3 });
    await faults({});
    assert.deepEqual((await firstTopicAfter("ro-2")).slice(0, 2), ["order", "position"], "cleared");
  });

  it("bookGaps loses the next n deltas per topic (u jumps), then u is contiguous again", async () => {
    const pub = await open(sim.wsPublicUrl);
    await pub.request({ op: "subscribe", args: ["orderbook.50.BTCUSDT"] }, (m) => m.op === "subscribe");
    await pub.next((m) => m.type === "delta");
    await faults({ bookGaps: 1 });
    // Whatever was sent before the fault arrives before this pong (one socket keeps its order).
    await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    const from = pub.messages.length;
    const deltas = async (count: number, start: number): Promise<number[]> => {
      for (;;) {
        const us = pub.messages.slice(start).filter((m) => m.type === "delta").map((m) => m.data.u);
        if (us.length >= count) return us.slice(0, count);
        await pub.next(() => true, 5000, pub.messages.length);
      }
    };
    const before = pub.messages.slice(0, from).filter((m) => m.type === "delta").map((m) => m.data.u);
    const us = [before[before.length - 1], ...(await deltas(4, from))];
    const steps = us.slice(1).map((u, i) => u - us[i]!);
    assert.deepEqual(steps, [2, 1, 1, 1], `u: ${us.join(",")}`);
    await faults({ bookGaps: 1000 });
    await faults({});
    await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    const from2 = pub.messages.length;
    const us2 = await deltas(4, from2);
    assert.deepEqual(us2.slice(1).map((u, i) => u - us2[i]!), [1, 1, 1]);
  });

  it("bookRestart sends a u=1 snapshot once; deltas continue from 2", async () => {
    const pub = await open(sim.wsPublicUrl);
    await pub.request({ op: "subscribe", args: ["orderbook.200.BTCUSDT"] }, (m) => m.op === "subscribe");
    const snapshot = await pub.next((m) => m.type === "snapshot");
    assert.ok(snapshot.data.u > 1);
    await faults({ bookRestart: true });
    const restart = await pub.next((m) => m.type === "snapshot" && m.data.u === 1);
    assert.equal(restart.data.b.length, 200);
    const from = pub.messages.indexOf(restart);
    const d = await pub.next((m) => m.type === "delta", 5000, from);
    assert.equal(d.data.u, 2);
    const d3 = await pub.next((m) => m.type === "delta" && m.data.u === 3, 5000, from);
    assert.ok(d3);
    assert.equal(pub.messages.filter((m) => m.type === "snapshot" && m.data.u === 1).length, 1, "one-shot");
  });
});
