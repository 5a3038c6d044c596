/**
 * The fault scenarios (scenarios.ts) for Binance USD-M: `hean run --venue binance --mode live`
 * against `hean sim binance`, plus what only Binance does to a client: the listen key expiring
 * under a running user stream, and a 418 IP-ban storm.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { binanceLiveMissing } from "./binance.ts";
import { compare, sleep } from "./harness.ts";
import { faultScenarios } from "./scenarios.ts";
import { BINANCE } from "./venues.ts";

interface RawStream {
  kind: string;
  connId: string;
  listenKeyLive?: boolean;
}

describe("binance chaos", { skip: binanceLiveMissing() }, () => {
  faultScenarios(BINANCE, (kit) => {
    test("the listen key expires under a running user stream: a new key, a new stream, and no fill lost", async () => {
      const sim = kit.sim();
      await sim.reset(106);
      const journal = join(kit.dir, "listen-key.db");
      const engine = await kit.startEngine(sim, { journal, report: join(kit.dir, "listen-key.json") });
      const streams = async (): Promise<RawStream[]> => ((await sim.control("GET", "/__sim/state")).streams as RawStream[]).filter((s) => s.listenKeyLive !== undefined);
      await kit.until("a user stream on a live key", async () => ((await streams()).some((s) => s.listenKeyLive === true) ? true : undefined), 60_000, engine);
      const before = new Set((await streams()).map((s) => s.connId));
      const expiredAt = Date.now();
      await sim.faults({ expireListenKeys: true });
      const renewed = await kit.until(
        "a user stream on a new live key",
        async () => ((await streams()).find((s) => s.listenKeyLive === true && !before.has(s.connId)) ? true : undefined),
        60_000,
        engine,
      );
      assert.equal(renewed, true);
      // Fills after the renewal reach the engine: an order placed afterwards that the venue filled.
      await kit.until(
        "a fill on an order placed after the renewal",
        async () => {
          const s = await sim.state();
          const later = new Set(s.orders.filter((o) => o.receivedAt > expiredAt).map((o) => o.orderLinkId));
          return s.executions.some((e) => later.has(e.orderLinkId)) ? true : undefined;
        },
        60_000,
        engine,
      );
      await sleep(1_200);
      const report = await engine.stop();
      const venue = await sim.state();
      assert.deepEqual(compare(report, venue).divergences, [], engine.output().slice(-3000));
      const facts = kit.journalFacts(journal);
      const journaled = new Set(facts.fillIds);
      assert.deepEqual(venue.executions.filter((e) => !journaled.has(e.execId)), [], "every venue execution is in the journal");
      assert.equal(journaled.size, facts.fillIds.length, "no fill journaled twice");
    });

    test("a 418 IP-ban storm: the engine backs off, says so, adds no duplicate, and trades again by itself", async () => {
      const sim = kit.sim();
      await sim.reset(107);
      const journal = join(kit.dir, "ban.db");
      const engine = await kit.startEngine(sim, { journal, report: join(kit.dir, "ban.json") });
      await kit.until("an order at the venue", async () => ((await sim.state()).orders.length > 0 ? true : undefined), 60_000, engine);
      await sim.faults({ http418: 4, retryAfterS: 2 });
      await kit.until("the four bans used up", async () => ((await sim.control("GET", "/__sim/faults")).faults.http418 === 0 ? true : undefined), 60_000, engine);
      const cleared = Date.now();
      await sim.faults({});
      await kit.until("an order after the storm", async () => ((await sim.state()).orders.some((o) => o.receivedAt > cleared) ? true : undefined), 120_000, engine);
      await sleep(1_200);
      const report = await engine.stop();
      assert.ok(engine.alerts().some((a) => a.code === "VENUE_RATE_LIMITED"), `the ban was reported: ${engine.alerts().map((a) => a.code).join(", ")}`);
      assert.equal(report.risk.killSwitch.active, false);
      assert.deepEqual(compare(report, await sim.state()).divergences, [], engine.output().slice(-3000));
    });
  });
});
