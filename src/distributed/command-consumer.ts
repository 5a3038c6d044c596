/**
 * The engine's end of the command bus: `hean:<engineId>:commands`, consumer group `engine`.
 *
 * For every entry, in order: decode (a malformed entry goes to the dead stream with its reason),
 * check its age (risk-adding commands only within their TTL), hand it to the engine, wait until
 * the command and its outcome are durable in the journal, publish the outcome on the results
 * stream, and only then XACK. A crash anywhere before the XACK leaves the entry pending; another
 * consumer (this engine after a restart) reclaims it with XAUTOCLAIM once it has been idle for
 * `claimIdleMs`, and the engine, which keeps every commandId in its journaled state, answers it
 * as a duplicate: applied once, whatever the redeliveries. A commandId reused with another
 * payload is refused (COMMAND_CONFLICT) and acknowledged; nothing runs. An entry whose handling
 * keeps failing moves to `…:commands:dead` after `maxDeliveries` deliveries.
 */
import { hostname } from "node:os";
import { describeError, isHeanError } from "../core/errors.ts";
import type { CommandOutcome, CommandRequest } from "../control/engine-view.ts";
import type { Logger } from "../observability/logger.ts";
import { ALWAYS_APPLY, type BusCommand, decodeCommandEntry, expired } from "./command-entry.ts";
import { COMMAND_GROUP, keys, streamIdMs } from "./keys.ts";
import { isReplyError, type RedisLink } from "./redis-link.ts";
import { autoClaimReply, readReplyEntries, type StreamEntry } from "./stream-reply.ts";

export interface CommandTarget {
  /** The symbols the engine trades (commands are validated against them). */
  symbols(): readonly string[];
  /** Journal the command, apply it, journal its outcome; idempotent by commandId. */
  submit(request: CommandRequest): Promise<CommandOutcome>;
  /** Resolves once everything journaled so far is durable. */
  durable(): Promise<void>;
  /** A command refused before it reached the engine (expired, malformed, dead): raised as an alert. */
  refused(code: string, message: string, context: Record<string, unknown>): void;
}

export interface CommandConsumerOptions {
  readonly engineId: string;
  /** A blocking connection of its own (XREADGROUP BLOCK holds it). */
  readonly link: RedisLink;
  readonly target: CommandTarget;
  readonly claimIdleMs: number;
  readonly maxDeliveries: number;
  readonly commandTtlMs: number;
  readonly resultsMaxLen: number;
  /** How long the engine may take to journal a command's outcome before the try counts as failed. */
  readonly submitTimeoutMs?: number;
  readonly logger?: Logger;
  /** Fault injection for tests: called after the outcome is durable, before the XACK. */
  readonly beforeAck?: (commandId: string) => Promise<void> | void;
}

export interface ConsumerStats {
  applied: number;
  duplicates: number;
  conflicts: number;
  expired: number;
  dead: number;
  reclaimed: number;
}

const BATCH = 32;

export class CommandConsumer {
  readonly consumer: string;
  readonly stats: ConsumerStats = { applied: 0, duplicates: 0, conflicts: 0, expired: 0, dead: 0, reclaimed: 0 };
  readonly #o: CommandConsumerOptions;
  readonly #stream: string;
  #closed = false;
  #loop: Promise<void> | undefined;
  #groupReady = false;
  #claimCursor = "0-0";
  #nextClaimAt = 0;
  #handling: Promise<void> | undefined;
  #onClose: () => void = () => undefined;
  readonly #closing = new Promise<never>((_, reject) => {
    this.#onClose = () => reject(new Error("the command consumer is closing"));
  });

  constructor(options: CommandConsumerOptions) {
    this.#o = options;
    this.#stream = keys.commands(options.engineId);
    // A fresh name per process: a dead process's entries stay under its name until reclaimed.
    this.consumer = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
    // Rejected on close whether or not an entry is in hand: never an unhandled rejection.
    this.#closing.catch(() => undefined);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops after the entry in hand is answered and acknowledged (a blocked read is cut short). */
  async close(): Promise<void> {
    this.#closed = true;
    // An engine that stopped never answers: the entry in hand stays pending for the next run.
    this.#onClose();
    await this.#handling;
    await this.#o.link.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { link, logger } = this.#o;
    while (!this.#closed) {
      if (!link.up) {
        this.#groupReady = false;
        await link.waitUp(1_000);
        continue;
      }
      try {
        await this.#ensureGroup();
        if (Date.now() >= this.#nextClaimAt) await this.#reclaim();
        const block = Math.max(10, Math.min(1_000, Math.floor(this.#o.claimIdleMs / 2)));
        const reply = await link.send(["XREADGROUP", "GROUP", COMMAND_GROUP, this.consumer, "COUNT", BATCH, "BLOCK", block, "STREAMS", this.#stream, ">"]);
        for (const entry of readReplyEntries(reply)) {
          if (this.#closed) return;
          await this.#track(this.#handle(entry, false));
        }
      } catch (e) {
        if (this.#closed) return;
        if (isReplyError(e) && /NOGROUP/.test(e.message)) this.#groupReady = false;
        else logger?.warn({ err: describeError(e).message, stream: this.#stream }, "command bus read failed; retrying");
        // Wait for evidence that trying again can help: the link coming back (or a short pause when it is up).
        await link.waitUp(200);
        if (link.up) await pause(100);
      }
    }
  }

  async #ensureGroup(): Promise<void> {
    if (this.#groupReady) return;
    await ensureCommandGroup(this.#o.link, this.#o.engineId);
    this.#groupReady = true;
    this.#nextClaimAt = 0;
    await this.#forgetIdleConsumers().catch((e: unknown) => this.#o.logger?.debug({ err: describeError(e).message }, "could not list the group's consumers"));
  }

  /**
   * Every process run leaves a consumer name in the group; those of past runs with nothing
   * pending and long idle are removed (one with pending entries stays until they are reclaimed).
   */
  async #forgetIdleConsumers(): Promise<void> {
    const reply = await this.#o.link.send(["XINFO", "CONSUMERS", this.#stream, COMMAND_GROUP]);
    if (!Array.isArray(reply)) return;
    const idleLimit = Math.max(60_000, this.#o.claimIdleMs * 10);
    for (const row of reply) {
      if (!Array.isArray(row)) continue;
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < row.length; i += 2) info[String(row[i])] = row[i + 1];
      const name = info["name"];
      if (typeof name !== "string" || name === this.consumer) continue;
      if (info["pending"] === 0 && typeof info["idle"] === "number" && info["idle"] > idleLimit) {
        await this.#o.link.send(["XGROUP", "DELCONSUMER", this.#stream, COMMAND_GROUP, name]);
      }
    }
  }

  /** Entries another consumer (a crashed run of this engine) took and never acknowledged. */
  async #reclaim(): Promise<void> {
    const { link, claimIdleMs } = this.#o;
    this.#nextClaimAt = Date.now() + Math.max(10, Math.floor(claimIdleMs / 2));
    for (let round = 0; round < 10 && !this.#closed; round++) {
      const reply = autoClaimReply(await link.send(["XAUTOCLAIM", this.#stream, COMMAND_GROUP, this.consumer, claimIdleMs, this.#claimCursor, "COUNT", BATCH]));
      this.#claimCursor = reply.cursor;
      for (const entry of reply.entries) {
        if (this.#closed) return;
        this.stats.reclaimed++;
        await this.#track(this.#handle(entry, true));
      }
      if (reply.cursor === "0-0") return;
    }
  }

  #track(p: Promise<void>): Promise<void> {
    this.#handling = p.catch(() => undefined);
    return p;
  }

  async #handle(entry: StreamEntry, reclaimed: boolean): Promise<void> {
    const { target, logger, engineId } = this.#o;
    const decoded = decodeCommandEntry(entry.fields, target.symbols());
    if (!decoded.ok) {
      await this.#dead(entry, `malformed: ${decoded.reason}`, decoded.commandId);
      return;
    }
    const c = decoded.command;
    // Only commands that can add risk have an age limit: the others skip the clock read.
    if (!ALWAYS_APPLY.includes(c.command) && expired(c, await this.#ageMs(entry.id), this.#o.commandTtlMs)) {
      this.stats.expired++;
      const message = `expired: ${c.command} was sent more than ${c.ttlMs ?? this.#o.commandTtlMs} ms ago and can add risk; nothing was done`;
      target.refused("COMMAND_EXPIRED", `command ${c.commandId} ${message}`, { commandId: c.commandId, command: c.command, source: c.source, engineId });
      await this.#answer(entry, c, { commandId: c.commandId, ok: false, message, duplicate: false }, "COMMAND_EXPIRED");
      return;
    }
    let outcome: CommandOutcome;
    try {
      outcome = await withTimeout(
        (async () => {
          const o = await target.submit({ commandId: c.commandId, command: c.command, source: `redis:${c.source}`, args: c.args });
          await target.durable();
          return o;
        })(),
        this.#o.submitTimeoutMs ?? 30_000,
        this.#closing,
      );
    } catch (e) {
      if (this.#closed) return;
      if (isHeanError(e, "COMMAND_CONFLICT")) {
        this.stats.conflicts++;
        logger?.warn({ commandId: c.commandId, command: c.command, source: c.source }, "bus command refused: commandId reused for another command");
        await this.#answer(entry, c, { commandId: c.commandId, ok: false, message: describeError(e).message, duplicate: false }, "COMMAND_CONFLICT");
        return;
      }
      await this.#failed(entry, c, e);
      return;
    }
    if (outcome.duplicate) this.stats.duplicates++;
    else this.stats.applied++;
    if (reclaimed) logger?.info({ commandId: c.commandId, duplicate: outcome.duplicate }, "reclaimed a command a stopped consumer left unacknowledged");
    await this.#o.beforeAck?.(c.commandId);
    await this.#answer(entry, c, outcome, undefined);
  }

  /** Redis' clock now minus the entry's (both from Redis: no clock skew between machines). */
  async #ageMs(id: string): Promise<number> {
    const sent = streamIdMs(id) ?? 0;
    const time = await this.#o.link.send(["TIME"]);
    const now = Array.isArray(time) ? Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000) : Date.now();
    return Math.max(0, now - sent);
  }

  async #answer(entry: StreamEntry, c: BusCommand, outcome: CommandOutcome, code: string | undefined): Promise<void> {
    const { link, engineId, resultsMaxLen } = this.#o;
    const fields = ["commandId", c.commandId, "entry", entry.id, "ok", outcome.ok ? "1" : "0", "duplicate", outcome.duplicate ? "1" : "0", "message", outcome.message];
    if (code !== undefined) fields.push("code", code);
    await link.send(["XADD", keys.results(engineId), "MAXLEN", "~", resultsMaxLen, "*", ...fields]);
    await link.send(["XACK", this.#stream, COMMAND_GROUP, entry.id]);
  }

  async #failed(entry: StreamEntry, c: BusCommand, e: unknown): Promise<void> {
    const { link, logger, maxDeliveries } = this.#o;
    const reason = describeError(e).message;
    const deliveries = await this.#deliveries(entry.id).catch(() => 1);
    logger?.warn({ commandId: c.commandId, deliveries, err: reason }, "bus command failed; it stays pending for another try");
    if (deliveries >= maxDeliveries) await this.#dead(entry, `failed ${deliveries} times: ${reason}`, c.commandId);
    else if (!link.up) throw e;
  }

  async #deliveries(id: string): Promise<number> {
    const reply = await this.#o.link.send(["XPENDING", this.#stream, COMMAND_GROUP, id, id, 1]);
    const row = Array.isArray(reply) ? reply[0] : undefined;
    return Array.isArray(row) && typeof row[3] === "number" ? row[3] : 1;
  }

  async #dead(entry: StreamEntry, reason: string, commandId: string | undefined): Promise<void> {
    const { link, engineId, target, resultsMaxLen, logger } = this.#o;
    this.stats.dead++;
    const original = JSON.stringify(entry.fields);
    logger?.warn({ entry: entry.id, commandId, reason }, "bus command moved to the dead stream");
    target.refused("COMMAND_DEAD", `command entry ${entry.id} moved to ${keys.deadCommands(engineId)}: ${reason}`, { entry: entry.id, commandId, reason, engineId });
    await link.send(["XADD", keys.deadCommands(engineId), "MAXLEN", "~", resultsMaxLen, "*", "entry", entry.id, "reason", reason, "fields", original, "consumer", this.consumer]);
    if (commandId !== undefined) {
      await link.send(["XADD", keys.results(engineId), "MAXLEN", "~", resultsMaxLen, "*", "commandId", commandId, "entry", entry.id, "ok", "0", "duplicate", "0", "message", `dead: ${reason}`, "code", "COMMAND_INVALID"]);
    }
    await link.send(["XACK", this.#stream, COMMAND_GROUP, entry.id]);
  }
}

/** Create the stream and its group from the very first entry (id 0): commands sent before the engine ever ran are read too. */
export async function ensureCommandGroup(link: RedisLink, engineId: string): Promise<void> {
  try {
    await link.send(["XGROUP", "CREATE", keys.commands(engineId), COMMAND_GROUP, "0", "MKSTREAM"]);
  } catch (e) {
    if (!(isReplyError(e) && /BUSYGROUP/.test(e.message))) throw e;
  }
}

/** A stopping or wedged engine must not hold the bus forever: the entry stays pending and is tried again. */
function withTimeout<T>(promise: Promise<T>, ms: number, closing: Promise<never>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the engine did not journal an outcome within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout, closing]).finally(() => clearTimeout(timer));
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
