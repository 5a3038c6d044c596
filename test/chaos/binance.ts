/**
 * Whether this tree has the Binance live adapter (`hean run --venue binance --mode live`): the
 * Binance chaos files run only then, so a tree between the simulator and the adapter stays
 * green; once the adapter is registered they run and can fail like any other test.
 */
import { venueEntry } from "../../src/venues/registry.ts";

export function binanceLiveMissing(): string | false {
  try {
    return venueEntry("binance").loadLive === undefined ? "the Binance live adapter is not in this tree" : false;
  } catch {
    return "the Binance live adapter is not in this tree";
  }
}
