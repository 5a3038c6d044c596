/**
 * BNB fee deduction switched on while hean runs (the start refuses it; an operator can still
 * turn it on later): Binance then reports each trade's commission in BNB. hean has no BNB price,
 * so booking that figure as USDT would understate the fee some 600 times. The fill is booked
 * with the fee its instrument's rate gives, a critical alert says why, and the venue takes no new
 * exposure until an operator turns it off and restarts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { format, mul } from "../../../src/core/decimal.ts";
import { BinanceRig, signedCall, waitFor } from "./rig.ts";

describe("Binance: a fee charged in BNB mid-run", () => {
  let rig: BinanceRig;
  before(async () => {
    rig = await BinanceRig.start({ seed: 61 });
  });
  after(async () => {
    await rig?.stop();
  });

  test("is booked at the instrument's rate in USDT, alerted once, and new exposure stops", async () => {
    const btc = (await rig.venue.instruments()).find((i) => i.symbol === "BTCUSDT")!;
    const first = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    const [usdtFill] = await waitFor("the first fill", () => (rig.fillsOf(first).length > 0 ? rig.fillsOf(first) : undefined));
    assert.equal(rig.venue.blocksNewExposure(), undefined, "a USDT fee changes nothing");
    assert.equal(rig.alerts("VENUE_FEE_ASSET").length, 0);

    assert.deepEqual(await signedCall(rig.sim, "POST", "/fapi/v1/feeBurn", { feeBurn: "true" }), { code: 200, msg: "success" });
    const second = rig.place({ side: "sell", qty: "0.01", price: await rig.through("sell"), reduceOnly: true });
    const [bnbFill] = await waitFor("the fill charged in BNB", () => (rig.fillsOf(second).length > 0 ? rig.fillsOf(second) : undefined));

    const venueTrade = (await signedCall(rig.sim, "GET", "/fapi/v1/userTrades", { symbol: "BTCUSDT" })).find((t: any) => `BTCUSDT:${t.id}` === bnbFill!.fillId);
    assert.equal(venueTrade.commissionAsset, "BNB", "the simulator charged this one in BNB");
    const rate = bnbFill!.liquidity === "maker" ? btc.makerFee : btc.takerFee;
    assert.equal(format(bnbFill!.fee), format(mul(mul(bnbFill!.price, bnbFill!.qty), rate)), "booked in USDT at the instrument's rate");
    assert.notEqual(format(bnbFill!.fee), venueTrade.commission, "not the BNB figure");
    assert.ok(usdtFill!.fee > 0n);

    const alerts = await waitFor("the fee-asset alert", () => (rig.alerts("VENUE_FEE_ASSET").length > 0 ? rig.alerts("VENUE_FEE_ASSET") : undefined));
    assert.equal(alerts.length, 1);
    assert.match(rig.venue.blocksNewExposure() ?? "", /BNB.*restart/);

    // A third fill in BNB: booked the same way, no second alert, still blocked.
    const third = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    await waitFor("the third fill", () => rig.fillsOf(third).length > 0);
    assert.equal(rig.alerts("VENUE_FEE_ASSET").length, 1, "alerted once");
    assert.match(rig.venue.blocksNewExposure() ?? "", /BNB/);
    assert.deepEqual(rig.refused, []);
  });
});
