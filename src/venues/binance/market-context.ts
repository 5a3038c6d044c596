/**
 * Binance USD-M's public market context for the context producer (`hean context --venue
 * binance`): mark price and last funding rate from `GET /fapi/v1/premiumIndex`, open interest
 * from `GET /fapi/v1/openInterest`. Each call may fail on its own: what arrived is published.
 */
import { HeanError } from "../../core/errors.ts";

export const BINANCE_CONTEXT_REST = "https://fapi.binance.com";

const DECIMAL = /^-?\d+(\.\d+)?$/;

async function getJson(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new HeanError("VENUE_UNAVAILABLE", `binance answered HTTP ${res.status} for ${new URL(url).pathname}`, { status: res.status });
  const body = (await res.json()) as unknown;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HeanError("VENUE_PROTOCOL", `binance ${new URL(url).pathname}: not an object`, {});
  return body as Record<string, unknown>;
}

export async function fetchBinanceContext(restUrl: string, symbol: string, timeoutMs: number): Promise<Record<string, number>> {
  const base = restUrl.replace(/\/$/, "");
  const q = `symbol=${encodeURIComponent(symbol)}`;
  const [premium, oi] = await Promise.allSettled([getJson(`${base}/fapi/v1/premiumIndex?${q}`, timeoutMs), getJson(`${base}/fapi/v1/openInterest?${q}`, timeoutMs)]);
  if (premium.status === "rejected" && oi.status === "rejected") throw premium.reason;
  const out: Record<string, number> = {};
  const take = (from: Record<string, unknown>, key: string, to: string): void => {
    const v = from[key];
    if (typeof v === "string" && DECIMAL.test(v)) out[to] = Number(v);
  };
  if (premium.status === "fulfilled") {
    take(premium.value, "markPrice", "markPrice");
    take(premium.value, "lastFundingRate", "fundingRate");
  }
  if (oi.status === "fulfilled") take(oi.value, "openInterest", "openInterest");
  return out;
}
