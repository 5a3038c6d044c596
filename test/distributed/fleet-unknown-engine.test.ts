/**
 * A command to an engine id this Redis has never registered (a typo) is refused, by `hean ctl`
 * and by the fleet API, on a redis-server of the test's own, and nothing is put on any command
 * stream: it is not "queued" for an engine that will never read it while the one meant trades on.
 * An engine registered and down still gets its command queued.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ctlCommand } from "../../src/cli/fleet-commands.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { redisMissing } from "./redis-server.ts";
import { type TokenlessFleet, startTokenlessFleet } from "./tokenless-fleet.ts";

const skip = redisMissing();

describe("commands to an unknown engine", { skip }, () => {
  let fleet: TokenlessFleet;
  before(async () => {
    fleet = await startTokenlessFleet();
  });
  after(async () => {
    await fleet.stop();
  });

  it("hean ctl refuses an engine id nobody registered, naming the one it may be a typo of, and sends nothing", async () => {
    const lines: string[] = [];
    await assert.rejects(
      ctlCommand(["--redis-url", fleet.redis.url, "--engine", "alpha-l", "stop"], (l) => lines.push(l)),
      (e: unknown) => isHeanError(e, "CLI_USAGE") && /no engine "alpha-l" registered/.test(e.message) && /did you mean "alpha-1"/.test(e.message) && /nothing was sent/.test(e.message),
    );
    assert.deepEqual(lines, []);
    assert.equal(await fleet.streamLength("alpha-l"), 0);
    // The registered engine that is down still gets it queued.
    const queued: string[] = [];
    assert.equal(await ctlCommand(["--redis-url", fleet.redis.url, "--engine", "alpha-1", "stop", "--timeout", "1"], (l) => queued.push(l)), 0);
    assert.match(queued.join("\n"), /^alpha-1: queued \(engine down\)/);
    assert.equal(await fleet.streamLength("alpha-1"), 1);
  });

  it("the fleet API refuses an engine id nobody registered (404) and sends nothing", async () => {
    const res = await fetch(`${fleet.url}/api/fleet/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "stop", engine: "alpha-2" }) });
    const out = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, 404, JSON.stringify(out));
    assert.equal(out.error.code, "NOT_FOUND");
    assert.match(out.error.message, /no engine "alpha-2" registered.*did you mean "alpha-1"/);
    assert.equal(await fleet.streamLength("alpha-2"), 0);
  });
});
