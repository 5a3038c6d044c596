/** Seeded random fault schedules (schedules.ts) for Bybit: at least 50 per CI run, two lanes. */
import { seededSchedules } from "./schedules.ts";
import { BYBIT } from "./venues.ts";

seededSchedules(BYBIT, { count: Number(process.env.HEAN_CHAOS_SCHEDULES ?? 50), firstSeed: Number(process.env.HEAN_CHAOS_SEED ?? 5000), lanes: 2 });
