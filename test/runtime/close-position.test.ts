/**
 * Issue 16: the dashboard's close button is the journaled `close-position` command, end to end on
 * the real runtime (engine, journal, risk, simulated venue) through the HTTP API: the token is
 * required, the symbol validated, one position closes with a reduce-only order while the other
 * stays, the trade's exit reason is "operator", a resend of the same commandId changes nothing,
 * and the journal holds the command, its reduce-only order and its outcome.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { startControlServer } from "../../src/control/http/server.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { postCommand } from "../control/http-helpers.ts";
import { ofType, openPosition, startTestRuntime, tempJournal } from "./helpers.ts";

const TOKEN = "close-position-token-8d2f61ab";
const ROOMY_LIMITS = ["risk.maxLeverage=30", "risk.maxOrderNotional=50000", "risk.maxPositionNotional=50000", "risk.maxGrossExposure=100000"];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

test("close-position: token and symbol checked, one position closed reduce-only with exit reason operator, idempotent by commandId, journaled", async () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  const t = await startTestRuntime({ journalPath: j.path, overrides: ["strategy.name=none", ...ROOMY_LIMITS] });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await t.stop();
  });
  const view = new RuntimeView(t.rt);
  const server = await startControlServer({ view, port: 0, token: TOKEN });
  cleanups.push(() => server.close());
  await t.advance(1_000);
  openPosition(t, "BTCUSDT", "buy", "0.02");
  openPosition(t, "ETHUSDT", "sell", "0.4");
  await t.advance(500);
  const portfolio = t.rt.engine.state.portfolio;
  assert.equal(portfolio.openPositions().length, 2);

  // No token, a bad symbol, an unknown field: refused before the engine, nothing journaled.
  assert.equal((await postCommand(server.url, { type: "close-position", commandId: "c-0", symbol: "BTCUSDT" })).status, 401);
  const bad = await postCommand(server.url, { type: "close-position", commandId: "c-0", symbol: "DOGEUSDT" }, TOKEN);
  assert.equal(bad.status, 422);
  assert.match(bad.json.error.message, /unknown symbol "DOGEUSDT": the engine trades BTCUSDT, ETHUSDT/);
  assert.equal((await postCommand(server.url, { type: "close-position", commandId: "c-0", symbol: "BTCUSDT", qty: 1 }, TOKEN)).status, 422);
  assert.equal((await postCommand(server.url, { type: "close-position", commandId: "c-0" }, TOKEN)).status, 422);
  assert.equal(ofType(t.events, "command").length, 0);

  const first = await postCommand(server.url, { type: "close-position", commandId: "c-1", symbol: "btcusdt" }, TOKEN);
  assert.equal(first.status, 200);
  assert.equal(first.json.ok, true, first.json.message);
  assert.equal(first.json.duplicate, false);
  assert.match(first.json.message, /closing BTCUSDT: reduce-only sell 0\.02/);
  await t.advance(1_000);
  assert.equal(portfolio.position("BTCUSDT").qty, 0n, "BTCUSDT closed");
  assert.notEqual(portfolio.position("ETHUSDT").qty, 0n, "ETHUSDT untouched");
  assert.equal(t.rt.engine.state.tradingState(), "active", "closing one position does not halt trading");
  const intents = ofType(t.events, "order.intent").filter((o) => o.purpose === "operator");
  assert.equal(intents.length, 1);
  assert.equal(intents[0]!.reduceOnly, true);
  assert.equal(intents[0]!.side, "sell");

  const closed = view.performance().trades.closed;
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.symbol, "BTCUSDT");
  assert.equal(closed[0]!.exitReason, "operator");

  // The same command again: the first outcome, nothing new reaches the engine.
  const again = await postCommand(server.url, { type: "close-position", commandId: "c-1", symbol: "BTCUSDT" }, TOKEN);
  assert.deepEqual(again.json, { ...first.json, duplicate: true });
  assert.equal(ofType(t.events, "command").length, 1);
  // The same id for another symbol is a conflict.
  assert.equal((await postCommand(server.url, { type: "close-position", commandId: "c-1", symbol: "ETHUSDT" }, TOKEN)).status, 409);

  // A flat symbol: a clear refusal, nothing sent.
  const flat = await postCommand(server.url, { type: "close-position", commandId: "c-2", symbol: "BTCUSDT" }, TOKEN);
  assert.equal(flat.json.ok, false);
  assert.match(flat.json.message, /no open position in BTCUSDT/);
  assert.equal(ofType(t.events, "order.intent").filter((o) => o.purpose === "operator").length, 1);

  stopped = true;
  await t.stop();

  const journal = SqliteJournal.open(j.path, { writer: "inline" });
  const records = [...journal.read()].map((r) => r.event);
  journal.close();
  const commands = records.filter((e) => e.type === "command" && e.command === "close-position");
  assert.equal(commands.length, 2);
  assert.ok(commands.every((c) => c.type === "command" && c.source === "api:127.0.0.1"));
  const results = records.filter((e) => e.type === "command.result" && (e.commandId === "c-1" || e.commandId === "c-2"));
  assert.deepEqual(results.map((r) => r.type === "command.result" && r.ok), [true, false]);
  const commandSeq = records.findIndex((e) => e.type === "command" && e.commandId === "c-1");
  const intentSeq = records.findIndex((e) => e.type === "order.intent" && e.purpose === "operator");
  assert.ok(commandSeq >= 0 && intentSeq > commandSeq, "the command is journaled before its order");
});
