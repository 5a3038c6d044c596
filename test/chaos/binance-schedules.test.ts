/** Seeded random fault schedules (schedules.ts) for Binance USD-M: at least 50 per CI run, Binance's faults (listen-key expiry, 418 bans, pu breaks). */
import { describe } from "node:test";
import { binanceLiveMissing } from "./binance.ts";
import { seededSchedules } from "./schedules.ts";
import { BINANCE } from "./venues.ts";

describe("binance chaos", { skip: binanceLiveMissing() }, () => {
  seededSchedules(BINANCE, { count: Number(process.env.HEAN_CHAOS_BINANCE_SCHEDULES ?? 50), firstSeed: Number(process.env.HEAN_CHAOS_BINANCE_SEED ?? 9000), lanes: 3 });
});
