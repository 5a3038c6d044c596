/**
 * The Bybit signer: the documented string-to-sign with self-computed vectors (the docs give no
 * secret), the WebSocket auth signature, and the guard that only the live path can build one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { Secret } from "../../../src/core/secrets.ts";
import { BybitSigner, type LiveSigningAuthority, authorizeLiveSigning, hmacSha256Hex } from "../../../src/venues/bybit/signer.ts";
import { createParams } from "../../../src/venues/bybit/adapter.ts";
import { queryString } from "../../../src/venues/bybit/rest-client.ts";
import { dec } from "../../../src/core/decimal.ts";

const live = { mode: "live", venue: "bybit", live: { iUnderstandLiveTrading: true } };

test("HMAC vectors of the reference (GET query, POST body, WS auth) with secret 'test-secret'", () => {
  assert.equal(hmacSha256Hex("test-secret", "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"), "236d8f7132d3e4c8bad803010e296f3d07211356e54c01455b26c8229a682297");
  assert.equal(hmacSha256Hex("test-secret", '1658385579423XXXXXXXXXX5000{"category": "option"}'), "17a6bfe3e7a2aa41dffd3f16bfa0febb8b18ff79bb33de625705dc86876feffe");
  assert.equal(hmacSha256Hex("test-secret", "GET/realtime1662350400000"), "f072aab6fa18cd774da998325df6cfc87c3ccf10d5722e6b43b570c5feaf6172");
});

test("REST headers sign timestamp + key + recvWindow + the exact payload; WS auth args sign GET/realtime + expires", () => {
  const signer = new BybitSigner(authorizeLiveSigning(live), new Secret("XXXXXXXXXX"), new Secret("test-secret"));
  const h = signer.restHeaders(1658384314791, 5000, "category=option&symbol=BTC-29JUL22-25000-C");
  assert.deepEqual(h, {
    "X-BAPI-API-KEY": "XXXXXXXXXX",
    "X-BAPI-TIMESTAMP": "1658384314791",
    "X-BAPI-RECV-WINDOW": "5000",
    "X-BAPI-SIGN": "236d8f7132d3e4c8bad803010e296f3d07211356e54c01455b26c8229a682297",
  });
  assert.deepEqual(signer.wsAuthArgs(1662350400000), ["XXXXXXXXXX", 1662350400000, "f072aab6fa18cd774da998325df6cfc87c3ccf10d5722e6b43b570c5feaf6172"]);
  // Never printable.
  assert.ok(!JSON.stringify({ signer }).includes("test-secret"));
  assert.ok(!inspect(signer, { depth: 5 }).includes("test-secret"));
  assert.ok(!String(signer).includes("XXXXXXXXXX"));
});

test("only confirmed live trading on bybit may sign; a forged authority is refused", () => {
  assert.throws(() => authorizeLiveSigning({ ...live, mode: "paper" }), /LIVE_NOT_CONFIRMED/);
  assert.throws(() => authorizeLiveSigning({ ...live, live: { iUnderstandLiveTrading: false } }), /LIVE_NOT_CONFIRMED/);
  assert.throws(() => authorizeLiveSigning({ ...live, venue: "sim" }), /CONFIG_INVALID/);
  const forged = { venue: "bybit" } as unknown as LiveSigningAuthority;
  assert.throws(() => new BybitSigner(forged, new Secret("k"), new Secret("s")), /LIVE_NOT_CONFIRMED/);
  assert.throws(() => new BybitSigner(authorizeLiveSigning(live), new Secret(""), new Secret("s")), /CONFIG_INVALID/);
});

test("the signed bytes are the bytes sent: query in caller order, URI-encoded; body is the create in a fixed key order", () => {
  assert.equal(queryString({ category: "linear", symbol: "BTCUSDT", orderLinkId: "a b&c", skipped: undefined }), "category=linear&symbol=BTCUSDT&orderLinkId=a%20b%26c");
  const body = JSON.stringify(
    createParams({ clientOrderId: "hn1", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.010"), price: dec("60000.10"), timeInForce: "POST_ONLY", reduceOnly: true }),
  );
  assert.equal(body, '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"60000.1","timeInForce":"PostOnly","orderLinkId":"hn1","reduceOnly":true}');
  const market = createParams({ clientOrderId: "hn2", symbol: "ETHUSDT", side: "sell", orderType: "market", qty: dec("1"), timeInForce: "GTC", reduceOnly: false });
  assert.deepEqual(market, { category: "linear", symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "1", timeInForce: "IOC", orderLinkId: "hn2" });
});
