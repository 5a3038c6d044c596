/**
 * The human form of a log line (`--log-format pretty`, the default on a terminal): local-free
 * UTC time, level, message, then the line's own fields as key=value. It formats the JSON line
 * pino wrote, after the scrubber ran on it, so a pretty line hides secrets exactly as the JSON
 * line does. Our own small module rather than pino-pretty: no transport thread, no extra
 * dependency, nothing that could reorder or drop lines.
 */
import type { DestinationStream } from "pino";

export type LogFormat = "pretty" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["pretty", "json"];

/** Fields every line carries that a person reading a terminal does not need on each line. */
const QUIET_FIELDS = new Set(["time", "level", "msg", "service", "pid", "hostname"]);

const LEVEL_COLOUR: Readonly<Record<string, string>> = { fatal: "\x1b[41;97m", error: "\x1b[31m", warn: "\x1b[33m", info: "\x1b[32m", debug: "\x1b[36m", trace: "\x1b[90m" };
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";

function value(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** One JSON log line → one pretty line (a line that is not JSON passes through unchanged). */
export function prettyLine(jsonLine: string, colour = false): string {
  const text = jsonLine.endsWith("\n") ? jsonLine.slice(0, -1) : jsonLine;
  let obj: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return `${text}\n`;
    obj = parsed as Record<string, unknown>;
  } catch {
    return `${text}\n`;
  }
  const time = typeof obj["time"] === "string" ? obj["time"].slice(11, 23) : typeof obj["time"] === "number" ? new Date(obj["time"]).toISOString().slice(11, 23) : "";
  const level = String(obj["level"] ?? "").toUpperCase();
  const fields = Object.entries(obj)
    .filter(([k, v]) => !QUIET_FIELDS.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(" ");
  const msg = typeof obj["msg"] === "string" ? obj["msg"] : "";
  if (!colour) return `${time} ${level.padEnd(5)} ${msg}${fields === "" ? "" : `  ${fields}`}\n`;
  const c = LEVEL_COLOUR[String(obj["level"])] ?? "";
  return `${DIM}${time}${RESET} ${c}${level.padEnd(5)}${RESET} ${msg}${fields === "" ? "" : `  ${DIM}${fields}${RESET}`}\n`;
}

/** A destination that writes pretty lines to `out`. */
export function prettyDestination(out: { write(text: string): unknown }, colour: boolean): DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line, colour)) };
}

/** The format when none is asked for: pretty for a person at a terminal, JSON for everything else. */
export function defaultLogFormat(isTTY: boolean | undefined): LogFormat {
  return isTTY === true ? "pretty" : "json";
}
