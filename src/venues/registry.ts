/**
 * Every venue hean can run on, by id. The runtime and the CLI pick a venue here and never name an
 * exchange's folder: a live venue's wire code is loaded lazily, only for confirmed live trading,
 * so a paper run never even loads the code that signs orders.
 *
 * Each live venue has its own config block (`venues.<id>`) and its own secrets
 * (`HEAN_<ID>_API_KEY` / `HEAN_<ID>_API_SECRET`, or their `_FILE` twins).
 */
import { HeanError } from "../core/errors.ts";
import { type Mode, VENUE_NAMES, type VenueName } from "../config/config.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../core/instrument.ts";
import { readSecret } from "../core/secrets.ts";
import { BINANCE_BUILTIN_INSTRUMENTS } from "./binance/builtin-instruments.ts";
import type { LiveCredentials, LiveVenueFactory, PaperVenueFactory } from "./venue.ts";

export interface VenueEntry {
  readonly id: VenueName;
  readonly modes: readonly Mode[];
  /** Environment variables holding this venue's secrets (empty: none). */
  readonly secrets: readonly string[];
  /** The live adapter, loaded on demand. */
  readonly loadLive?: () => Promise<LiveVenueFactory>;
  /** Paper trading on this venue's public market data, loaded on demand (never the signing code). */
  readonly loadPaper?: () => Promise<PaperVenueFactory>;
  /** The venue's rules for the built-in symbols, where its listing is not at hand (backtests). */
  readonly builtinInstruments: readonly Instrument[];
}

const ENTRIES: Readonly<Record<VenueName, VenueEntry>> = {
  sim: { id: "sim", modes: ["paper"], secrets: [], builtinInstruments: BUILTIN_INSTRUMENTS },
  bybit: {
    id: "bybit",
    modes: ["paper", "live"],
    secrets: ["HEAN_BYBIT_API_KEY", "HEAN_BYBIT_API_SECRET"],
    loadLive: async () => (await import("./bybit/live.ts")).createLiveBybitVenue,
    loadPaper: async () => (await import("./bybit/paper.ts")).createPaperBybitVenue,
    builtinInstruments: BUILTIN_INSTRUMENTS,
  },
  binance: {
    id: "binance",
    modes: ["paper", "live"],
    secrets: ["HEAN_BINANCE_API_KEY", "HEAN_BINANCE_API_SECRET"],
    loadLive: async () => (await import("./binance/live.ts")).createLiveBinanceVenue,
    loadPaper: async () => (await import("./binance/paper.ts")).createPaperBinanceVenue,
    builtinInstruments: BINANCE_BUILTIN_INSTRUMENTS,
  },
};

export function knownVenues(): readonly VenueName[] {
  return VENUE_NAMES;
}

export function venueEntry(id: string): VenueEntry {
  const entry = (ENTRIES as Record<string, VenueEntry | undefined>)[id];
  if (entry === undefined) throw new HeanError("CONFIG_INVALID", `unknown venue ${JSON.stringify(id)} (known: ${VENUE_NAMES.join(", ")})`, { venue: id, known: VENUE_NAMES });
  return entry;
}

/** Every secret any venue reads (registered with the log scrubber before the first log line). */
export function venueSecretNames(): readonly string[] {
  return VENUE_NAMES.flatMap((id) => ENTRIES[id].secrets);
}

/** The venue's API key and secret from the environment; missing ones are named (never their values). */
export function readVenueCredentials(id: string, env: NodeJS.ProcessEnv = process.env): LiveCredentials {
  const [keyName, secretName] = venueEntry(id).secrets;
  if (keyName === undefined || secretName === undefined) throw new HeanError("CONFIG_INVALID", `venue ${id} takes no API keys`, { venue: id });
  const apiKey = readSecret(keyName, env);
  const apiSecret = readSecret(secretName, env);
  if (apiKey === undefined || apiSecret === undefined) {
    const missing = [apiKey === undefined ? keyName : "", apiSecret === undefined ? secretName : ""].filter((s) => s !== "");
    throw new HeanError("CONFIG_INVALID", `live trading on ${id} needs ${missing.join(" and ")} (or ${missing.map((m) => `${m}_FILE`).join(" / ")})`, { missing });
  }
  return { apiKey, apiSecret };
}
