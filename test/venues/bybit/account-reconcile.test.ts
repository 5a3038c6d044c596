/**
 * The live core's account questions over Bybit's wire, against the simulator: a funding
 * settlement reaches the engine from the stream and again from the execution list (booked once),
 * a deposit's ledger entry is booked before the reconciled wallet that shows it, and every
 * account event carries the venue's registry id.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { add, dec, sub } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 83, apiKey: KEY, apiSecret: SECRET, startingBalance: "20000" });
});
after(async () => {
  await sim.close();
});

async function control(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

test("funding from the stream and the execution list is booked once; the ledger is read before the wallet it explains", async () => {
  const rig = await Rig.start({ sim });
  try {
    const { state } = rig;
    const opened = rig.of("account.snapshot").find((s) => s.source === "reconciliation");
    assert.ok(opened, "the boot reconciliation read the wallet");
    assert.equal(opened.walletBalance, dec("20000"));
    assert.equal(state.portfolio.cash, dec("20000"), "the first reconciled snapshot opens the account at the venue's balance");

    const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    await waitFor("the fill", () => rig.status(id) === "FILLED" || undefined);

    const cashBefore = state.portfolio.cash;
    const [settled] = (await control("/__sim/funding", { rate: "0.0005", symbol: "BTCUSDT" })).settled;
    const fee = dec(settled.execFee);
    const streamed = await waitFor("funding on the stream", () => rig.of("funding.paid").find((f) => f.source === "stream"));
    assert.equal(streamed.fundingId, settled.execId);
    assert.equal(streamed.positionQty, dec("0.01"));
    await rig.venue.reconcile("manual");
    const listed = rig.of("funding.paid").find((f) => f.source === "reconciliation");
    assert.ok(listed, "the execution pass reads the same settlement from the execution list");
    assert.equal(listed.fundingId, settled.execId);
    assert.equal(state.fundingCount, 1);
    assert.equal(state.portfolio.cash, sub(cashBefore, fee));

    const seen = rig.events.length;
    const { walletBalance } = await control("/__sim/wallet", { amount: "250" });
    const deposit = await waitFor("the deposit booked", () => rig.of("cash.adjusted")[0]);
    assert.deepEqual([deposit.amount, deposit.reason, deposit.source], [dec("250"), "transfer", "reconciliation"]);
    const shown = await waitFor("a reconciled wallet with the deposit", () =>
      rig.events.findIndex((e, i) => i >= seen && e.type === "account.snapshot" && e.source === "reconciliation" && e.walletBalance === dec(walletBalance)) + 1 || undefined,
    );
    assert.ok(rig.events.indexOf(deposit) < shown - 1, "the ledger entry comes before the reconciled snapshot that shows it");
    assert.equal(state.portfolio.cash, add(sub(cashBefore, fee), dec("250")));
    assert.equal(state.reconciledAccount!.divergence, 0n);

    assert.ok(rig.of("account.snapshot").some((s) => s.source === "stream"), "pushed wallets are journaled too");
    assert.ok(rig.of("account.snapshot").every((s) => s.venue === rig.venue.id));
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});
