import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RET } from "../../../src/simulator/bybit/codes.ts";
import { checkRestAuth, checkWsAuth, hmacHex, restSignPayload, wsAuthPayload, type ApiCredential } from "../../../src/simulator/bybit/signing.ts";

const cred: ApiCredential = { apiKey: "XXXXXXXXXX", apiSecret: "test-secret", accountId: "a" };
const lookup = (k: string): ApiCredential | undefined => (k === cred.apiKey ? cred : undefined);

describe("bybit signing", () => {
  it("reproduces the reference vectors (GET, POST with its exact spacing, WS auth)", () => {
    const get = restSignPayload("1658384314791", "XXXXXXXXXX", "5000", "category=option&symbol=BTC-29JUL22-25000-C");
    assert.equal(get, "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C");
    assert.equal(hmacHex("test-secret", get), "236d8f7132d3e4c8bad803010e296f3d07211356e54c01455b26c8229a682297");
    const post = restSignPayload("1658385579423", "XXXXXXXXXX", "5000", '{"category": "option"}');
    assert.equal(hmacHex("test-secret", post), "17a6bfe3e7a2aa41dffd3f16bfa0febb8b18ff79bb33de625705dc86876feffe");
    assert.equal(hmacHex("test-secret", wsAuthPayload(1662350400000)), "f072aab6fa18cd774da998325df6cfc87c3ccf10d5722e6b43b570c5feaf6172");
  });

  it("accepts a correct request and checks key, then window, then signature", () => {
    const now = 1658384314791;
    const body = '{"category": "option"}';
    const sign = hmacHex("test-secret", restSignPayload(String(now), cred.apiKey, "5000", body));
    const good = checkRestAuth({ apiKey: cred.apiKey, timestamp: String(now), sign, recvWindow: "5000", signedText: body }, lookup, now);
    assert.equal(good.ok, true);
    const unknownKey = checkRestAuth({ apiKey: "nope", timestamp: String(now), sign, recvWindow: "5000", signedText: body }, lookup, now);
    assert.equal(!unknownKey.ok && unknownKey.retCode, RET.API_KEY);
    const stale = checkRestAuth({ apiKey: cred.apiKey, timestamp: String(now - 5001), sign, recvWindow: "5000", signedText: body }, lookup, now);
    assert.equal(!stale.ok && stale.retCode, RET.TIMESTAMP);
    assert.match(!stale.ok ? stale.retMsg : "", /req_timestamp\[1658384309790\],server_timestamp\[1658384314791\],recv_window\[5000\]/);
    const future = checkRestAuth({ apiKey: cred.apiKey, timestamp: String(now + 1000), sign, recvWindow: "5000", signedText: body }, lookup, now);
    assert.equal(!future.ok && future.retCode, RET.TIMESTAMP);
    // One byte of difference in the body (the space) breaks the signature: the server signs what arrived.
    const reserialised = checkRestAuth({ apiKey: cred.apiKey, timestamp: String(now), sign, recvWindow: "5000", signedText: '{"category":"option"}' }, lookup, now);
    assert.equal(!reserialised.ok && reserialised.retCode, RET.SIGN);
  });

  it("checks WS auth: expiry in the future, known key, signature", () => {
    const now = 1662350399000;
    const sign = hmacHex("test-secret", wsAuthPayload(1662350400000));
    assert.equal(checkWsAuth([cred.apiKey, 1662350400000, sign], lookup, now).ok, true);
    assert.equal(checkWsAuth([cred.apiKey, "1662350400000", sign], lookup, now).ok, true);
    assert.deepEqual(checkWsAuth([cred.apiKey, 1662350400000, sign], lookup, 1662350400000), { ok: false, reason: "expired" });
    assert.deepEqual(checkWsAuth(["other", 1662350400000, sign], lookup, now), { ok: false, reason: "key" });
    assert.deepEqual(checkWsAuth([cred.apiKey, 1662350400000, "00"], lookup, now), { ok: false, reason: "sign" });
    assert.deepEqual(checkWsAuth("nonsense", lookup, now), { ok: false, reason: "params" });
  });
});
