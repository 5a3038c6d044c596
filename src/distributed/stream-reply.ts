/** Reading raw stream replies (RESP2 arrays) into entries: `[id, [field, value, ...]]`. */
import type { RedisReply } from "./redis-link.ts";

export interface StreamEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** One entry `[id, [f, v, f, v…]]`; a deleted entry (nil fields, from XAUTOCLAIM/XCLAIM) has no fields. */
export function toEntry(raw: RedisReply): StreamEntry | undefined {
  if (!Array.isArray(raw) || typeof raw[0] !== "string") return undefined;
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const list = raw[1];
  if (Array.isArray(list)) {
    for (let i = 0; i + 1 < list.length; i += 2) {
      const k = list[i];
      const v = list[i + 1];
      if (typeof k === "string" && typeof v === "string") fields[k] = v;
    }
  }
  return { id: raw[0], fields };
}

/** XRANGE / XREVRANGE reply. */
export function toEntries(raw: RedisReply): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const r of raw) {
    const e = toEntry(r);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** XREAD / XREADGROUP reply: `[[stream, entries], …]` or nil on timeout; entries of the first stream. */
export function readReplyEntries(raw: RedisReply): StreamEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first = raw[0];
  if (!Array.isArray(first)) return [];
  return toEntries(first[1] ?? null);
}

/** XAUTOCLAIM reply: `[nextCursor, entries, deletedIds]`. */
export function autoClaimReply(raw: RedisReply): { readonly cursor: string; readonly entries: StreamEntry[]; readonly deleted: string[] } {
  if (!Array.isArray(raw)) return { cursor: "0-0", entries: [], deleted: [] };
  const cursor = typeof raw[0] === "string" ? raw[0] : "0-0";
  const entries = toEntries(raw[1] ?? null);
  const deleted = Array.isArray(raw[2]) ? raw[2].filter((x): x is string => typeof x === "string") : [];
  return { cursor, entries, deleted };
}

/** Fields as the flat argument list XADD takes. */
export function flatFields(fields: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) out.push(k, v);
  return out;
}
