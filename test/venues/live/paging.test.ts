/**
 * The shared paging pieces: settings refused unless whole and positive, the alert a read cut short
 * raises (the order's own code for one order's fills), said once per thing cut short with bounded
 * memory, and a key forgotten once what it was about is fine again.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { OncePerKey } from "../../../src/venues/live/once-per-key.ts";
import { pagingOf, truncationAlert, truncationEpisodes } from "../../../src/venues/live/paging.ts";

const DEFAULTS = { listPages: 50, orderFillPages: 20, pageSize: 100 };

test("paging: the venue's defaults under what is given; anything but a whole number of at least one is refused", () => {
  assert.deepEqual(pagingOf(DEFAULTS, undefined), DEFAULTS);
  assert.deepEqual(pagingOf(DEFAULTS, { listPages: 1, pageSize: 2 }), { listPages: 1, orderFillPages: 20, pageSize: 2 });
  for (const given of [{ listPages: 0 }, { orderFillPages: 1.5 }, { pageSize: -1 }, { listPages: Number.NaN }]) {
    assert.throws(() => pagingOf(DEFAULTS, given), /CONFIG_INVALID: paging\.\w+ must be a whole number, at least 1/);
  }
});

test("a search cut short is VENUE_PAGES_TRUNCATED naming the endpoint, symbol, window, pages and records; one order's fills are ORDER_FILLS_TRUNCATED keyed by the order", () => {
  const search = truncationAlert("Bybit", { endpoint: "GET /v5/execution/list", symbol: "BTCUSDT", since: Date.UTC(2026, 0, 2), pages: 50, records: 5000 });
  assert.equal(search.code, "VENUE_PAGES_TRUNCATED");
  assert.equal(search.message, "GET /v5/execution/list BTCUSDT since 2026-01-02T00:00:00.000Z: stopped after 50 pages (5000 records) while Bybit had more; the rest are not read");
  assert.deepEqual(search.context, { endpoint: "GET /v5/execution/list", symbol: "BTCUSDT", since: Date.UTC(2026, 0, 2), pages: 50, records: 5000 });
  const later = truncationAlert("Bybit", { endpoint: "GET /v5/execution/list", symbol: "BTCUSDT", since: Date.UTC(2026, 0, 3), pages: 50, records: 5000 });
  assert.notEqual(later.key, search.key, "another window is another thing cut short");

  const order = truncationAlert("Binance", { endpoint: "GET /fapi/v1/userTrades", symbol: "BTCUSDT", clientOrderId: "c1", pages: 20, records: 20000 });
  assert.equal(order.code, "ORDER_FILLS_TRUNCATED");
  assert.match(order.message, /^BTCUSDT c1: the order's fills \(GET \/fapi\/v1\/userTrades\) stopped after 20 pages \(20000 records\) while Binance had more/);
  assert.equal(truncationAlert("Binance", { endpoint: "GET /fapi/v1/userTrades", symbol: "BTCUSDT", clientOrderId: "c1", pages: 20, records: 20001 }).key, order.key);
});

test("each thing cut short is said once, however often it is read again", () => {
  const said: string[] = [];
  const { truncated } = truncationEpisodes("Bybit", (_severity, code, _message, context) => said.push(`${code} ${String(context.clientOrderId ?? context.symbol)}`));
  for (let pass = 0; pass < 3; pass++) {
    truncated({ endpoint: "GET /v5/execution/list", symbol: "BTCUSDT", clientOrderId: "c1", pages: 20, records: 2000 });
    truncated({ endpoint: "GET /v5/order/realtime", symbol: "ETHUSDT", pages: 50, records: 2500 });
  }
  assert.deepEqual(said, ["ORDER_FILLS_TRUNCATED c1", "VENUE_PAGES_TRUNCATED ETHUSDT"]);
});

test("once per key: bounded (the oldest forgotten first), and a forgotten key is said again", () => {
  const once = new OncePerKey(2);
  assert.deepEqual(["a", "b", "a"].map((k) => once.first(k)), [true, true, false]);
  assert.equal(once.first("c"), true, "a third key pushes the oldest out");
  assert.equal(once.first("a"), true);
  assert.equal(once.first("c"), false);
  once.forget("c");
  assert.equal(once.first("c"), true);
});

test("a read of the same thing that got it all ends the episode: cut short again, it is said again", () => {
  const said: string[] = [];
  const pages = truncationEpisodes("Bybit", (_severity, code, _message, context) => said.push(`${code} ${String(context.symbol)}`));
  const list = { endpoint: "GET /v5/order/realtime", symbol: "ETHUSDT" };
  pages.truncated({ ...list, pages: 50, records: 2500 });
  pages.truncated({ ...list, pages: 50, records: 2500 });
  pages.whole({ endpoint: "GET /v5/order/realtime", symbol: "BTCUSDT" });
  pages.truncated({ ...list, pages: 50, records: 2500 });
  assert.deepEqual(said, ["VENUE_PAGES_TRUNCATED ETHUSDT"], "another list read whole ends nothing");
  pages.whole(list);
  pages.truncated({ ...list, pages: 50, records: 2600 });
  assert.deepEqual(said, ["VENUE_PAGES_TRUNCATED ETHUSDT", "VENUE_PAGES_TRUNCATED ETHUSDT"]);
});
