/**
 * Bybit's listing of linear instruments (`GET /v5/market/instruments-info`, public, all pages),
 * parsed strictly into hean's instruments. Shared by the live adapter and paper trading.
 */
import type { Instrument } from "../../core/instrument.ts";
import { parseInstrument, readList } from "./wire.ts";

/** A public GET answering the checked `result` of a successful answer (throws otherwise). */
export type PublicRead = (path: string, params: Readonly<Record<string, string | number>>) => Promise<unknown>;

/** Far more than Bybit lists at 1000 a page; a cursor that never ends must not loop forever. */
const MAX_PAGES = 20;

export async function fetchInstruments(read: PublicRead): Promise<Instrument[]> {
  const out: Instrument[] = [];
  let cursor = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = { category: "linear", status: "Trading", limit: 1000 };
    const result = await read("/v5/market/instruments-info", cursor === "" ? params : { ...params, cursor });
    // The answer was checked item by item (`checkAnswer`) before it got here.
    const { list, cursor: next } = readList(result);
    out.push(...list.map(parseInstrument));
    if (next === "" || list.length === 0) break;
    cursor = next;
  }
  return out;
}
