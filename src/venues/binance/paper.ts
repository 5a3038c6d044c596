/**
 * Paper trading on Binance's market data: its public streams, public depth snapshots and public
 * exchangeInfo, and nothing else. No keys are read and no signer is built; no private endpoint is
 * ever called. Orders fill in the in-process matching engine (`venues/sim/paper-venue.ts`).
 */
import type { Clock } from "../../core/clock.ts";
import { HeanError } from "../../core/errors.ts";
import type { HeanConfig } from "../../config/config.ts";
import { queryString } from "../live/rest-client.ts";
import { type MarketFeed, PaperVenue } from "../sim/paper-venue.ts";
import type { Venue } from "../../execution/venue-port.ts";
import { PublicStream, snapshotLimit } from "./public-stream.ts";
import { parseDepthSnapshot, parseExchangeInfo, readErrorBody } from "./wire.ts";


export function createPaperBinanceVenue(config: HeanConfig, clock: Clock): Venue {
  const block = config.venues.binance;
  const read = publicRead(block.restUrl.replace(/\/+$/, ""), block.requestTimeoutMs);
  let stream: PublicStream | undefined;
  const feed: MarketFeed = {
    instruments: async () => parseExchangeInfo(await read("/fapi/v1/exchangeInfo", {})),
    start: (emit, alert) => {
      stream ??= new PublicStream({
        url: block.wsPublicUrl,
        symbols: config.symbols,
        tuning: block,
        clock,
        random: Math.random,
        snapshot: async (symbol) => parseDepthSnapshot(await read("/fapi/v1/depth", { symbol, limit: snapshotLimit(block.bookDepth) })),
        emit,
        alert: (severity, code, message, context) => alert({ type: "alert", ts: clock.now(), severity, code, message, context }),
        onMalformed: (error) =>
          alert({ type: "alert", ts: clock.now(), severity: "warning", code: "VENUE_MALFORMED_MESSAGE", message: `Binance public stream: ${error.message}`, context: { stream: "public" } }),
      });
      stream.start();
    },
    stop: async () => {
      await stream?.stop();
    },
  };
  return new PaperVenue({ id: "binance", feed, clock, symbols: config.symbols, startingBalance: config.initialCash });
}

/** An unsigned GET: the parsed answer; a refusal or an unreadable answer throws. */
function publicRead(baseUrl: string, timeoutMs: number): (path: string, params: Readonly<Record<string, string | number>>) => Promise<unknown> {
  return async (path, params) => {
    const query = queryString(params);
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${baseUrl}${path}${query === "" ? "" : `?${query}`}`, { signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw new HeanError("VENUE_UNAVAILABLE", `GET ${path} failed: ${e instanceof Error ? e.message : String(e)}`, { path });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HeanError(status === 200 ? "VENUE_PROTOCOL" : "VENUE_UNAVAILABLE", `GET ${path}: unreadable answer (HTTP ${status})`, { path, status });
    }
    const error = readErrorBody(parsed);
    if (status !== 200 || error !== undefined) {
      throw new HeanError(status >= 500 || status === 429 || status === 418 ? "VENUE_UNAVAILABLE" : "VENUE_REJECTED", `GET ${path} refused: HTTP ${status} ${error === undefined ? "" : `${error.code} ${error.msg}`}`.trim(), { path, status });
    }
    return parsed;
  };
}
