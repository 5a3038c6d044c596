/**
 * Binance streams and account checks, against the real Binance simulator:
 * - a depth `pu` break flags the book stale (no new exposure), resyncs it from a fresh snapshot,
 *   and the first book after it says `afterGap`;
 * - an expired listen key is re-created, the user stream reopened and the account reconciled;
 * - the private stream cut while a fill is on its way: the fill is recovered by reconciliation,
 *   once;
 * - an account in hedge mode, with BNB fee deduction or with multi-assets margin is refused at
 *   start (VENUE_POSITION_MODE, VENUE_ACCOUNT_MODE).
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { dec, format } from "../../../src/core/decimal.ts";
import { isHeanError } from "../../../src/core/errors.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { restProxy, rewriteJson } from "../live/rest-proxy.ts";
import { BinanceRig, KEY, SECRET, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 33, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

async function fresh(tuning: Record<string, unknown> = {}): Promise<BinanceRig> {
  await sim.reset({ seed: 33 });
  return BinanceRig.start({ sim, tuning });
}

describe("Binance streams", () => {
  test("a pu break flags the book stale (no entries), resyncs it from a fresh snapshot, and the next book says afterGap", async () => {
    const rig = await fresh();
    try {
      await rig.waitBook("BTCUSDT");
      await waitFor("books synced", () => rig.venue.blocksNewExposure() === undefined);
      const before = rig.events.length;
      // What the risk check hears at the moment the book is flagged resyncing.
      const blockedAtResync: (string | undefined)[] = [];
      rig.onEvent = (e) => {
        if (e.type === "market.status" && e.symbol === "BTCUSDT" && e.status === "resyncing") blockedAtResync.push(rig.venue.blocksNewExposure());
      };
      sim.setFaults({ bookGaps: 1 });
      await waitFor("a resync", () => rig.alerts("BOOK_RESYNC").length > 0);
      const statuses = () => rig.events.slice(before).filter((e) => e.type === "market.status" && e.symbol === "BTCUSDT").map((e) => (e as { status: string }).status);
      await waitFor("resyncing then live", () => statuses().includes("resyncing") && statuses().at(-1) === "live");
      // While it resyncs no entry is taken (the live core refuses new exposure on a stale book).
      assert.ok(blockedAtResync.length > 0);
      for (const blocked of blockedAtResync) assert.match(blocked ?? "not blocked", /stale/);
      await waitFor("a book after the gap", () => rig.events.slice(before).some((e) => e.type === "market.book" && e.symbol === "BTCUSDT" && e.afterGap));
      // The gap hits every book (ETHUSDT too): trading resumes once all of them are synced again.
      await waitFor("trading resumes once the books are synced", () => rig.venue.blocksNewExposure() === undefined);
    } finally {
      await rig.stop(false);
    }
  });

  test("an expired listen key is re-created, the user stream reopened and the account reconciled", async () => {
    const rig = await fresh();
    try {
      const snapshotsBefore = rig.of("account.snapshot").length;
      sim.setFaults({ expireListenKeys: true });
      await waitFor("the key renewed", () => rig.alerts("LISTEN_KEY_RENEWED").length > 0);
      await waitFor("a reconciliation after the reopen", () => rig.of("account.snapshot").length > snapshotsBefore && rig.venue.health.privateDown === null);
      // The new stream carries our fills.
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      assert.ok(rig.fillsOf(id).some((f) => f.source === "stream"), "fills come over the reopened stream");
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("the private stream cut while a fill is on its way: reconciliation recovers the fill, once", async () => {
    const rig = await fresh();
    try {
      // The stream's news is slow; cut the stream while it is in flight.
      sim.setFaults({ latencyMs: { private: 1_500 } });
      const id = rig.place({ side: "buy", qty: "0.02", price: await rig.through("buy") });
      await waitFor("accepted", () => rig.of("order.accepted").some((e) => e.clientOrderId === id));
      sim.setFaults({ latencyMs: { private: 0 }, disconnectPrivate: true });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      const venue = await rig.venueState();
      const trades = venue.executions.filter((e: any) => e.clientOrderId === id);
      assert.deepEqual(rig.fillsOf(id).map((f) => f.fillId).sort(), trades.map((e: any) => `BTCUSDT:${e.tradeId}`).sort());
      assert.ok(rig.fillsOf(id).some((f) => f.source === "reconciliation"), "recovered by reconciliation");
      assert.equal(rig.duplicateFills, 0);
      const order = venue.orders.find((o: any) => o.clientOrderId === id);
      assert.equal(rig.state.orders.get(id)!.filledQty, dec(order.executedQty), "the engine's fills add up to the venue's");
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a trade's ACCOUNT_UPDATE costs no account or ledger read (Binance meters them by weight); a funding one is read and pushed", async () => {
    // Each fill's ACCOUNT_UPDATE was followed by GET /fapi/v2/account (5) and, for the core's
    // wallet check, GET /fapi/v1/income (30) + /fapi/v2/account again: ~40 weight a burst, about
    // 1 000 of the IP's 2 400 a minute for one engine on a busy strategy. Past 90% hean's limiter
    // held every read and cancel until the minute turned (seen live: the kill switch could not
    // verify flat, RECONCILE_FAILED VENUE_RATE_LIMITED). The trade itself comes with the fill;
    // the periodic reconciliation compares the wallet.
    const rig = await fresh({ reconcilePositionsMs: 1_500 });
    try {
      const first = rig.events.length;
      const id = rig.place({ side: "buy", qty: "0.02", price: await rig.through("buy") });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      // Two periodic wallet reconciliations after the fill: a pushed wallet (1 s after its
      // ACCOUNT_UPDATE) would have been journaled by then.
      const reconciled = () => rig.events.slice(first).filter((e) => e.type === "account.snapshot" && e.source === "reconciliation").length;
      const seen = reconciled();
      await waitFor("two periodic reconciliations", () => reconciled() >= seen + 2);
      sim.settleFunding("BTCUSDT", "0.001");
      const wallet = dec((await rig.venueState()).wallet.walletBalance);
      await waitFor("the funding's balance pushed", () => rig.events.slice(first).some((e) => e.type === "account.snapshot" && e.source === "stream" && e.walletBalance === wallet));
      const pushed = rig.events.slice(first).filter((e) => e.type === "account.snapshot" && e.source === "stream");
      assert.deepEqual(pushed.map((e) => e.type === "account.snapshot" && format(e.walletBalance)), [format(wallet)], "only the funding's balance was pushed");
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a funding settlement is booked from its ACCOUNT_UPDATE before the wallet is compared: no divergence", async () => {
    // Funding was booked only by the executions reconciliation (every reconcileOrdersMs, 30 s by
    // default), while the funding's ACCOUNT_UPDATE had the wallet compared within 2 s: a funding of
    // 19.56 on a 2 000 position at 1% went ACCOUNT_DIVERGENCE and QUARANTINE (reduce-only) until
    // then, at every settlement large enough (Bybit books funding from its stream at once).
    const rig = await fresh();
    try {
      const id = rig.place({ side: "buy", qty: "0.02", price: await rig.through("buy") });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      const first = rig.events.length;
      sim.settleFunding("BTCUSDT", "0.01");
      const wallet = dec((await rig.venueState()).wallet.walletBalance);
      await waitFor("the funding booked", () => rig.events.slice(first).some((e) => e.type === "funding.paid"));
      await waitFor("the wallet compared", () => rig.events.slice(first).some((e) => e.type === "account.snapshot" && e.source === "reconciliation" && e.walletBalance === wallet));
      const compared = rig.state.reconciledAccount!;
      assert.equal(format(compared.divergence), "0", `wallet ${format(compared.walletBalance)}, engine cash ${format(compared.engineCash)}`);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a frame hean cannot read on the user data stream is said without the listen key (it grants the account's stream)", async () => {
    // A loopback proxy for the user data stream: forwards /ws/<listenKey> to the simulator and
    // puts a frame that is not JSON in front of the venue's first message.
    const keys: string[] = [];
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    wss.on("connection", (client, req) => {
      keys.push(decodeURIComponent((req.url ?? "").replace(/^\/ws\//, "")));
      const venue = new WebSocket(`${sim.wsUrl}${req.url ?? ""}`);
      venue.on("open", () => client.send("{not json"));
      venue.on("message", (m) => client.send(m.toString()));
      const close = (): void => {
        client.terminate();
        venue.terminate();
      };
      for (const s of [client, venue]) s.on("close", close).on("error", close);
    });
    await new Promise<void>((resolve) => (wss.address() === null ? wss.once("listening", () => resolve()) : resolve()));
    await sim.reset({ seed: 33 });
    const rig = await BinanceRig.start({ sim, venue: { wsPrivateUrl: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` } });
    try {
      await waitFor("the frame refused", () => rig.alerts("VENUE_MALFORMED_MESSAGE").length > 0);
      assert.ok(keys.length > 0 && keys.every((k) => k.length > 0));
      for (const a of rig.alerts("VENUE_MALFORMED_MESSAGE")) {
        const said = JSON.stringify(a);
        for (const key of keys) assert.ok(!said.includes(key), `the listen key is in ${said}`);
        assert.match(said, /\/ws\//, "it still says which stream");
      }
    } finally {
      await rig.stop(false);
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  const refusedSetups = [
    { what: "hedge mode", path: "/fapi/v1/positionSide/dual", set: { dualSidePosition: true }, code: "VENUE_POSITION_MODE", says: /hedge mode/ },
    { what: "BNB fee deduction", path: "/fapi/v2/account", set: { feeBurn: true }, code: "VENUE_ACCOUNT_MODE", says: /fees in BNB/ },
    { what: "multi-assets margin", path: "/fapi/v2/account", set: { multiAssetsMargin: true }, code: "VENUE_ACCOUNT_MODE", says: /multi-assets margin/ },
  ] as const;
  for (const setup of refusedSetups) {
    test(`an account with ${setup.what} is refused at start with ${setup.code}, before any order`, async () => {
      await sim.reset({ seed: 33 });
      // A proxy in front of the simulator rewrites the JSON answer of the one GET path.
      const proxy = await restProxy(sim.url, { answer: (url, method) => (method === "GET" && url.pathname === setup.path ? rewriteJson((answer) => ({ ...answer, ...setup.set })) : undefined) });
      const rig = BinanceRig.build({ restUrl: proxy.url }, sim);
      try {
        await assert.rejects(rig.venue.start(rig.apply), (e: unknown) => isHeanError(e, setup.code) && setup.says.test((e as Error).message));
        assert.equal(rig.of("order.accepted").length, 0);
      } finally {
        await rig.venue.stop();
        await proxy.close();
      }
    });
  }
});
