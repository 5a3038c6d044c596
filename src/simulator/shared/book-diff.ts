/**
 * Order-book levels as wire strings, and the delta between what a stream last sent and the book
 * now: new or changed sizes, and "0" for prices that are gone.
 */
export type WireLevel = [string, string];

export function diffLevels(sent: ReadonlyMap<string, string>, now: readonly WireLevel[]): WireLevel[] {
  const out: WireLevel[] = [];
  const seen = new Set<string>();
  for (const [price, qty] of now) {
    seen.add(price);
    if (sent.get(price) !== qty) out.push([price, qty]);
  }
  for (const price of sent.keys()) if (!seen.has(price)) out.push([price, "0"]);
  return out;
}

export function sortLevels(levels: Iterable<WireLevel>, order: "asc" | "desc"): WireLevel[] {
  // Prices are fixed-scale decimal strings of one symbol, so numeric order of the parsed value is exact enough here.
  return [...levels].sort((a, b) => (order === "asc" ? Number(a[0]) - Number(b[0]) : Number(b[0]) - Number(a[0])));
}
