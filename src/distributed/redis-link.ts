/**
 * One connection to Redis with an up/down state hean can act on. Redis being down is an ordinary
 * condition, not a crash: the client reconnects with backoff forever, commands sent while it is
 * down fail at once (no offline queue, so nothing is silently delayed and replayed later), and
 * whoever needs Redis waits for `up` again. Blocking reads get their own connection (`duplicate`).
 *
 * Commands go out raw (`send`): hean reads the stream replies itself (`stream-reply.ts`), which
 * keeps the wire format visible and independent of the client's reply mapping.
 */
import { createClient, ErrorReply } from "redis";
import { HeanError, describeError } from "../core/errors.ts";
import type { Secret } from "../core/secrets.ts";
import type { Logger } from "../observability/logger.ts";

export type RedisReply = string | number | null | RedisReply[];

type Client = ReturnType<typeof createClient>;

export interface RedisLinkOptions {
  readonly url: Secret;
  /** Shown in Redis' CLIENT LIST and in logs. */
  readonly name: string;
  readonly logger?: Logger;
  /** Called whenever the link goes up or down. */
  readonly onChange?: (up: boolean) => void;
  /**
   * Called with the reason when the link fails to come up: once while it has never been up (a
   * Redis down at start, refused credentials, a wrong host), else once per outage. A link that
   * never comes up changes nothing `onChange` would hear of.
   */
  readonly onFailure?: (reason: string) => void;
}

const MAX_BACKOFF_MS = 2_000;

export class RedisLink {
  readonly name: string;
  readonly #client: Client;
  readonly #options: RedisLinkOptions;
  #up = false;
  #closed = false;
  #waiters: (() => void)[] = [];
  #downSince: number | undefined = Date.now();
  #lastError: string | undefined;
  /** The current outage's failure was told (log, onFailure); reset when the link comes up. */
  #failureTold = false;

  private constructor(options: RedisLinkOptions) {
    this.#options = options;
    this.name = options.name;
    this.#client = createClient({
      url: options.url.reveal(),
      name: options.name.replace(/[^A-Za-z0-9._-]/g, "_"),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        // Reconnect forever, with backoff: Redis coming back is the normal end of an outage.
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), MAX_BACKOFF_MS),
      },
    });
    // Without an error listener the client's errors would crash the process.
    this.#client.on("error", (e: unknown) => {
      const reason = describeError(e).message;
      this.#lastError = reason;
      if (this.#up) options.logger?.warn({ link: this.name, err: reason }, "Redis connection lost");
      else if (!this.#failureTold && !this.#closed) {
        // Before this, a Redis that never answered (down at start, a refused password) was said nowhere.
        this.#failureTold = true;
        options.logger?.warn({ link: this.name, err: reason }, "Redis cannot be reached; retrying");
        options.onFailure?.(reason);
      }
      this.#set(false);
    });
    this.#client.on("ready", () => this.#set(true));
    this.#client.on("end", () => this.#set(false));
    this.#client.on("reconnecting", () => this.#set(false));
  }

  /** Start connecting; resolves at once (Redis may be down now and up later). */
  static open(options: RedisLinkOptions): RedisLink {
    const link = new RedisLink(options);
    link.#client.connect().catch((e: unknown) => {
      if (!link.#closed) options.logger?.warn({ link: link.name, err: describeError(e).message }, "Redis connect failed; retrying");
    });
    return link;
  }

  /** Open and wait until Redis answers (CLI tools: no Redis, nothing to do). */
  static async connect(options: RedisLinkOptions, timeoutMs: number): Promise<RedisLink> {
    const link = RedisLink.open(options);
    if (!(await link.waitUp(timeoutMs))) {
      await link.close();
      const why = link.#lastError === undefined ? "" : ` (${link.#lastError})`;
      throw new HeanError("REDIS_UNAVAILABLE", `Redis did not answer within ${timeoutMs} ms${why}`, { link: options.name });
    }
    return link;
  }

  get up(): boolean {
    return this.#up;
  }

  /** The last connection error's message (why the link is down), if any. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** When the link went down (ms), or undefined while up. */
  get downSince(): number | undefined {
    return this.#downSince;
  }

  /** A second connection to the same Redis (for blocking reads). */
  duplicate(name: string, onChange?: (up: boolean) => void): RedisLink {
    const { onChange: _ignored, onFailure: _alsoIgnored, ...rest } = this.#options;
    return RedisLink.open({ ...rest, name, ...(onChange !== undefined ? { onChange } : {}) });
  }

  /** Send one command; rejects with REDIS_UNAVAILABLE when the link is down. */
  async send(args: readonly (string | number)[]): Promise<RedisReply> {
    if (!this.#up) throw new HeanError("REDIS_UNAVAILABLE", `Redis is down (${this.name})`, { link: this.name });
    try {
      return (await this.#client.sendCommand(args.map(String))) as RedisReply;
    } catch (e) {
      if (isReplyError(e)) throw e;
      throw new HeanError("REDIS_UNAVAILABLE", `Redis command ${String(args[0])} failed: ${describeError(e).message}`, { link: this.name }, { cause: e });
    }
  }

  /** Resolves true once the link is up, false after `timeoutMs` or when closed. */
  waitUp(timeoutMs: number): Promise<boolean> {
    if (this.#up) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.#up);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push(done);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#set(false);
    try {
      this.#client.destroy();
    } catch {
      /* already closed */
    }
  }

  #set(up: boolean): void {
    if (this.#closed && up) return;
    if (up === this.#up) return;
    this.#up = up;
    this.#downSince = up ? undefined : Date.now();
    if (up) this.#failureTold = false;
    this.#options.onChange?.(up);
    if (up || this.#closed) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    }
  }
}

/** An error Redis answered with (a refused command), as opposed to a lost connection. */
export function isReplyError(e: unknown): e is Error {
  return e instanceof ErrorReply;
}
