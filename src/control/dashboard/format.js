// @ts-check
/** Display formatting. Decimal strings from the engine are shown exactly (only grouped), never re-rounded. */

/** "97105.5" → "97,105.5"; keeps every decimal the engine sent. @param {string} text */
export function groupDigits(text) {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (m === null) return text;
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${m[3] ?? ""}`;
}

/** Money with two decimals and grouping. @param {string | number} value */
export function money(value) {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  return n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Money with an explicit sign. @param {string | number} value */
export function signedMoney(value) {
  const n = typeof value === "number" ? value : Number(value);
  return n > 0 ? `+${money(n)}` : money(n);
}

/** "up" / "down" / "" for colouring. @param {string | number} value */
export function trend(value) {
  const n = typeof value === "number" ? value : Number(value);
  return n > 0 ? "up" : n < 0 ? "down" : "";
}

/** @param {number} pct */
export function percent(pct) {
  return `${pct.toFixed(2)}%`;
}

/** HH:MM:SS in UTC. @param {number} ms */
export function clock(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

/** "2h 05m", "4m 10s", "12s". @param {number} ms */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Milliseconds of lag, readable. @param {number} ms */
export function lag(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`;
}

/** @param {number} n */
export function count(n) {
  return n.toLocaleString("en-US");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A time-axis label in UTC for lightweight-charts' tick mark types (0 year, 1 month, 2 day of
 * month, 3 time, 4 time with seconds): "2026", "Nov", "21 Nov", "09:05", "09:05:30". Each tick
 * says what changed at it, so a minute of seconds reads 09:05:10, 09:05:20… and a week reads
 * 21 Nov, 22 Nov… (never the same minute on every label).
 * @param {number} seconds @param {number} type
 */
export function axisLabel(seconds, type) {
  const iso = new Date(seconds * 1000).toISOString();
  const d = new Date(seconds * 1000);
  switch (type) {
    case 0:
      return String(d.getUTCFullYear());
    case 1:
      return MONTHS[d.getUTCMonth()] ?? "";
    case 2:
      return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
    case 3:
      return iso.slice(11, 16);
    default:
      return iso.slice(11, 19);
  }
}

/** Crosshair label: "21 Nov 09:05:30" UTC. @param {number} seconds */
export function crosshairTime(seconds) {
  const d = new Date(seconds * 1000);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.toISOString().slice(11, 19)}`;
}

/** "2026-11-21 09:05:30" UTC. @param {number} ms */
export function dateTime(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** A ratio that may be null (no losing trade yet: profit factor is unbounded). @param {number | null} x */
export function ratio(x) {
  return x === null ? "—" : x.toFixed(2);
}

/** Percent that may be null (no trades yet). @param {number | null} pct */
export function percentOrDash(pct) {
  return pct === null ? "—" : `${pct.toFixed(1)}%`;
}
