import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRateLimiter, WEIGHT_PER_MINUTE } from "../../../src/simulator/binance/rate-limit.ts";
import { parseBinanceFaults } from "../../../src/simulator/binance/faults.ts";
import { call, control, Probe, signed } from "./helpers.ts";

describe("Binance fault set", () => {
  it("takes the shared keys plus expireListenKeys and http418; refuses unknown keys and bad values", () => {
    const ok = parseBinanceFaults({ http5xx: 2, bookGaps: 1, expireListenKeys: true, http418: 3 });
    assert.equal(ok.ok, true);
    assert.equal(parseBinanceFaults({ nope: 1 }).ok, false);
    assert.equal(parseBinanceFaults({ http418: -1 }).ok, false);
    assert.equal(parseBinanceFaults({ expireListenKeys: "yes" }).ok, false);
    assert.equal(parseBinanceFaults({ retryAfterS: 1.5 }).ok, false);
    assert.equal(parseBinanceFaults({ http429: 1, retryAfterS: 2 }).ok, true);
  });
});

describe("Binance rate limiter", () => {
  it("counts weight per minute, answers 429 over it and bans (418) an IP that keeps going", () => {
    const limiter = new BinanceRateLimiter(true);
    const t = 60_000 * 1000;
    assert.equal(limiter.take("ip", WEIGHT_PER_MINUTE, undefined, false, t).kind, "ok");
    const verdicts = Array.from({ length: 7 }, () => limiter.take("ip", 1, undefined, false, t + 1).kind);
    assert.deepEqual(verdicts.slice(0, 5), ["limited", "limited", "limited", "limited", "limited"]);
    assert.equal(verdicts[6], "banned");
    assert.equal(limiter.take("ip", 1, undefined, false, t + 60_000).kind, "banned", "the ban outlasts the minute");
    assert.equal(limiter.take("ip", 1, undefined, false, t + 200_000).kind, "ok");
    assert.equal(limiter.take("ip", 1, "acct", true, t + 200_000).headers["X-MBX-ORDER-COUNT-1M"], "1");
  });
});

describe("Binance simulator faults (SimClock)", () => {
  let clock: SimClock;
  let sim: BinanceSimulator;
  beforeEach(async () => {
    clock = new SimClock(Date.now());
    sim = await startBinanceSimulator({ seed: 31, clock });
    clock.advance(50);
  });
  afterEach(async () => {
    await sim.close();
  });

  it("http5xx, http429 and http418 answer without processing; the control routes are never faulted", async () => {
    assert.equal((await control(sim, "POST", "/__sim/faults", { http5xx: 1, http429: 1, http418: 1 })).ok, true);
    const first = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01" }, clock.now());
    assert.equal(first.status, 503);
    const second = await call(sim, "GET", "/fapi/v1/time");
    assert.equal(second.status, 429);
    assert.equal(second.body.code, -1003);
    assert.ok(second.headers.get("x-mbx-used-weight-1m") !== null);
    const third = await call(sim, "GET", "/fapi/v1/time");
    assert.equal(third.status, 418);
    assert.equal(third.body.code, -1003);
    assert.equal(second.headers.get("retry-after"), "60");
    assert.equal(third.headers.get("retry-after"), "120");
    assert.equal((await call(sim, "GET", "/fapi/v1/time")).status, 200);
    await control(sim, "POST", "/__sim/faults", { http429: 1, http418: 1, retryAfterS: 2 });
    assert.equal((await call(sim, "GET", "/fapi/v1/time")).headers.get("retry-after"), "2", "a fault set may ask for a short Retry-After");
    const ban = await call(sim, "GET", "/fapi/v1/time");
    assert.equal(ban.headers.get("retry-after"), "2");
    assert.match(ban.body.msg, new RegExp(`banned until ${clock.now() + 2_000}`));
    assert.deepEqual((await control(sim, "GET", "/__sim/state")).orders, [], "the faulted order was not processed");
  });

  it("acceptThenTimeout books the order and withholds the answer; the state shows it", async () => {
    await control(sim, "POST", "/__sim/faults", { acceptThenTimeout: 1, acceptThenTimeoutResetMs: 1000 });
    const pending = signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01", newClientOrderId: "held-1" }, clock.now());
    let state: any;
    do state = await control(sim, "GET", "/__sim/state");
    while (state.orders.length === 0);
    assert.equal(state.orders[0].clientOrderId, "held-1");
    assert.equal(state.executions[0].qty, "0.010");
    clock.advance(1000);
    await assert.rejects(pending, /socket hang up|ECONNRESET/);
  });

  it("duplicatePrivate sends a user-stream message twice; expireListenKeys ends the stream's data", async () => {
    const key = (await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": sim.apiKey })).body.listenKey;
    const user = new Probe(`${sim.wsUrl}/ws/${key}`);
    await user.open();
    await control(sim, "POST", "/__sim/faults", { duplicatePrivate: 1 });
    await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01" }, clock.now());
    clock.advance(1);
    await user.next((m) => m.e === "ACCOUNT_UPDATE");
    const first = user.messages[0];
    assert.deepEqual(user.messages[1], first);
    await control(sim, "POST", "/__sim/faults", { expireListenKeys: true });
    await user.next((m) => m.e === "listenKeyExpired");
    assert.equal((await call(sim, "PUT", "/fapi/v1/listenKey", { "X-MBX-APIKEY": sim.apiKey })).body.code, -1125);
    const refused = new Probe(`${sim.wsUrl}/ws/${key}`);
    await assert.rejects(refused.open(), /400/);
    user.close();
  });

  it("disconnectPrivate drops user streams; a reset closes them with 1012", async () => {
    const key = (await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": sim.apiKey })).body.listenKey;
    const dropped = new Probe(`${sim.wsUrl}/ws/${key}`);
    await dropped.open();
    await control(sim, "POST", "/__sim/faults", { disconnectPrivate: true });
    assert.equal(await dropped.closed, 1006);
    const again = new Probe(`${sim.wsUrl}/private/stream?listenKey=${key}`);
    await again.open();
    await control(sim, "POST", "/__sim/reset", {});
    assert.equal(await again.closed, 1012);
  });
});
