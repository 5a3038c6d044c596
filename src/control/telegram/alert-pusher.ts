/**
 * Pushes alerts to the operator's chats without ever slowing the engine or tripping Telegram's
 * rate limits: `push` only queues (it runs inside the engine's turn); a drain sends everything
 * queued as ONE message per chat, then waits `intervalMs` before the next, so an alert storm
 * becomes a few batched messages instead of hundreds of 429s. The queue is bounded; what falls
 * off is counted and reported in the next message.
 */
import { describeError } from "../../core/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import { joinWithinLimit } from "./format.ts";

export type SendText = (chatId: number, text: string) => Promise<void>;

export interface AlertPusherOptions {
  readonly send: SendText;
  readonly chatIds: readonly number[];
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly maxQueued?: number;
}

export class AlertPusher {
  readonly #send: SendText;
  readonly #chatIds: readonly number[];
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #maxQueued: number;
  #queue: string[] = [];
  #dropped = 0;
  #draining: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: AlertPusherOptions) {
    this.#send = options.send;
    this.#chatIds = options.chatIds;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#maxQueued = options.maxQueued ?? 50;
  }

  push(text: string): void {
    if (this.#stopped) return;
    this.#queue.push(text);
    if (this.#queue.length > this.#maxQueued) {
      this.#queue.shift();
      this.#dropped += 1;
    }
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Stops taking alerts and waits for a send in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue = [];
    this.#wake?.();
    await this.#draining;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#stopped) {
      const parts = this.#queue;
      this.#queue = [];
      if (this.#dropped > 0) {
        parts.unshift(`(${this.#dropped} earlier alerts were dropped: see the dashboard or the log)`);
        this.#dropped = 0;
      }
      const text = joinWithinLimit(parts);
      for (const chatId of this.#chatIds) {
        try {
          await this.#send(chatId, text);
        } catch (e) {
          this.#logger.warn({ chatId, err: describeError(e) }, "telegram: could not push an alert");
        }
      }
      if (this.#intervalMs > 0 && !this.#stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#intervalMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }
}
