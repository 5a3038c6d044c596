/**
 * The REST client on hostile answers, over a real loopback HTTP server: mutated sample bodies and
 * broken JSON either read (every item then parses) or fail as `VENUE_PROTOCOL`, counted through
 * `onMalformed`; nothing else escapes, nothing hangs. The regressions below are answers the old
 * client took as a success whose items the readers then skipped (an open order gone, a position
 * flat).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { RealClock } from "../../../../src/core/clock.ts";
import { HeanError } from "../../../../src/core/errors.ts";
import { CircuitBreaker } from "../../../../src/venues/live/circuit-breaker.ts";
import { resolveLiveTuning } from "../../../../src/config/venue-config.ts";
import { RateLimiter } from "../../../../src/venues/live/rate-limiter.ts";
import { bybitScopeOf } from "../../../../src/venues/bybit/rate-scopes.ts";
import { BybitRestClient } from "../../../../src/venues/bybit/rest-client.ts";
import { ServerTime } from "../../../../src/venues/live/server-time.ts";
import { readList, readPosition } from "../../../../src/venues/bybit/wire.ts";
import { FUZZ, brokenJson, mutated, sample } from "./mutations.ts";

let server: Server;
let body = "";
let status = 200;
let url = "";

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A client with one attempt per read and a breaker that never opens: each answer is judged alone. */
function client(): { rest: BybitRestClient; malformed: HeanError[]; time: ServerTime } {
  const clock = new RealClock();
  const tuning = resolveLiveTuning({ retryAttempts: 1, requestTimeoutMs: 5_000 });
  const breaker = new CircuitBreaker({ clock, failureThreshold: 1_000_000, openMs: 1_000, maxOpenMs: 1_000, onChange: () => undefined });
  const malformed: HeanError[] = [];
  const time = new ServerTime(clock);
  const rest = new BybitRestClient({
    baseUrl: url,
    signer: undefined,
    clock,
    time,
    limiter: new RateLimiter(clock, () => 0.5, { scopeOf: bybitScopeOf }),
    breaker,
    tuning,
    random: () => 0.5,
    onMalformed: (_path, e) => malformed.push(e),
  });
  return { rest, malformed, time };
}

/** `rest.read`: the result, or the HeanError it threw (anything else fails the test). */
async function read(rest: BybitRestClient, path: string): Promise<{ ok: true; result: unknown } | { ok: false; error: HeanError }> {
  try {
    return { ok: true, result: await rest.read(path, {}, { signed: false }) };
  } catch (e) {
    assert.ok(e instanceof HeanError, `a non-HeanError escaped: ${String(e)}`);
    return { ok: false, error: e };
  }
}

const LISTS: readonly [string, string][] = [
  ["/v5/order/realtime", "bybit_rest_order_realtime.json"],
  ["/v5/execution/list", "bybit_rest_execution_list.json"],
  ["/v5/position/list", "bybit_rest_position_list_inverse.json"],
  ["/v5/account/wallet-balance", "bybit_rest_wallet_balance.json"],
  ["/v5/market/time", "bybit_rest_time.json"],
];

test("mutated and broken answers: a read succeeds only on a well-formed answer; every 200 it refuses is counted as VENUE_PROTOCOL", async () => {
  const { rest, malformed } = client();
  const cases = fc.constantFrom(...LISTS).chain(([path, file]) =>
    fc.oneof(
      mutated(sample(file)).map((m) => ({ path, text: JSON.stringify(m.value) ?? "" })),
      brokenJson(JSON.stringify(sample(file))).map((text) => ({ path, text })),
    ),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ({ path, text }) => {
      body = text;
      status = 200;
      const before = malformed.length;
      const r = await read(rest, path);
      if (r.ok) {
        assert.equal(malformed.length, before);
        return;
      }
      // Refused: either the venue said no (a mutated retCode) or the answer was unreadable, counted once.
      if (r.error.code === "VENUE_PROTOCOL") {
        assert.equal(malformed.length, before + 1);
        assert.equal(malformed.at(-1)!.code, "VENUE_PROTOCOL");
      } else {
        assert.equal(malformed.length, before, `${r.error.code} counted as malformed`);
        assert.ok(["VENUE_REJECTED", "VENUE_UNAVAILABLE"].includes(r.error.code), r.error.message);
      }
    }),
    { ...FUZZ, numRuns: 200 },
  );
});

test("an HTML error page with a 502 is the venue failing, not a malformed message", async () => {
  const { rest, malformed } = client();
  body = "<html>502 Bad Gateway</html>";
  status = 502;
  const r = await read(rest, "/v5/position/list");
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, "VENUE_UNAVAILABLE");
  assert.equal(malformed.length, 0);
});

// Regression: a position whose size came as a JSON number was skipped by the reader, so the
// reconciler read the symbol as flat (and could adopt "flat" over the engine's position).
test("regression: a position list with a float size is a protocol error, not a flat position", async () => {
  const { rest, malformed } = client();
  const answer = sample("bybit_rest_position_list_inverse.json");
  answer.result.list[0] = { ...answer.result.list[0], symbol: "BTCUSDT", size: 300 };
  body = JSON.stringify(answer);
  status = 200;
  const r = await read(rest, "/v5/position/list");
  assert.equal(r.ok, false, `read as ${r.ok ? JSON.stringify(readList(r.result).list.map(readPosition)) : ""}`);
  assert.equal(!r.ok && r.error.code, "VENUE_PROTOCOL");
  assert.match(malformed[0]!.message, /"size" must be a non-negative plain decimal string, got 300/);
});

// Regression: a success without `result.list` read as an empty list: no open orders at all.
test("regression: an order list answer without a list is a protocol error, not 'no open orders'", async () => {
  const { rest, malformed } = client();
  body = JSON.stringify({ retCode: 0, retMsg: "OK", result: { nextPageCursor: "" }, time: 1672283754510 });
  status = 200;
  const r = await read(rest, "/v5/order/realtime");
  assert.equal(!r.ok && r.error.code, "VENUE_PROTOCOL");
  assert.equal(malformed.length, 1);
});

// Regression: any number passed as the server's time and moved the clock offset (signatures,
// the in-doubt proof) by it.
test("regression: an envelope whose time is not epoch milliseconds leaves the clock alone", async () => {
  const { rest, malformed, time } = client();
  for (const bad of [-5_000_000, 1.5, "1672283754510"]) {
    body = JSON.stringify({ retCode: 0, retMsg: "OK", result: { timeSecond: "1672283754", timeNano: "1" }, time: bad });
    status = 200;
    const r = await read(rest, "/v5/market/time");
    assert.equal(!r.ok && r.error.code, "VENUE_PROTOCOL");
    assert.equal(time.syncedAt, null);
  }
  assert.equal(malformed.length, 3);
});

// Regression: an order create "accepted" with an unreadable result was settled as accepted with
// no venue order id; it is an unknown outcome, settled by asking the venue.
test("regression: a create answered 0 with no orderId is an unknown outcome", async () => {
  const { rest, malformed } = client();
  body = JSON.stringify({ retCode: 0, retMsg: "OK", result: {}, time: 1672211918471 });
  status = 200;
  const r = await rest.send("POST", "/v5/order/create", { symbol: "BTCUSDT" }, { signed: false, timeoutMs: 5_000, maxWaitMs: 1_000, admission: "normal" });
  assert.equal(r.classified.outcome, "unknown");
  assert.equal(r.classified.code, "BAD_ANSWER");
  assert.equal(malformed.length, 1);
});
