/**
 * The operator surfaces of a running engine: HTTP API + dashboard + metrics (when an API port is
 * configured) and the Telegram bot (when a bot token is in the environment). All of them see the
 * engine only through its `EngineView`.
 */
import { describeValue, HeanError } from "../core/errors.ts";
import type { HeanConfig } from "../config/config.ts";
import { checkControlServerAccess, startControlServer } from "../control/http/server.ts";
import { readSecret, type Secret } from "../core/secrets.ts";
import { allowedChatIds, startTelegramBot } from "../control/telegram/bot.ts";
import type { Logger } from "../observability/logger.ts";
import { createMetrics } from "../control/metrics/metrics.ts";
import { RuntimeView } from "./engine-view-impl.ts";
import type { Runtime } from "./runtime.ts";
import { type DistributedHandle, type DistributedPlan, planDistributed, startDistributed } from "./distributed.ts";

export interface OperatorSurfaces {
  readonly view: RuntimeView;
  readonly apiUrl: string | undefined;
  /** The distributed mode (Redis), when a Redis URL is configured. */
  readonly distributed: DistributedHandle | undefined;
  close(): Promise<void>;
}

/** What the operator surfaces will be, read from the config and the environment and checked. */
export interface OperatorSurfacesPlan {
  readonly api: { readonly host: string; readonly port: number; readonly token: Secret | undefined } | undefined;
  readonly telegram: { readonly token: Secret; readonly chats: readonly string[]; readonly apiRoot: string | undefined } | undefined;
  readonly redis?: DistributedPlan | undefined;
}

/**
 * Read and check everything the surfaces need before the engine starts: a refused API token or
 * Telegram allow-list must stop hean before a journal exists, not after it traded.
 */
export function planOperatorSurfaces(config: HeanConfig, env: NodeJS.ProcessEnv = process.env): OperatorSurfacesPlan {
  const { api } = config;
  let apiPlan: OperatorSurfacesPlan["api"];
  if (api.port !== null) {
    const token = readSecret("HEAN_API_TOKEN", env);
    checkControlServerAccess(api.host, token);
    apiPlan = { host: api.host, port: api.port, token };
  }
  let telegram: OperatorSurfacesPlan["telegram"];
  const telegramToken = readSecret("HEAN_TELEGRAM_TOKEN", env);
  if (telegramToken !== undefined) {
    const chats = (env.HEAN_TELEGRAM_CHAT_IDS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (chats.length === 0) {
      throw new HeanError("CONFIG_INVALID", "HEAN_TELEGRAM_TOKEN is set but HEAN_TELEGRAM_CHAT_IDS lists no chat: the bot would answer nobody", {});
    }
    try {
      allowedChatIds(chats);
    } catch (e) {
      throw new HeanError("CONFIG_INVALID", `HEAN_TELEGRAM_CHAT_IDS must list whole-number chat ids, got ${describeValue(env.HEAN_TELEGRAM_CHAT_IDS)}`, {
        path: "HEAN_TELEGRAM_CHAT_IDS",
      }, { cause: e });
    }
    const apiRoot = env.HEAN_TELEGRAM_API_ROOT;
    telegram = { token: telegramToken, chats, apiRoot: apiRoot !== undefined && apiRoot !== "" ? apiRoot : undefined };
  }
  return { api: apiPlan, telegram, redis: planDistributed(config.redis, env) };
}

export async function startOperatorSurfaces(runtime: Runtime, logger: Logger, plan: OperatorSurfacesPlan): Promise<OperatorSurfaces> {
  const view = new RuntimeView(runtime, runtime.venueReadiness ?? {});
  const closers: (() => Promise<void> | void)[] = [];
  let apiUrl: string | undefined;
  let distributed: DistributedHandle | undefined;
  if (plan.api !== undefined) {
    const metrics = createMetrics(view, { logger, distributed: () => distributed?.facts() });
    closers.push(() => metrics.close());
    const server = await startControlServer({ view, host: plan.api.host, port: plan.api.port, token: plan.api.token, logger, metrics });
    closers.push(() => server.close());
    apiUrl = server.url;
    logger.info({ url: server.url }, "HTTP API, dashboard and metrics listening");
  }
  const { telegram } = plan;
  if (telegram !== undefined) {
    const bot = await startTelegramBot({
      view,
      token: telegram.token,
      allowedChatIds: telegram.chats,
      logger,
      notify: runtime.config.telegram.notify,
      ...(telegram.apiRoot !== undefined ? { apiRoot: telegram.apiRoot } : {}),
    });
    closers.push(() => bot.stop());
    logger.info({ bot: bot.username, chats: telegram.chats.length }, "Telegram bot polling");
  }
  if (plan.redis !== undefined) {
    distributed = startDistributed(runtime, view, logger, plan.redis, { apiUrl });
    closers.push(() => distributed!.close());
    logger.info({ engineId: distributed.engineId }, "distributed mode: command bus, event stream and heartbeat on Redis");
  }
  return {
    view,
    apiUrl,
    distributed,
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
