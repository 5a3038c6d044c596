/**
 * Paper trading on Bybit's market data: its public streams and public instrument listing, and
 * nothing else. No keys are read and no signer is built; no private endpoint is ever called.
 * Orders fill in the in-process matching engine (`venues/sim/paper-venue.ts`).
 */
import type { Clock } from "../../core/clock.ts";
import { HeanError } from "../../core/errors.ts";
import type { HeanConfig } from "../../config/config.ts";
import { type MarketFeed, PaperVenue } from "../sim/paper-venue.ts";
import type { Venue } from "../../execution/venue-port.ts";
import { fetchInstruments, type PublicRead } from "./instruments.ts";
import { PublicStream } from "./public-stream.ts";
import { checkAnswer, parseEnvelope } from "./wire.ts";

export function createPaperBybitVenue(config: HeanConfig, clock: Clock): Venue {
  const block = config.venues.bybit;
  const baseUrl = block.restUrl.replace(/\/+$/, "");
  let stream: PublicStream | undefined;
  const feed: MarketFeed = {
    instruments: () => fetchInstruments(publicRead(baseUrl, block.requestTimeoutMs)),
    start: (emit, alert) => {
      stream ??= new PublicStream({
        url: block.wsPublicUrl,
        symbols: config.symbols,
        tuning: block,
        clock,
        random: Math.random,
        emit,
        alert: (severity, code, message, context) => alert({ type: "alert", ts: clock.now(), severity, code, message, context }),
        onMalformed: (error) =>
          alert({ type: "alert", ts: clock.now(), severity: "warning", code: "VENUE_MALFORMED_MESSAGE", message: `Bybit public stream: ${error.message}`, context: { stream: "public" } }),
      });
      stream.start();
    },
    stop: async () => {
      await stream?.stop();
    },
  };
  return new PaperVenue({ id: "bybit", feed, clock, symbols: config.symbols, startingBalance: config.initialCash });
}

/** An unsigned GET: the answer's `result`, held to the wire's rules; a refusal or a bad answer throws. */
function publicRead(baseUrl: string, timeoutMs: number): PublicRead {
  return async (path, params) => {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
    let text: string;
    try {
      const res = await fetch(`${baseUrl}${path}?${query}`, { signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (e) {
      throw new HeanError("VENUE_UNAVAILABLE", `GET ${path} failed: ${e instanceof Error ? e.message : String(e)}`, { path });
    }
    const envelope = parseEnvelope(text);
    if (envelope.retCode !== 0) throw new HeanError("VENUE_REJECTED", `GET ${path} refused: ${envelope.retCode} ${envelope.retMsg}`, { path, retCode: envelope.retCode });
    checkAnswer(path, envelope.result);
    return envelope.result;
  };
}
