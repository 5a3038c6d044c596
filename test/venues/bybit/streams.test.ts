/**
 * Public and private streams against the in-process simulator: sequence checks and resyncs with
 * the gap flagged, stale books after a reconnect, the idle timeout on a silent socket, fills
 * that survive private disconnects, duplicated and reordered messages counted once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 31, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

async function fresh(tuning: Record<string, unknown> = {}): Promise<Rig> {
  await sim.reset({ seed: 31 });
  return Rig.start({ sim, tuning });
}

describe("public stream", () => {
  test("a sequence gap: resyncing, an alert, a fresh snapshot, and the next book flagged afterGap", async () => {
    const rig = await fresh();
    try {
      await rig.waitBook();
      const before = rig.of("market.book").length;
      assert.ok(rig.of("market.book").every((b) => !b.afterGap), "no gap yet");
      // What the risk check hears at the moment a book is flagged resyncing: no entries on it.
      const blockedAtResync: (string | undefined)[] = [];
      rig.onEvent = (e) => {
        if (e.type === "market.status" && e.status === "resyncing") blockedAtResync.push(rig.venue.blocksNewExposure());
      };
      sim.setFaults({ bookGaps: 1 });
      await waitFor("a resync", () => rig.of("market.status").some((s) => s.status === "resyncing" && s.detail.includes("sequence gap")));
      const flagged = await waitFor("a book after the gap", () => rig.of("market.book").slice(before).find((b) => b.afterGap));
      assert.ok(rig.alerts("BOOK_RESYNC").length >= 1);
      assert.ok(blockedAtResync.length > 0);
      for (const blocked of blockedAtResync) assert.match(blocked ?? "not blocked", /stale/);
      await waitFor("trading resumes once the books are synced", () => rig.venue.blocksNewExposure() === undefined);
      // Books after the flagged one are continuous again.
      const later = await waitFor("books after the flagged one", () => {
        const books = rig.of("market.book").filter((b) => b.ts > flagged.ts && b.symbol === flagged.symbol);
        return books.length > 0 ? books : undefined;
      });
      assert.ok(later.every((b) => !b.afterGap));
      assert.ok(rig.of("market.status").some((s) => s.status === "live" && s.symbol === flagged.symbol && s.ts >= flagged.ts - 1));
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("a u=1 snapshot (the feed restarted) replaces the book and flags the next book", async () => {
    const rig = await fresh();
    try {
      await rig.waitBook("ETHUSDT");
      const before = rig.of("market.book").length;
      sim.setFaults({ bookRestart: true });
      await waitFor("a flagged book", () => rig.of("market.book").slice(before).some((b) => b.afterGap));
      assert.ok(rig.alerts("BOOK_RESTART").length >= 1);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("after a reconnect books are stale until a fresh snapshot, and the first one is flagged", async () => {
    const rig = await fresh();
    try {
      await rig.waitBook();
      const before = rig.of("market.book").length;
      sim.setFaults({ disconnectPublic: true });
      await waitFor("stale", () => rig.of("market.status").some((s) => s.status === "stale"));
      const first = await waitFor("a book after reconnect", () => rig.of("market.book").slice(before).find((b) => b.symbol === "BTCUSDT"));
      assert.equal(first.afterGap, true);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("a socket that stays open but carries no data is reconnected after the idle timeout", async () => {
    const rig = await fresh({ publicIdleMs: 400 });
    try {
      await rig.waitBook();
      sim.setFaults({ stalePublicMs: 1_500 });
      await waitFor("idle alert", () => rig.alerts("PUBLIC_STREAM_SILENT").length > 0);
      sim.clearFaults();
      const before = rig.of("market.book").length;
      await waitFor("books again", () => rig.of("market.book").slice(before).some((b) => b.afterGap), 8_000);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });
});

describe("private stream", () => {
  test("fills are never lost when the private stream drops while they happen; the stream is trusted only after reconciling", async () => {
    const rig = await fresh();
    try {
      assert.equal(rig.venue.health.privateDownSince(), null, "reconciled after the first connect");
      // Everything the stream would say about this order is held back, then the socket drops.
      sim.setFaults({ latencyMs: { private: 3_000 } });
      const id = rig.place({ side: "buy", qty: "0.02", price: await rig.through("buy") });
      await waitFor("accepted by REST", () => rig.status(id) !== "SUBMITTED");
      sim.setFaults({ disconnectPrivate: true });
      await waitFor("down", () => rig.venue.health.privateDownSince() !== null);
      await waitFor("filled", () => rig.status(id) === "FILLED");
      await waitFor("trusted again", () => rig.venue.health.privateDownSince() === null);
      const venue = await rig.venueState();
      const execs = venue.executions.filter((e: any) => e.orderLinkId === id);
      assert.deepEqual(rig.fillsOf(id).map((f) => f.fillId).sort(), execs.map((e: any) => e.execId).sort());
      assert.ok(rig.fillsOf(id).every((f) => f.source === "reconciliation"));
      assert.ok(rig.venue.health.view().missedFills >= execs.length);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("duplicated and reordered private messages: every fill once", async () => {
    const rig = await fresh();
    try {
      sim.setFaults({ duplicatePrivate: 20, reorderPrivate: 20 });
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(rig.place({ side: i % 2 === 0 ? "buy" : "sell", qty: "0.01", price: await rig.through(i % 2 === 0 ? "buy" : "sell") }));
      for (const id of ids) await waitFor("filled", () => rig.status(id) === "FILLED");
      // Stopped (after its final reconciliation), nothing more can arrive: what it sent is final.
      await rig.venue.stop();
      const venue = await rig.venueState();
      const fillIds = rig.of("order.filled").map((f) => f.fillId);
      assert.equal(new Set(fillIds).size, fillIds.length, "no fill sent twice");
      assert.equal(fillIds.length, venue.executions.length);
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });
});
