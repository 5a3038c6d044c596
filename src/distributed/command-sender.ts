/**
 * The sending end of the command bus, for any process (`hean ctl`, the fleet risk process, the
 * fleet API): add a command to an engine's stream, then (optionally) wait for its outcome on
 * the engine's results stream. A command added while the engine is down waits in the stream and
 * applies when the engine returns (stop/flatten/cancel-all always; others within their TTL).
 */
import { HeanError } from "../core/errors.ts";
import { type BusCommand, encodeCommandEntry } from "./command-entry.ts";
import { ensureCommandGroup } from "./command-consumer.ts";
import { keys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";
import { flatFields, type StreamEntry } from "./stream-reply.ts";

/** Commands kept per engine stream (approximate trim); far more than any outage queues. */
export const COMMANDS_MAX_LEN = 10_000;

export interface BusOutcome {
  readonly engineId: string;
  readonly commandId: string;
  readonly ok: boolean;
  readonly duplicate: boolean;
  readonly message: string;
  /** COMMAND_CONFLICT, COMMAND_EXPIRED, COMMAND_INVALID when refused before applying. */
  readonly code: string | undefined;
}

/** Redis' clock as a stream id: results added after this moment have larger ids. */
export async function redisNowId(link: RedisLink): Promise<string> {
  const time = await link.send(["TIME"]);
  if (!Array.isArray(time)) throw new HeanError("REDIS_UNAVAILABLE", "Redis TIME gave no answer", {});
  return `${Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000) - 1}-0`;
}

/** Adds the command; returns its stream id. */
const groupsMade = new WeakMap<RedisLink, Set<string>>();

export async function sendCommand(link: RedisLink, engineId: string, command: BusCommand): Promise<string> {
  // The group exists before the first command, so an engine that never ran yet reads it from id 0.
  const made = groupsMade.get(link) ?? new Set<string>();
  groupsMade.set(link, made);
  if (!made.has(engineId)) {
    await ensureCommandGroup(link, engineId);
    made.add(engineId);
  }
  const id = await link.send(["XADD", keys.commands(engineId), "MAXLEN", "~", COMMANDS_MAX_LEN, "*", ...flatFields(encodeCommandEntry(command))]);
  return String(id);
}

/**
 * Waits for the outcomes of `wanted` (engineId → commandId) on the engines' results streams,
 * reading from `sinceId`, until all answered or `timeoutMs` passed. Returns what arrived.
 * Uses blocking reads: give it a link of its own if other work shares the process.
 */
export async function waitOutcomes(link: RedisLink, wanted: ReadonlyMap<string, string>, sinceId: string, timeoutMs: number): Promise<Map<string, BusOutcome>> {
  const got = new Map<string, BusOutcome>();
  const cursors = new Map<string, string>([...wanted.keys()].map((e) => [e, sinceId]));
  const deadline = Date.now() + timeoutMs;
  while (got.size < wanted.size) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const pending = [...wanted.keys()].filter((e) => !got.has(e));
    const reply = await link.send(["XREAD", "COUNT", 100, "BLOCK", Math.max(1, Math.min(left, 1_000)), "STREAMS", ...pending.map(keys.results), ...pending.map((e) => cursors.get(e)!)]);
    if (!Array.isArray(reply)) continue;
    for (const stream of reply) {
      if (!Array.isArray(stream) || typeof stream[0] !== "string") continue;
      const engineId = pending.find((e) => keys.results(e) === stream[0]);
      if (engineId === undefined) continue;
      const entries = Array.isArray(stream[1]) ? stream[1] : [];
      for (const raw of entries) {
        const entry = toResultEntry(raw);
        if (entry === undefined) continue;
        cursors.set(engineId, entry.id);
        if (entry.fields["commandId"] === wanted.get(engineId)) got.set(engineId, toOutcome(engineId, entry));
      }
    }
  }
  return got;
}

function toResultEntry(raw: unknown): StreamEntry | undefined {
  if (!Array.isArray(raw) || typeof raw[0] !== "string" || !Array.isArray(raw[1])) return undefined;
  const fields: Record<string, string> = {};
  const list = raw[1] as unknown[];
  for (let i = 0; i + 1 < list.length; i += 2) fields[String(list[i])] = String(list[i + 1]);
  return { id: raw[0], fields };
}

function toOutcome(engineId: string, entry: StreamEntry): BusOutcome {
  const f = entry.fields;
  return {
    engineId,
    commandId: f["commandId"] ?? "",
    ok: f["ok"] === "1",
    duplicate: f["duplicate"] === "1",
    message: f["message"] ?? "",
    code: f["code"],
  };
}
