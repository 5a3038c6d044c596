/**
 * Binance wire pieces on their own: the documented signature example, code classification, and
 * the diff-depth procedure (bridging, a snapshot older than the buffer, a `pu` break).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { hmacSha256Hex } from "../../../src/venues/live/signing-authority.ts";
import { classifyAnswer } from "../../../src/venues/binance/classify.ts";
import { DiffBook } from "../../../src/venues/binance/order-book.ts";
import { BinanceSigner, authorizeLiveSigning } from "../../../src/venues/binance/signer.ts";
import { type WireDepthUpdate, parseLevels } from "../../../src/venues/binance/wire.ts";

test("the signature is Binance's documented example, appended last; the signer needs confirmed live binance", () => {
  const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  const query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  assert.equal(hmacSha256Hex(secret, query), "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  const live = { mode: "live", venue: "binance", live: { iUnderstandLiveTrading: true } };
  const signer = new BinanceSigner(authorizeLiveSigning(live), new Secret("key"), new Secret(secret));
  assert.equal(signer.signQuery(query), `${query}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`);
  assert.deepEqual(signer.keyHeader(), { "X-MBX-APIKEY": "key" });
  assert.equal(String(signer), "BinanceSigner([redacted])");
  assert.throws(() => authorizeLiveSigning({ ...live, mode: "paper" }), /LIVE_NOT_CONFIRMED/);
  assert.throws(() => authorizeLiveSigning({ ...live, venue: "bybit" }), /CONFIG_INVALID/);
  assert.throws(() => new BinanceSigner({ venue: "binance" } as never, new Secret("k"), new Secret("s")), /LIVE_NOT_CONFIRMED/);
});

test("codes map to the shared outcome policy", () => {
  const c = (status: number, code?: number) => classifyAnswer(status, code === undefined ? undefined : { code, msg: "m" });
  assert.equal(c(200).outcome, "ok");
  assert.equal(c(400, -4116).fact, "duplicate-client-id");
  assert.equal(c(400, -5022).fact, "post-only-would-take");
  assert.equal(c(400, -2011).fact, "order-not-open");
  assert.equal(c(401, -2015).fact, "auth-failed");
  assert.equal(c(400, -1022).fact, "auth-failed");
  assert.equal(c(400, -1021).clockSkew, true);
  assert.equal(c(400, -2019).code, "BINANCE_-2019");
  for (const s of [429, 418]) assert.equal(c(s, -1003).rateLimited, true);
  assert.equal(c(503).outcome, "unknown");
  assert.equal(c(400, -1007).outcome, "unknown");
  assert.equal(c(400, -9999).outcome, "rejected");
});

const lv = (price: string) => parseLevels("depth", [[price, "1"]]);
const ev = (U: number, u: number, pu: number, bid = "100"): WireDepthUpdate => ({ symbol: "X", firstId: U, lastId: u, prevLastId: pu, bids: lv(bid), asks: lv("101"), time: 0 });
const snap = (id: number) => ({ lastUpdateId: id, bids: lv("99"), asks: lv("102"), time: 0 });

test("diff depth: buffered diffs older than the snapshot are dropped, the first one brackets it, then pu chains", () => {
  const b = new DiffBook();
  assert.equal(b.onUpdate(ev(1, 5, 0)), "buffered");
  assert.equal(b.onUpdate(ev(6, 9, 5)), "buffered");
  assert.equal(b.onUpdate(ev(10, 12, 9)), "buffered");
  assert.equal(b.onSnapshot(snap(8)), "synced");
  assert.equal(b.synced, true);
  assert.equal(b.lastU, 12);
  assert.equal(b.onUpdate(ev(13, 14, 12, "100.5")), "applied");
  assert.equal(b.top()!.bid, dec("100.5"));
  // A lost diff: pu is not the previous u.
  assert.equal(b.onUpdate(ev(20, 22, 19)), "gap");
  assert.equal(b.synced, false);
  assert.equal(b.top(), undefined, "a lost book shows no touch");
});

test("diff depth: a snapshot older than every buffered diff asks for another; an empty buffer waits for the bridging event", () => {
  const b = new DiffBook();
  b.onUpdate(ev(10, 12, 9));
  assert.equal(b.onSnapshot(snap(5)), "snapshot-too-old");
  assert.equal(b.state, "buffering");
  assert.equal(b.onSnapshot(snap(11)), "synced");
  assert.equal(b.synced, true);
  const c = new DiffBook();
  assert.equal(c.onSnapshot(snap(20)), "synced");
  assert.equal(c.state, "bridging");
  assert.equal(c.onUpdate(ev(15, 19, 14)), "dropped");
  assert.equal(c.onUpdate(ev(19, 23, 18)), "applied");
  assert.equal(c.synced, true);
});

test("diff depth: an event that follows on from the snapshot (pu ≤ L < U) bridges it; one after a missed event does not", () => {
  // The snapshot was taken right after the event ending at 12 was pushed.
  const buffered = new DiffBook();
  buffered.onUpdate(ev(13, 15, 12, "100.5"));
  assert.equal(buffered.onSnapshot(snap(12)), "synced");
  assert.equal(buffered.top()!.bid, dec("100.5"));
  const waiting = new DiffBook();
  assert.equal(waiting.onSnapshot(snap(12)), "synced");
  assert.equal(waiting.onUpdate(ev(13, 15, 12)), "applied");
  assert.equal(waiting.synced, true);
  // Ended at 14, after the snapshot at 12: 13..14 were missed.
  const missed = new DiffBook();
  missed.onUpdate(ev(15, 16, 14));
  assert.equal(missed.onSnapshot(snap(12)), "snapshot-too-old");
  const late = new DiffBook();
  late.onSnapshot(snap(12));
  assert.equal(late.onUpdate(ev(15, 16, 14)), "snapshot-too-old");
});
