/**
 * The lane counters add up: `delivered` (derived, not counted per event) equals what a handler
 * received on that lane, and published = delivered + waiting + dropped + conflated, through
 * conflation, drops at the market bound, sync-mode direct delivery and events left waiting.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventBus, type BusStats, type DispatchMode } from "../../src/bus/event-bus.ts";
import { laneOf } from "../../src/bus/lanes.ts";
import { SimClock } from "../../src/core/clock.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { book, critical, trade } from "./fixtures.ts";

function check(stats: BusStats, received: ReadonlyMap<string, number>): void {
  for (const l of stats.lanes) {
    assert.equal(l.delivered, received.get(l.lane) ?? 0, `${l.lane} delivered`);
    assert.equal(l.published, l.delivered + l.depth + l.dropped + l.conflated, `${l.lane} published`);
  }
}

for (const mode of ["manual", "sync"] as const satisfies readonly DispatchMode[]) {
  test(`delivered counts what handlers received, per lane (${mode} mode)`, () => {
    const bus = new EventBus({ clock: new SimClock(0), mode, marketCapacity: 4, criticalCapacity: 1_000 });
    const received = new Map<string, number>();
    let republished = 0;
    bus.subscribe("count", (e: HeanEvent) => {
      received.set(laneOf(e), (received.get(laneOf(e)) ?? 0) + 1);
      // Publishing from a handler: in sync mode these queue behind the running dispatch.
      if (e.type === "order.accepted" && republished++ < 3) bus.publish(book(`R${republished}`, republished));
    });
    for (let n = 0; n < 60; n++) {
      bus.publish(book(`S${n % 7}`, n)); // 7 symbols over 4 slots: drops at the bound and replacements
      bus.publish(trade(`S${n % 3}`, n));
      bus.publish(critical(n));
      if (n % 11 === 0) bus.drain();
    }
    check(bus.stats(), received);
    bus.drain();
    check(bus.stats(), received);
    const market = bus.stats().lanes.find((l) => l.lane === "market")!;
    if (mode === "manual") assert.ok(market.dropped > 0 && market.conflated > 0, "the scenario exercises drops and conflation");
  });
}
