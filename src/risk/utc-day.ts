/**
 * The UTC day, for the daily loss limit and wall-clock horizons. Pure: time is always passed in.
 */
export const DAY_MS = 86_400_000;

/** 00:00 UTC of the day containing `ms` (ms since the epoch). */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * The equity a daily loss is measured from. Equity only changes on events, so the equity at
 * 00:00 UTC is the last equity seen before the first event of the new day: the anchor keeps it.
 */
export interface DayAnchor {
  /** 00:00 UTC of the day the anchor belongs to. */
  readonly dayStart: number;
  readonly dayStartEquity: number;
  /** The most recent equity seen (becomes the next day's start). */
  readonly lastEquity: number;
}

/**
 * Call on every equity change with the new equity. The first call starts the day at the equity
 * given; a call in a later UTC day starts that day at the equity before this change (days
 * without any event in between carry the same equity, so skipping them changes nothing).
 */
export function updateDayAnchor(anchor: DayAnchor | undefined, now: number, equity: number): DayAnchor {
  const day = utcDayStart(now);
  if (anchor === undefined) return { dayStart: day, dayStartEquity: equity, lastEquity: equity };
  if (day > anchor.dayStart) return { dayStart: day, dayStartEquity: anchor.lastEquity, lastEquity: equity };
  return { dayStart: anchor.dayStart, dayStartEquity: anchor.dayStartEquity, lastEquity: equity };
}
