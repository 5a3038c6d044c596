/**
 * The engine's distributed mode, started beside its operator surfaces when a Redis URL is set:
 * the command bus consumer, the journal-fed event publisher and the fleet heartbeat. Redis is
 * never in the trading path: while it is down the engine trades on its own journal and local
 * risk, its local API and Telegram still take commands, an alert is raised (logged, pushed to Telegram) and
 * `hean_redis_up` reads 0; when it returns, queued commands apply and the event stream resumes
 * from the last sequence Redis holds.
 */
import { HeanError } from "../core/errors.ts";
import type { RedisConfig } from "../config/redis-config.ts";
import type { EngineView } from "../control/engine-view.ts";
import { registerSecret, type Secret } from "../core/secrets.ts";
import { CommandConsumer } from "../distributed/command-consumer.ts";
import { ContextFeed } from "../distributed/context-feed.ts";
import { EventPublisher } from "../distributed/event-publisher.ts";
import { Heartbeat } from "../distributed/heartbeat.ts";
import { ENGINE_ID_PATTERN } from "../distributed/keys.ts";
import { RedisLink } from "../distributed/redis-link.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "./runtime.ts";

export interface DistributedPlan {
  readonly url: Secret;
  readonly config: RedisConfig;
}

export interface DistributedHandle {
  readonly engineId: string;
  /** Whether Redis answers now. */
  up(): boolean;
  readonly consumer: CommandConsumer;
  readonly publisher: EventPublisher;
  readonly context: ContextFeed;
  /** For metrics: Redis up, context ages, malformed context fields. */
  facts(): DistributedFacts;
  close(): Promise<void>;
}

export interface DistributedFacts {
  readonly engineId: string;
  readonly up: boolean;
  readonly contextAges: readonly { readonly symbol: string; readonly field: string; readonly ageSeconds: number }[];
  readonly contextMalformed: ReadonlyMap<string, number>;
}

/** The distributed plan from the config and HEAN_REDIS_URL (the environment wins), or undefined when off. */
export function planDistributed(config: RedisConfig, env: NodeJS.ProcessEnv = process.env): DistributedPlan | undefined {
  const fromEnv = env.HEAN_REDIS_URL;
  const url = fromEnv !== undefined && fromEnv !== "" ? fromEnv : config.url;
  if (url === null) return undefined;
  if (!/^rediss?:\/\/\S+$/.test(url)) throw new HeanError("CONFIG_INVALID", "HEAN_REDIS_URL must be a redis:// or rediss:// URL", { path: "HEAN_REDIS_URL" });
  return { url: registerRedisUrl(url), config };
}

/** Registers the URL and its password with the log scrubber. */
export function registerRedisUrl(url: string): Secret {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== "") registerSecret(password);
  } catch {
    /* the whole URL is still registered */
  }
  return registerSecret(url);
}

/** `engine-<first 8 of the journal id>`: stable across restarts of the same journal. */
export function defaultEngineId(journalId: string): string {
  return `engine-${journalId.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`;
}

export interface StartDistributedOptions {
  readonly apiUrl?: string | undefined;
  /** Fault injection for tests (see CommandConsumer). */
  readonly beforeAck?: (commandId: string) => Promise<void> | void;
}

export function startDistributed(runtime: Runtime, view: EngineView, logger: Logger, plan: DistributedPlan, options: StartDistributedOptions = {}): DistributedHandle {
  const { config } = plan;
  const { engine, clock } = runtime;
  const journal = engine.journal;
  const engineId = config.engineId ?? defaultEngineId(journal.journalId);
  if (!ENGINE_ID_PATTERN.test(engineId)) throw new HeanError("CONFIG_INVALID", `engine id ${JSON.stringify(engineId)} is not usable as a key part`, { engineId });
  const alert = (severity: "info" | "warning" | "critical", code: string, message: string, context: Record<string, unknown>): void => {
    engine.record({ type: "alert", ts: clock.now(), severity, code, message, context: { engineId, ...context } });
  };
  let wasUp = false;
  let publisher: EventPublisher | undefined;
  const link = RedisLink.open({
    url: plan.url,
    name: `hean-${engineId}`,
    logger,
    onChange: (up) => {
      if (up) {
        publisher?.resync();
        if (wasUp) alert("info", "REDIS_RESTORED", "Redis is back: queued commands and unpublished events flow again", {});
        else logger.info({ engineId }, "Redis connected: command bus, event stream and heartbeat on");
        wasUp = true;
      } else if (wasUp) {
        alert("warning", "REDIS_DOWN", "Redis is down: trading goes on under the local journal and risk; fleet commands wait in Redis", {});
      }
    },
    // A Redis that has not answered since the start (down, a refused password, a wrong host) is
    // down too, and says why; an outage after it was up is told by onChange above.
    onFailure: (reason) => {
      if (!wasUp) alert("warning", "REDIS_DOWN", `Redis cannot be reached (${reason}): trading goes on under the local journal and risk; this engine is not in the fleet until it is`, { reason });
    },
  });
  publisher = new EventPublisher({
    engineId,
    link,
    journal,
    maxLen: config.eventsMaxLen,
    logger,
    onAhead: (redisSeq, journalSeq) =>
      alert("critical", "EVENT_STREAM_AHEAD", `the event stream of ${engineId} holds sequence ${redisSeq} but this journal ends at ${journalSeq}: another journal ran under this engine id; events are not published`, {
        redisSeq,
        journalSeq,
      }),
  });
  const consumer = new CommandConsumer({
    engineId,
    link: link.duplicate(`hean-${engineId}-commands`),
    claimIdleMs: config.claimIdleMs,
    maxDeliveries: config.maxDeliveries,
    commandTtlMs: config.commandTtlMs,
    resultsMaxLen: 10_000,
    logger,
    target: {
      symbols: () => runtime.config.symbols,
      submit: (request) => view.submitCommand(request),
      durable: () => engine.flush(),
      refused: (code, message, context) => alert("warning", code, message, context),
    },
    ...(options.beforeAck !== undefined ? { beforeAck: options.beforeAck } : faultBeforeAck()),
  });
  const pub = publisher;
  const heartbeat = new Heartbeat({
    engineId,
    link,
    intervalMs: config.heartbeatMs,
    logger,
    beat: () => ({
      apiUrl: options.apiUrl ?? null,
      journalSeq: journal.lastSeq(),
      publishedSeq: pub.lastPublishedSeq,
      status: view.status(),
      positions: view.positions(),
    }),
  });
  const context = new ContextFeed({ link: link.duplicate(`hean-${engineId}-context`), symbols: runtime.config.symbols, maxAgeMs: config.contextMaxAgeMs, logger });
  runtime.trading.setContextSource((symbol) => context.read(symbol));
  publisher.start();
  consumer.start();
  heartbeat.start();
  context.start();
  let closing: Promise<void> | undefined;
  let stopped = false;
  const handle: DistributedHandle = {
    engineId,
    up: () => link.up,
    consumer,
    publisher,
    context,
    facts: () => ({ engineId, up: link.up, contextAges: context.ages(), contextMalformed: context.malformed }),
    close() {
      closing ??= (async () => {
        runtime.trading.setContextSource(undefined);
        await context.close();
        await consumer.close();
        // What the journal has now goes out before the link closes (when Redis is up); once the
        // runtime stopped its journal is closed, and the next start publishes the rest.
        if (!stopped) await pub.pump();
        await pub.close();
        await heartbeat.close();
        await link.close();
      })();
      return closing;
    },
  };
  // The engine stopped (signal, --duration, a failed start): no more commands for it.
  void runtime.done.then(() => {
    stopped = true;
    return handle.close();
  });
  return handle;
}

/**
 * Fault injection for the crash tests: HEAN_FAULT=kill-before-ack kills the process (SIGKILL)
 * after a command and its outcome are durable in the journal and before the XACK.
 */
function faultBeforeAck(): { beforeAck?: () => void } {
  if (process.env.HEAN_FAULT !== "kill-before-ack") return {};
  return { beforeAck: () => void process.kill(process.pid, "SIGKILL") };
}
