/**
 * Reconciliation reads the cash ledger, then the wallet. A deposit that lands between the two
 * reads is in the wallet but not in the ledger read before it: compared as it was, the engine's
 * cash and the venue's wallet differed by the deposit, money that is explained, and the governor
 * quarantined the account for at least its dwell (seen in a loaded full-suite run of account-truth). The
 * ledger is read again after the wallet; what it finds is booked and the wallet read again.
 *
 * The deposit is made to land there for certain: a proxy in front of the simulator's REST makes
 * it once the ledger's answer is ready, before it hands that answer on.
 */
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import { after, before, test } from "node:test";
import { add, dec, format } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
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

/**
 * The simulator's REST, with the action given to `arm` run (once) after the next transaction-log
 * answer came back from the simulator and before it is passed on.
 */
async function ledgerProxy(): Promise<{ url: string; arm: (action: () => Promise<void>) => void; close: () => Promise<void> }> {
  const target = new URL(sim.url);
  let armed: (() => Promise<void>) | undefined;
  const proxy = createServer((req, res) => {
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => {
        const action = req.url?.startsWith("/v5/account/transaction-log") === true ? armed : undefined;
        if (action !== undefined) armed = undefined;
        void (action?.() ?? Promise.resolve()).then(() => res.writeHead(r.statusCode ?? 502, r.headers).end(Buffer.concat(chunks)));
      });
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    arm: (action) => {
      armed = action;
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

test("a deposit landing between the ledger read and the wallet read is booked before the wallet is compared: no divergence", async () => {
  await sim.reset({ seed: 81 });
  const proxy = await ledgerProxy();
  const rig = await Rig.start({ sim, venue: { restUrl: proxy.url } });
  try {
    const cash = rig.state.portfolio.cash;
    assert.equal(rig.state.reconciledAccount?.divergence, dec("0"), "the boot pass agrees");
    proxy.arm(() => deposit("1500"));
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
