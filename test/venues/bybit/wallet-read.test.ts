/**
 * Reconciliation reads the cash ledger, then the wallet. A deposit that lands between the two
 * reads is in the wallet but not in the ledger read before it: compared as it was, the engine's
 * cash and the venue's wallet differed by the deposit, money that is explained, and the governor
 * quarantined the account for at least its dwell (seen in a loaded full-suite run of
 * account-truth). The ledger is read again after the wallet; what it finds is booked and the
 * wallet read again.
 *
 * The deposit is made to land there for certain: a proxy in front of the simulator's REST makes
 * it once the ledger's answer is ready, before it hands that answer on.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { add, dec, format } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { restProxy } from "../live/rest-proxy.ts";
import { KEY, Rig, SECRET } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 81, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

async function deposit(amount: string): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/wallet`, { method: "POST", body: JSON.stringify({ amount }), headers: { "Content-Type": "application/json" } });
  assert.equal(res.status, 200, await res.text());
}

test("a deposit landing between the ledger read and the wallet read is booked before the wallet is compared: no divergence", async () => {
  await sim.reset({ seed: 81 });
  // Once armed, the next ledger answer is handed on only after the deposit is made.
  let armed = false;
  const proxy = await restProxy(sim.url, {
    answer: (url) => {
      if (!armed || url.pathname !== "/v5/account/transaction-log") return undefined;
      armed = false;
      return async (body) => {
        await deposit("1500");
        return body;
      };
    },
  });
  const rig = await Rig.start({ sim, venue: { restUrl: proxy.url } });
  try {
    const cash = rig.state.portfolio.cash;
    assert.equal(rig.state.reconciledAccount?.divergence, dec("0"), "the boot pass agrees");
    armed = true;
    await rig.venue.reconcile("manual");
    assert.equal(format(rig.state.portfolio.cash), format(add(cash, dec("1500"))), "the deposit is booked");
    const account = rig.state.reconciledAccount!;
    assert.equal(format(account.walletBalance), format(rig.state.portfolio.cash), "the wallet compared is the one the deposit is in");
    assert.equal(format(account.divergence), "0", "money that is explained does not diverge");
    assert.deepEqual(rig.of("cash.adjusted").map((c) => format(c.amount)), ["1500"], "booked once");
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
    await proxy.close();
  }
});
