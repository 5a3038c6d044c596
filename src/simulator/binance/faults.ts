/**
 * Binance's fault set: every fault the Bybit simulator takes (src/simulator/shared/faults.ts;
 * `bookGaps` is the depth `pu` break: a lost diff makes the next event's `pu` differ from the
 * last `u` delivered), plus what only Binance has: `expireListenKeys` (one-shot: every listen
 * key expires now and its streams get `listenKeyExpired`), `http418: n` (the next n REST
 * calls get an IP ban answer) and `retryAfterS` (the `Retry-After` the injected 429s and 418s
 * carry: Binance's own are up to a minute for 429 and minutes to days for a ban; a fault test that
 * must stay short asks for seconds).
 */
import { parseFaults, type FaultSpec } from "../shared/faults.ts";

export interface BinanceExtras {
  readonly expireListenKeys: boolean;
  readonly http418: number;
  /** `Retry-After` of injected 429s and 418s (undefined: 60 and 120 s). */
  readonly retryAfterS: number | undefined;
}

export const NO_EXTRAS: BinanceExtras = { expireListenKeys: false, http418: 0, retryAfterS: undefined };

export type BinanceFaultParse =
  | { readonly ok: true; readonly spec: FaultSpec; readonly extras: BinanceExtras }
  | { readonly ok: false; readonly error: string };

export function parseBinanceFaults(input: unknown): BinanceFaultParse {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return { ok: false, error: "faults must be a JSON object" };
  const { expireListenKeys, http418, retryAfterS, ...shared } = input as Record<string, unknown>;
  if (expireListenKeys !== undefined && typeof expireListenKeys !== "boolean") return { ok: false, error: "expireListenKeys must be a boolean" };
  if (http418 !== undefined && (typeof http418 !== "number" || !Number.isInteger(http418) || http418 < 0 || http418 > 1_000_000)) {
    return { ok: false, error: `http418 must be an integer in [0, 1000000], got ${JSON.stringify(http418)}` };
  }
  if (retryAfterS !== undefined && (typeof retryAfterS !== "number" || !Number.isInteger(retryAfterS) || retryAfterS < 0 || retryAfterS > 259_200)) {
    return { ok: false, error: `retryAfterS must be an integer in [0, 259200], got ${JSON.stringify(retryAfterS)}` };
  }
  const parsed = parseFaults(shared);
  if (!parsed.ok) return parsed;
  return { ok: true, spec: parsed.spec, extras: { expireListenKeys: expireListenKeys ?? false, http418: http418 ?? 0, retryAfterS } };
}
