/**
 * An engine's presence in the fleet: every `heartbeatMs` it writes its status to
 * `hean:engine:<engineId>` (a hash that expires after three missed beats) and its last beat to
 * the registry `hean:engines`. `hean ctl`, `hean fleet` and the fleet risk process read these:
 * an engine whose hash is gone is down (its commands wait in its stream until it returns).
 */
import { hostname } from "node:os";
import { describeError } from "../core/errors.ts";
import type { PositionView, StatusView } from "../control/engine-view.ts";
import type { Logger } from "../observability/logger.ts";
import { keys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";

export interface EngineBeat {
  readonly engineId: string;
  readonly host: string;
  readonly pid: number;
  readonly ts: number;
  readonly apiUrl: string | null;
  readonly journalSeq: number;
  readonly publishedSeq: number;
  readonly status: StatusView;
  readonly positions: readonly PositionView[];
}

export interface HeartbeatOptions {
  readonly engineId: string;
  readonly link: RedisLink;
  readonly intervalMs: number;
  readonly beat: () => Omit<EngineBeat, "engineId" | "host" | "pid" | "ts">;
  readonly logger?: Logger;
}

export class Heartbeat {
  readonly #o: HeartbeatOptions;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: HeartbeatOptions) {
    this.#o = options;
  }

  start(): void {
    void this.beat();
    this.#timer = setInterval(() => void this.beat(), this.#o.intervalMs);
  }

  /** Writes one beat now; false when Redis did not take it. */
  async beat(): Promise<boolean> {
    const { link, engineId, intervalMs } = this.#o;
    if (!link.up || this.#closed) return false;
    try {
      const b: EngineBeat = { engineId, host: hostname(), pid: process.pid, ts: Date.now(), ...this.#o.beat() };
      const key = keys.heartbeat(engineId);
      await Promise.all([
        link.send(["HSET", key, "beat", JSON.stringify(b), "ts", b.ts]),
        link.send(["PEXPIRE", key, intervalMs * 3]),
        link.send(["ZADD", keys.registry, b.ts, engineId]),
      ]);
      return true;
    } catch (e) {
      if (link.up) this.#o.logger?.warn({ err: describeError(e).message }, "heartbeat failed");
      return false;
    }
  }

  /** Stop beating and say so: the hash goes at once, the registry keeps the engine (it may return). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#o.link.up) await this.#o.link.send(["DEL", keys.heartbeat(this.#o.engineId)]).catch(() => undefined);
  }
}

/** Every registered engine with its last beat (undefined: down, no beat within three intervals). */
export async function readFleet(link: RedisLink): Promise<{ readonly engineId: string; readonly lastSeen: number; readonly beat: EngineBeat | undefined }[]> {
  const ids = await link.send(["ZRANGE", keys.registry, 0, -1, "WITHSCORES"]);
  const list: { engineId: string; lastSeen: number }[] = [];
  if (Array.isArray(ids)) for (let i = 0; i + 1 < ids.length; i += 2) list.push({ engineId: String(ids[i]), lastSeen: Number(ids[i + 1]) });
  const beats = await Promise.all(list.map((e) => link.send(["HGET", keys.heartbeat(e.engineId), "beat"])));
  return list.map((e, i) => {
    const raw = beats[i];
    let beat: EngineBeat | undefined;
    if (typeof raw === "string") {
      try {
        beat = JSON.parse(raw) as EngineBeat;
      } catch {
        beat = undefined;
      }
    }
    return { ...e, beat };
  });
}
