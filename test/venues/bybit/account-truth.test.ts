/**
 * Account truth, end to end: the live runtime against the Bybit simulator (`hean sim bybit`'s
 * server, in process). The account opens at the venue's wallet (not `initialCash`); a funding
 * settlement and a deposit made at the venue move engine equity; they are journaled once and a
 * replay of the journal rebuilds the same account; a wallet change nobody can explain raises
 * ACCOUNT_DIVERGENCE and quarantines the account (the governor sees it), and new risk is denied.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { abs, add, dec, format, mul, mulDiv, roundToStep, sub, toNumber } from "../../../src/core/decimal.ts";
import type { AlertEvent, HeanEvent } from "../../../src/core/events.ts";
import { loadConfig } from "../../../src/config/config.ts";
import { Secret } from "../../../src/core/secrets.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { SqliteJournal } from "../../../src/journal/sqlite-journal.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, SECRET, liveOverrides, waitFor } from "./rig.ts";

let sim: BybitSimulator;
const dir = mkdtempSync(join(tmpdir(), "hean-account-"));
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 71, apiKey: KEY, apiSecret: SECRET, startingBalance: "20000" });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function control(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

/** Like `waitFor`, for a probe that must ask the simulator. */
async function waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const venueWallet = async (): Promise<string> => ((await (await fetch(`${sim.url}/__sim/state`)).json()) as any).wallet.walletBalance;

test("venue wallet changes and funding move engine equity, are journaled once, replay identically; a divergence quarantines", async () => {
  const path = join(dir, "account.db");
  const config = loadConfig({
    overrides: [
      ...liveOverrides(sim, path),
      "risk.maxAccountDivergence=5",
      "risk.maxOrderNotional=5000",
      "risk.maxPositionNotional=5000",
      "risk.maxGrossExposure=10000",
    ],
  });
  const alerts: AlertEvent[] = [];
  const rt = await Runtime.start({ config, onAlert: (a) => alerts.push(a), live: { apiKey: new Secret(KEY), apiSecret: new Secret(SECRET) } });
  const state = rt.engine.state;
  let stopped = false;
  try {
    // The boot reconciliation opened the account at the venue's balance: initialCash (10000) is for paper.
    assert.equal(format(state.portfolio.cash), "20000");
    assert.equal(format(state.reconciledAccount!.opening!), "10000");
    assert.ok(alerts.some((a) => a.code === "ACCOUNT_OPENED"));
    assert.equal(format(state.riskReference!.capitalBase), "20000", "drawdown is measured from the venue's balance");

    // A position to pay funding on.
    const book = await waitFor("a book", () => rt.engine.lastBook("BTCUSDT"));
    // 1 % through the touch: the book may have moved by the time the order arrives (a loaded machine).
    const through = roundToStep(mul(book.ask, dec("1.01")), rt.instruments.get("BTCUSDT").tickSize, "ceil");
    const entry = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.05"), price: through, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.equal(entry.ok, true);
    await waitFor("the position", () => state.portfolio.position("BTCUSDT").qty > 0n || undefined);
    await waitUntil("engine cash equal to the venue wallet after the fill", async () => state.portfolio.cash === dec(await venueWallet()));

    // Funding at 0.1 %: the long pays size × mark × rate.
    const cashBefore = state.portfolio.cash;
    const settled = (await control("/__sim/funding", { rate: "0.001", symbol: "BTCUSDT" })).settled;
    assert.equal(settled.length, 1);
    const fee = dec(settled[0].execFee);
    assert.ok(fee > 0n);
    await waitFor("the funding booked", () => state.fundingCount === 1 || undefined);
    // Equity is cash plus the positions at their marks: at any marks it is now `fee` lower.
    assert.equal(state.portfolio.cash, sub(cashBefore, fee));
    // Reconciliation reads the same settlement from the execution list: booked once.
    await rt.venue.reconcile!("manual");
    await waitFor("the second sighting applied", () => rt.engine.duplicateCash >= 1 || undefined);
    assert.equal(state.fundingCount, 1);
    assert.equal(state.portfolio.cash, sub(cashBefore, fee));

    // A deposit at the venue: booked as a transfer, equity up, and not a new high.
    const hwmBefore = state.riskReference!.highWaterMark;
    await control("/__sim/wallet", { amount: "1500" });
    await waitFor("the deposit booked", () => state.adjustmentCount === 1 || undefined);
    assert.equal(state.portfolio.cash, add(sub(cashBefore, fee), dec("1500")));
    const cashAtDeposit = sub(cashBefore, fee);
    assert.equal(state.riskReference!.highWaterMark, mulDiv(hwmBefore, add(cashAtDeposit, dec("1500")), cashAtDeposit), "a deposit is not profit: the high scales with the cash");
    await waitFor("a reconciled snapshot that agrees", () => (state.reconciledAccount!.walletBalance === state.portfolio.cash && state.reconciledAccount!.engineCash === state.portfolio.cash) || undefined);
    assert.equal(state.risk.state, "NORMAL");
    assert.ok(!alerts.some((a) => a.code === "ACCOUNT_DIVERGENCE"), "money that is explained never diverges");
    assert.equal(format(state.portfolio.cash), await venueWallet());

    // The venue's wallet moves by 40 without a ledger entry: the books disagree.
    await control("/__sim/wallet", { amount: "-40", logged: false });
    const diverged = await waitFor("the divergence alert", () => alerts.find((a) => a.code === "ACCOUNT_DIVERGENCE"));
    assert.equal(diverged.severity, "critical");
    assert.equal(diverged.context.divergence, "-40");
    await waitFor("the governor quarantines", () => state.risk.state === "QUARANTINE" || undefined);
    assert.match(state.risk.reasons.join(";"), /account divergence/);
    assert.equal(rt.risk.metrics().accountDivergence, 40);
    assert.equal(state.tradingState(), "reduce-only");
    const more = rt.executor.submit({ strategyId: "t", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.01"), price: rt.engine.lastBook("BTCUSDT")!.ask, timeInForce: "IOC", reduceOnly: false, purpose: "entry" });
    assert.equal(more.ok, false, "no new risk while the books disagree");
    assert.equal(format(state.portfolio.cash), format(add(dec(await venueWallet()), dec("40"))), "the engine never silently adopts an unexplained change");

    await rt.stop("test");
    stopped = true;

    // Journaled once each, and a replay from the first record rebuilds the same account.
    const journal = SqliteJournal.open(path);
    try {
      const events: HeanEvent[] = [...journal.read(0)].map((r) => r.event);
      const count = (type: string) => events.filter((e) => e.type === type).length;
      assert.equal(count("funding.paid"), 1, "the stream and the execution list saw it; it is journaled once");
      assert.equal(count("cash.adjusted"), 1);
      assert.ok(events.some((e) => e.type === "account.snapshot" && e.source === "reconciliation"));
      assert.ok(events.some((e) => e.type === "account.snapshot" && e.source === "stream"));
      const replayed = new EngineState(config.initialCash);
      let seq = 0;
      for (const r of journal.read(0)) replayed.apply(r.event, (seq = r.seq));
      assert.equal(seq, journal.lastSeq());
      assert.deepEqual(replayed.snapshot(), state.snapshot());
      assert.equal(abs(replayed.reconciledAccount!.divergence), dec("40"));
      assert.equal(replayed.risk.state, "QUARANTINE");
      assert.equal(toNumber(replayed.portfolio.funding), toNumber(fee));
    } finally {
      journal.close();
    }
  } finally {
    if (!stopped) await rt.stop("test");
  }
});
