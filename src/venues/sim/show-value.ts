/**
 * Any input as text for a rejection message. Inputs may be anything a protocol layer parsed from
 * JSON (or worse), and `String(x)` / `JSON.stringify(x)` can throw on some of them: this never does.
 */
import { type Dec, format } from "../../core/decimal.ts";

export function showValue(value: unknown): string {
  try {
    if (typeof value === "bigint") return format(value as Dec);
    if (typeof value === "string") return value;
    if (typeof value !== "object" && typeof value !== "function") return String(value);
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "[unprintable]";
    }
  }
}
