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
