/**
 * Telegram control (grammY, long polling): an operator can check on the engine and stop it from
 * a phone, and warnings and critical alerts are pushed to the chat.
 *
 * - Only allow-listed chat ids are served. Anything else gets no answer (a bot that answers
 *   strangers confirms it exists) and is logged with the chat id, never the message text.
 * - Commands go through `view.submitCommand` with source `telegram:<chatId>` and a commandId
 *   made from the bot id and the Telegram update id: when Telegram redelivers an update (the
 *   confirmation was lost in a restart), the engine sees the same commandId and does nothing twice.
 *   Should Telegram ever hand out a used update id for a different message, the engine refuses it
 *   as a conflict and the chat is told the command was not done (never a silent "done").
 * - Commands that add risk (`/resume`, `/set_stoploss`) are refused when the message is older
 *   than `maxCommandAgeSeconds`: a "/resume" typed hours ago while hean was down must not fire on
 *   start-up. Commands that reduce risk (`/stop`, `/flatten`, `/cancel_all`) always run.
 * - `reset-hard-stop` is deliberately not offered here: leaving HARD_STOP deserves the dashboard.
 */
import { Bot, GrammyError, type Context } from "grammy";
import type { CommandType } from "../../core/events.ts";
import { HeanError, describeError, isHeanError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../observability/logger.ts";
import { validateCommand } from "../command-schema.ts";
import type { EngineView } from "../engine-view.ts";
import { registerSecret, type Secret } from "../../core/secrets.ts";
import { AlertPusher } from "./alert-pusher.ts";
import { HELP_TEXT, formatAlert, formatOutcome, formatPositions, formatStatus } from "./format.ts";
import { balanceText, dailyText, performanceText, profitText, tradesText } from "../report-text.ts";
import { pushTrades } from "./trade-pusher.ts";

export interface TelegramBotOptions {
  readonly view: EngineView;
  /** From `readSecret("HEAN_TELEGRAM_TOKEN")`. */
  readonly token: Secret | string;
  readonly allowedChatIds: readonly (number | string)[];
  /** Bot API root, e.g. a local Bot API server; no trailing slash. Default https://api.telegram.org */
  readonly apiRoot?: string;
  readonly logger?: Logger;
  /** Lowest alert severity pushed to the chats. Default "warning". */
  readonly alertSeverity?: "warning" | "critical";
  /** Minimum time between two alert messages to the chats. Default 1000 ms. */
  readonly alertIntervalMs?: number;
  /** Long-poll timeout. Default 30 s. */
  readonly pollTimeoutSeconds?: number;
  /** Risk-adding commands older than this are refused. Default 120 s. */
  readonly maxCommandAgeSeconds?: number;
  /** Push each fill and each closed trade as they happen (config `telegram.notify`). Default both. */
  readonly notify?: { readonly fills: boolean; readonly exits: boolean };
}

export interface TelegramBot {
  readonly username: string;
  stop(): Promise<void>;
}

const RISK_REDUCING: ReadonlySet<CommandType> = new Set<CommandType>(["stop", "flatten", "cancel-all"]);

/** The allow-list of chats: at least one, all whole numbers. Also checked before an engine starts. */
export function allowedChatIds(ids: readonly (number | string)[]): ReadonlySet<number> {
  const allowed = new Set(ids.map((id) => Number(id)));
  if (allowed.size === 0 || [...allowed].some((id) => !Number.isSafeInteger(id))) {
    throw new HeanError("CONFIG_INVALID", "the Telegram bot needs at least one allowed chat id (whole numbers)");
  }
  return allowed;
}

export async function startTelegramBot(options: TelegramBotOptions): Promise<TelegramBot> {
  const { view } = options;
  const logger = (options.logger ?? silentLogger()).child({ component: "telegram" });
  const token = registerSecret(options.token);
  const allowed = allowedChatIds(options.allowedChatIds);
  const maxAge = options.maxCommandAgeSeconds ?? 120;
  const bot = new Bot(token.reveal(), options.apiRoot === undefined ? {} : { client: { apiRoot: options.apiRoot } });

  bot.use(async (ctx, next) => {
    const chatId = ctx.chat?.id;
    if (chatId === undefined || !allowed.has(chatId)) {
      logger.warn({ chatId, fromId: ctx.from?.id, updateId: ctx.update.update_id }, "telegram: ignored an update from a chat not on the allow-list");
      return;
    }
    await next();
  });

  const reply = async (ctx: Context, text: string): Promise<void> => {
    await ctx.reply(text);
  };

  const submit = async (ctx: Context, command: CommandType, fields: Record<string, unknown>): Promise<void> => {
    const chatId = ctx.chat!.id;
    const updateId = ctx.update.update_id;
    const sentAt = ctx.message?.date ?? 0;
    const age = Date.now() / 1000 - sentAt;
    if (!RISK_REDUCING.has(command) && age > maxAge) {
      logger.warn({ chatId, updateId, command, ageSeconds: Math.round(age) }, "telegram: refused a stale command");
      await reply(ctx, `${command}: REFUSED\nthis message is ${Math.round(age)} s old (hean was probably offline); send it again if you still mean it`);
      return;
    }
    const commandId = `telegram:${ctx.me.id}:${updateId}`;
    let symbols: readonly string[] = [];
    try {
      symbols = view.status().symbols;
    } catch {
      // Validation of set_stoploss will say the symbol is unknown.
    }
    const valid = validateCommand({ type: command, commandId, ...fields }, symbols);
    if (!valid.ok) {
      await reply(ctx, `${command}: not sent\n${valid.message}`);
      return;
    }
    logger.info({ chatId, updateId, command, commandId }, "telegram: command received");
    try {
      const outcome = await view.submitCommand({ commandId, command, source: `telegram:${chatId}`, args: valid.args });
      await reply(ctx, formatOutcome(command, outcome));
    } catch (e) {
      if (isHeanError(e, "COMMAND_CONFLICT")) {
        logger.warn({ chatId, updateId, command, commandId, earlier: e.context["earlier"] }, "telegram: refused a command whose id names another command");
        const earlier = String(e.context["earlier"] ?? "another command");
        await reply(ctx, `${command}: NOT DONE (conflict)\nthis update's id was already used for ${earlier}; nothing was done: send the command again as a new message`);
        return;
      }
      logger.error({ chatId, command, commandId, err: describeError(e) }, "telegram: the engine failed a command");
      await reply(ctx, `${command}: FAILED in the engine (${describeError(e).message}); check the dashboard`);
    }
  };

  bot.command(["start", "help"], (ctx) => reply(ctx, HELP_TEXT));
  bot.command("status", (ctx) => reply(ctx, formatStatus(view.status(), view.risk(), view.venueHealth(), view.strategies())));
  bot.command("positions", (ctx) => reply(ctx, formatPositions(view.positions())));
  // Freqtrade's reports, from the same PerformanceReport as the exit report, API and dashboard.
  bot.command("trades", (ctx) => {
    const n = countArg(ctx.match, 10, 50);
    return reply(ctx, n === undefined ? "usage: /trades [N] (1 to 50, default 10)" : tradesText(view.performance(), n));
  });
  bot.command("profit", (ctx) => reply(ctx, profitText(view.performance())));
  bot.command("daily", (ctx) => {
    const n = countArg(ctx.match, 7, 60);
    return reply(ctx, n === undefined ? "usage: /daily [N] (1 to 60 days, default 7)" : dailyText(view.performance(), n, view.status().now));
  });
  bot.command("performance", (ctx) => reply(ctx, performanceText(view.performance())));
  bot.command("balance", (ctx) => reply(ctx, balanceText(view.status(), view.positions())));
  bot.command("stop", (ctx) => submit(ctx, "stop", {}));
  bot.command("flatten", (ctx) => submit(ctx, "flatten", {}));
  bot.command("cancel_all", (ctx) => submit(ctx, "cancel-all", {}));
  bot.command("resume", (ctx) => submit(ctx, "resume", {}));
  bot.command("set_stoploss", (ctx) => {
    const [symbol, pct, ...rest] = ctx.match.trim().split(/\s+/).filter((s) => s !== "");
    if (symbol === undefined || pct === undefined || rest.length > 0) {
      return reply(ctx, "usage: /set_stoploss SYMBOL PCT (e.g. /set_stoploss BTCUSDT 2 for 2% from entry)");
    }
    return submit(ctx, "set-stoploss", { symbol, pct });
  });
  bot.on("message", (ctx) => reply(ctx, "unknown command\n\n" + HELP_TEXT));
  bot.catch((err) => {
    logger.error({ updateId: err.ctx.update.update_id, err: describeError(err.error) }, "telegram: handling an update failed");
    err.ctx.reply(`that failed: ${describeError(err.error).message}`).catch(() => undefined);
  });

  const chatIds = [...allowed];
  const pusher = new AlertPusher({
    send: async (chatId, text) => {
      await bot.api.sendMessage(chatId, text);
    },
    chatIds,
    logger,
    ...(options.alertIntervalMs === undefined ? {} : { intervalMs: options.alertIntervalMs }),
  });
  const minSeverity = options.alertSeverity ?? "warning";
  const unsubscribeAlerts = view.onAlert((alert) => {
    if (alert.severity === "critical" || (minSeverity === "warning" && alert.severity === "warning")) pusher.push(formatAlert(alert));
  });
  const stopTradePushes = pushTrades(view, pusher, options.notify ?? { fills: true, exits: true });
  const unsubscribe = (): void => {
    unsubscribeAlerts();
    stopTradePushes();
  };

  try {
    // getMe on its own first: if bot.start() fails during set-up, grammY leaves its webhook
    // deletion retrying forever with no way to abort it.
    await bot.init();
  } catch (e) {
    unsubscribe();
    await pusher.stop();
    const badToken = e instanceof GrammyError && (e.error_code === 401 || e.error_code === 404);
    throw new HeanError(
      badToken ? "CONFIG_INVALID" : "CONTROL_UNAVAILABLE",
      `the Telegram bot could not start${badToken ? " (the token was refused)" : ""}: ${describeError(e).message}`,
    );
  }
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
  });
  const polling = bot.start({
    timeout: options.pollTimeoutSeconds ?? 30,
    allowed_updates: ["message"],
    onStart: () => onStarted(),
  });
  polling.catch((e: unknown) => logger.error({ err: describeError(e) }, "telegram: polling stopped"));
  // Wait for polling to begin, but never hold up the engine's start for Telegram: if the webhook
  // deletion is still retrying after a few seconds, grammY carries on in the background.
  let waitTimer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<"late">((resolve) => {
    waitTimer = setTimeout(() => resolve("late"), 10_000);
  });
  const how = await Promise.race([started, polling.catch(() => undefined), gaveUp]);
  clearTimeout(waitTimer);
  if (how === "late") logger.warn("telegram: polling has not started yet (the Bot API is slow or unreachable); still trying");
  bot.api
    .setMyCommands([
      { command: "status", description: "trading and risk state, equity" },
      { command: "positions", description: "open positions" },
      { command: "balance", description: "cash, equity and positions" },
      { command: "profit", description: "P&L, win rate, profit factor, drawdown" },
      { command: "trades", description: "N: the last closed trades" },
      { command: "daily", description: "N: P&L per day" },
      { command: "performance", description: "P&L per symbol" },
      { command: "stop", description: "halt new exposure" },
      { command: "flatten", description: "halt and close every position" },
      { command: "cancel_all", description: "cancel working orders" },
      { command: "resume", description: "resume trading" },
      { command: "set_stoploss", description: "SYMBOL PCT: stop-loss in % from entry" },
    ])
    .catch((e: unknown) => logger.warn({ err: describeError(e) }, "telegram: could not set the command menu"));
  logger.info({ username: bot.botInfo.username, chats: chatIds.length }, "telegram bot started");

  let stopping: Promise<void> | undefined;
  return {
    username: bot.botInfo.username,
    stop: () => {
      stopping ??= (async () => {
        unsubscribe();
        await pusher.stop();
        if (bot.isRunning()) await bot.stop().catch((e: unknown) => logger.warn({ err: describeError(e) }, "telegram: stop failed"));
        await polling.catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** An optional count after a command: `fallback` when absent, undefined when not a whole number in [1, max]. */
export function countArg(text: string, fallback: number, max: number): number | undefined {
  const t = text.trim();
  if (t === "") return fallback;
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= max ? n : undefined;
}
