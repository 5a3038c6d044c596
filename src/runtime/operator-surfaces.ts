/**
 * The operator surfaces of a running engine: HTTP API + dashboard + metrics (when an API port is
 * configured) and the Telegram bot (when a bot token is in the environment). All of them see the
 * engine only through its `EngineView`.
 */
import { HeanError } from "../core/errors.ts";
import { startControlServer } from "../control/http/server.ts";
import { readSecret } from "../control/secrets.ts";
import { startTelegramBot } from "../control/telegram/bot.ts";
import type { Logger } from "../observability/logger.ts";
import { createMetrics } from "../observability/metrics.ts";
import { RuntimeView } from "./engine-view-impl.ts";
import type { Runtime } from "./runtime.ts";

export interface OperatorSurfaces {
  readonly view: RuntimeView;
  readonly apiUrl: string | undefined;
  close(): Promise<void>;
}

export async function startOperatorSurfaces(runtime: Runtime, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<OperatorSurfaces> {
  const view = new RuntimeView(runtime, runtime.venueReadiness ?? {});
  const closers: (() => Promise<void> | void)[] = [];
  let apiUrl: string | undefined;
  const { api } = runtime.config;
  if (api.port !== null) {
    const metrics = createMetrics(view, { logger });
    closers.push(() => metrics.close());
    const server = await startControlServer({ view, host: api.host, port: api.port, token: readSecret("HEAN_API_TOKEN", env), logger, metrics });
    closers.push(() => server.close());
    apiUrl = server.url;
    logger.info({ url: server.url }, "HTTP API, dashboard and metrics listening");
  }
  const telegramToken = readSecret("HEAN_TELEGRAM_TOKEN", env);
  if (telegramToken !== undefined) {
    const chats = (env.HEAN_TELEGRAM_CHAT_IDS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (chats.length === 0) {
      throw new HeanError("CONFIG_INVALID", "HEAN_TELEGRAM_TOKEN is set but HEAN_TELEGRAM_CHAT_IDS lists no chat: the bot would answer nobody", {});
    }
    const apiRoot = env.HEAN_TELEGRAM_API_ROOT;
    const bot = await startTelegramBot({ view, token: telegramToken, allowedChatIds: chats, logger, ...(apiRoot !== undefined && apiRoot !== "" ? { apiRoot } : {}) });
    closers.push(() => bot.stop());
    logger.info({ bot: bot.username, chats: chats.length }, "Telegram bot polling");
  }
  return {
    view,
    apiUrl,
    async close() {
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (e) {
          logger.warn({ err: e }, "closing an operator surface failed");
        }
      }
    },
  };
}
