/**
 * Bybit's public market context for the context producer (`hean context --venue bybit`):
 * funding rate, open interest and mark price from `GET /v5/market/tickers?category=linear`.
 * What the answer lacks or spells wrongly is left out (the producer publishes a partial payload),
 * never guessed.
 */
import { HeanError } from "../../core/errors.ts";

export const BYBIT_CONTEXT_REST = "https://api.bybit.com";

const DECIMAL = /^-?\d+(\.\d+)?$/;

export async function fetchBybitContext(restUrl: string, symbol: string, timeoutMs: number): Promise<Record<string, number>> {
  const url = `${restUrl.replace(/\/$/, "")}/v5/market/tickers?category=linear&symbol=${encodeURIComponent(symbol)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new HeanError("VENUE_UNAVAILABLE", `bybit tickers answered HTTP ${res.status}`, { status: res.status, symbol });
  const body = (await res.json()) as { retCode?: unknown; retMsg?: unknown; result?: { list?: unknown } };
  if (body.retCode !== 0) throw new HeanError("VENUE_REJECTED", `bybit tickers: ${String(body.retMsg)}`, { retCode: describe(body.retCode), symbol });
  const list = Array.isArray(body.result?.list) ? body.result.list : [];
  const item = list.find((x: unknown) => typeof x === "object" && x !== null && (x as { symbol?: unknown }).symbol === symbol) as Record<string, unknown> | undefined;
  if (item === undefined) throw new HeanError("VENUE_PROTOCOL", `bybit tickers lists no ${symbol}`, { symbol });
  const out: Record<string, number> = {};
  for (const [from, to] of [["fundingRate", "fundingRate"], ["openInterest", "openInterest"], ["markPrice", "markPrice"]] as const) {
    const v = item[from];
    if (typeof v === "string" && DECIMAL.test(v)) out[to] = Number(v);
  }
  return out;
}

const describe = (v: unknown): string => (typeof v === "number" || typeof v === "string" ? String(v) : typeof v);
