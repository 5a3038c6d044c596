/**
 * A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), over real
 * HTTP: getMe, deleteWebhook, setMyCommands, getUpdates (long poll, offsets confirm updates),
 * sendMessage. Tests queue incoming messages and read what the bot sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const BOT_ID = 7_000_001;

export interface FakeUpdate {
  readonly update_id: number;
  readonly message: Record<string, unknown>;
}

export interface SentMessage {
  readonly chatId: number;
  readonly text: string;
}

interface Poll {
  readonly offset: number;
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
}

export class FakeBotApi {
  readonly #token: string;
  readonly #server: Server;
  #updates: FakeUpdate[] = [];
  /** Served regardless of the offset: Telegram redelivering after a lost confirmation. */
  #redeliveries: FakeUpdate[] = [];
  #nextUpdateId = 5000;
  #nextMessageId = 1;
  #polls: Poll[] = [];
  #waiters: (() => void)[] = [];
  readonly sent: SentMessage[] = [];
  readonly calls: string[] = [];
  commandsMenu: unknown = undefined;
  port = 0;

  constructor(token: string) {
    this.#token = token;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const p of this.#polls) this.#answerPoll(p, []);
    this.#polls = [];
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Queues a message from a chat; returns its update. */
  message(chatId: number, text: string, options: { dateSeconds?: number } = {}): FakeUpdate {
    const command = /^\/\w+/.exec(text);
    const update: FakeUpdate = {
      update_id: this.#nextUpdateId++,
      message: {
        message_id: this.#nextMessageId++,
        date: options.dateSeconds ?? Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: "private", first_name: "operator" },
        from: { id: chatId, is_bot: false, first_name: "operator" },
        text,
        ...(command === null ? {} : { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] }),
      },
    };
    this.#updates.push(update);
    this.#feedPolls();
    return update;
  }

  redeliver(update: FakeUpdate): void {
    this.#redeliveries.push(update);
    this.#feedPolls();
  }

  /** Resolves when `predicate` holds for the messages sent so far. */
  async waitFor(predicate: (sent: readonly SentMessage[]) => boolean, timeoutMs = 5000): Promise<readonly SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.sent)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting; sent so far: ${JSON.stringify(this.sent)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.sent;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    if (match === null) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    if (match[1] !== this.#token) return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const method = match[2]!;
    this.calls.push(method);
    const text = Buffer.concat(chunks).toString("utf8");
    const params = text === "" ? {} : (JSON.parse(text) as Record<string, any>);
    switch (method) {
      case "getMe":
        return reply(res, 200, {
          ok: true,
          result: { id: BOT_ID, is_bot: true, first_name: "hean", username: "hean_test_bot", can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false },
        });
      case "deleteWebhook":
        return reply(res, 200, { ok: true, result: true });
      case "setMyCommands":
        this.commandsMenu = params["commands"];
        return reply(res, 200, { ok: true, result: true });
      case "sendMessage": {
        this.sent.push({ chatId: Number(params["chat_id"]), text: String(params["text"]) });
        for (const w of this.#waiters.splice(0)) w();
        return reply(res, 200, {
          ok: true,
          result: { message_id: this.#nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(params["chat_id"]), type: "private" }, text: params["text"] },
        });
      }
      case "getUpdates":
        return this.#getUpdates(req, res, params);
      default:
        return reply(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    }
  }

  #getUpdates(req: IncomingMessage, res: ServerResponse, params: Record<string, any>): void {
    const offset = Number(params["offset"] ?? 0);
    // An offset confirms every update below it: Telegram forgets them.
    this.#updates = this.#updates.filter((u) => u.update_id >= offset);
    const ready = this.#take(offset);
    const timeout = Number(params["timeout"] ?? 0);
    if (ready.length > 0 || timeout === 0) return reply(res, 200, { ok: true, result: ready });
    const poll: Poll = {
      offset,
      res,
      timer: setTimeout(() => this.#answerPoll(poll, []), timeout * 1000),
    };
    this.#polls.push(poll);
    req.on("close", () => {
      clearTimeout(poll.timer);
      this.#polls = this.#polls.filter((p) => p !== poll);
    });
  }

  #take(offset: number): FakeUpdate[] {
    const forced = this.#redeliveries;
    this.#redeliveries = [];
    return [...forced, ...this.#updates.filter((u) => u.update_id >= offset)];
  }

  #feedPolls(): void {
    const polls = this.#polls;
    this.#polls = [];
    for (const p of polls) {
      const ready = this.#take(p.offset);
      if (ready.length > 0) this.#answerPoll(p, ready);
      else this.#polls.push(p);
    }
  }

  #answerPoll(poll: Poll, result: FakeUpdate[]): void {
    clearTimeout(poll.timer);
    if (!poll.res.writableEnded) reply(poll.res, 200, { ok: true, result });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
