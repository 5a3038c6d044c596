/**
 * Live credentials and tuning from the environment: `HEAN_BYBIT_API_KEY` / `HEAN_BYBIT_API_SECRET`
 * (or their `_FILE` twins, for Docker secrets), `HEAN_BYBIT_OPTIONS` (JSON tuning, optional).
 * Values are wrapped as `Secret`s at once: they print as [redacted] and the logger scrubs them.
 */
import { HeanError } from "../../core/errors.ts";
import { readSecret } from "../../control/secrets.ts";
import type { BybitLiveInput } from "./live.ts";
import { parseBybitTuning } from "../../config/venue-config.ts";

export function readBybitLiveInput(env: NodeJS.ProcessEnv = process.env): BybitLiveInput {
  const apiKey = readSecret("HEAN_BYBIT_API_KEY", env);
  const apiSecret = readSecret("HEAN_BYBIT_API_SECRET", env);
  if (apiKey === undefined || apiSecret === undefined) {
    const missing = [apiKey === undefined ? "HEAN_BYBIT_API_KEY" : "", apiSecret === undefined ? "HEAN_BYBIT_API_SECRET" : ""].filter((s) => s !== "");
    throw new HeanError("CONFIG_INVALID", `live trading on bybit needs ${missing.join(" and ")} (or ${missing.map((m) => `${m}_FILE`).join(" / ")})`, { missing });
  }
  return { apiKey, apiSecret, tuning: parseBybitTuning(env.HEAN_BYBIT_OPTIONS) };
}
