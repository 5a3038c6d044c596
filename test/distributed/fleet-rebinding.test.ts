/**
 * `hean fleet` on loopback, without an API token, on a redis-server of the test's own: it answers
 * only requests addressed to a loopback host, as an engine's API does. Without a token its
 * commands are open, so a web page the operator visits must not reach them (nor read the fleet)
 * by DNS rebinding.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../control/http-helpers.ts";
import { redisMissing } from "./redis-server.ts";
import { type TokenlessFleet, startTokenlessFleet } from "./tokenless-fleet.ts";

const skip = redisMissing();

describe("fleet server on loopback", { skip }, () => {
  let fleet: TokenlessFleet;
  before(async () => {
    fleet = await startTokenlessFleet();
  });
  after(async () => {
    await fleet.stop();
  });

  it("refuses requests addressed to a foreign host on loopback (DNS rebinding), reads and commands alike", async () => {
    const read = await rawRequest(`${fleet.url}/api/fleet`, { headers: { host: "evil.example:80" } });
    assert.equal(read.status, 403, read.body);
    assert.equal(JSON.parse(read.body).error.code, "HOST_NOT_ALLOWED");
    const page = await rawRequest(`${fleet.url}/`, { headers: { host: "evil.example" } });
    assert.equal(page.status, 403);
    const body = JSON.stringify({ type: "flatten", all: true });
    const post = await rawRequest(`${fleet.url}/api/fleet/commands`, {
      method: "POST",
      headers: { host: "evil.example:80", "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      body,
    });
    assert.equal(post.status, 403, post.body);
    assert.equal(JSON.parse(post.body).error.code, "HOST_NOT_ALLOWED");
    assert.equal(await fleet.streamLength("alpha-1"), 0, "nothing was sent");
    // Addressed to the loopback host it serves as before.
    const own = await rawRequest(`${fleet.url}/api/fleet`, { headers: { host: new URL(fleet.url).host } });
    assert.equal(own.status, 200, own.body);
  });
});
