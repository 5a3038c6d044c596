/**
 * `hean ctl` and `hean tail`: the fleet's control plane from any machine that reaches Redis.
 *
 *   hean ctl [--engine ID | --all] status|stop|resume|flatten|cancel-all [--reason TEXT]
 *   hean tail --engine ID [--from SEQ] [--count N]
 *
 * Redis comes from --redis-url or HEAN_REDIS_URL. A command goes on each engine's command
 * stream and `ctl` waits (--timeout, default 10 s) for the outcomes of the engines that are up;
 * an engine that is down gets the command when it returns (stop, flatten and cancel-all always;
 * resume within its TTL) and is reported as queued. An --engine this Redis has never seen
 * (a typo) is refused and nothing is sent.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { HeanError } from "../core/errors.ts";
import type { CommandType } from "../core/events.ts";
import { didYouMean } from "../core/suggest.ts";
import { readSecret } from "../core/secrets.ts";
import { type BusOutcome, redisNowId, sendCommand, waitOutcomes } from "../distributed/command-sender.ts";
import { readFleet } from "../distributed/heartbeat.ts";
import { ENGINE_ID_PATTERN, keys, seqOfEventStreamId } from "../distributed/keys.ts";
import { RedisLink } from "../distributed/redis-link.ts";
import { readReplyEntries } from "../distributed/stream-reply.ts";
import { registerRedisUrl } from "../runtime/distributed.ts";
import { integerFlag, parseFlags, secondsFlag, textFlag } from "./flags.ts";

const CTL_ACTIONS = ["status", "stop", "resume", "flatten", "cancel-all"] as const;
type CtlAction = (typeof CTL_ACTIONS)[number];

const CONNECT_TIMEOUT_MS = 5_000;

export function redisUrlOf(flag: string | undefined): ReturnType<typeof registerRedisUrl> {
  const fromEnv = readSecret("HEAN_REDIS_URL");
  const url = flag ?? fromEnv?.reveal();
  if (url === undefined || url === "") throw new HeanError("CLI_USAGE", "no Redis: pass --redis-url URL or set HEAN_REDIS_URL", {});
  if (!/^rediss?:\/\/\S+$/.test(url)) throw new HeanError("CLI_USAGE", "--redis-url must be a redis:// or rediss:// URL", {});
  return registerRedisUrl(url);
}

function engineFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!ENGINE_ID_PATTERN.test(text)) throw new HeanError("CLI_USAGE", `--engine must be an engine id (letters, digits, . _ -), got ${JSON.stringify(text)}`, {});
  return text;
}

export async function ctlCommand(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(l + "\n")): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    engine: { type: "string" },
    all: { type: "boolean" },
    "redis-url": { type: "string" },
    timeout: { type: "string" },
    reason: { type: "string" },
    "command-id": { type: "string" },
    ttl: { type: "string" },
    json: { type: "boolean" },
  });
  const action = positionals[0] as CtlAction | undefined;
  if (action === undefined || !CTL_ACTIONS.includes(action) || positionals.length > 1) {
    throw new HeanError("CLI_USAGE", `hean ctl [--engine ID | --all] ${CTL_ACTIONS.join("|")}`, {});
  }
  const engine = engineFlag(values.engine);
  const all = values.all === true;
  if (engine !== undefined && all) throw new HeanError("CLI_USAGE", "hean ctl: --engine and --all exclude each other", {});
  if (engine === undefined && !all && action !== "status") throw new HeanError("CLI_USAGE", `hean ctl ${action}: name the engine (--engine ID) or --all`, {});
  const timeoutMs = secondsFlag("timeout", values.timeout) ?? 10_000;
  const ttlMs = secondsFlag("ttl", values.ttl);
  const reason = textFlag("reason", values.reason);
  const url = redisUrlOf(values["redis-url"]);
  const link = await RedisLink.connect({ url, name: "hean-ctl" }, CONNECT_TIMEOUT_MS);
  try {
    const fleet = await readFleet(link);
    const registered = fleet.map((e) => e.engineId);
    // A mistyped --engine must not "queue" a stop for an engine that never runs while the one
    // meant trades on: only engines that ever registered here (up or down) are sent to.
    if (engine !== undefined && !registered.includes(engine)) {
      throw new HeanError("CLI_USAGE", `no engine ${JSON.stringify(engine)} registered in this Redis${registered.length === 0 ? " (none is)" : `: ${didYouMean(engine, registered)}`}; nothing was sent`, { engine });
    }
    const targets = engine !== undefined ? [engine] : registered;
    if (action === "status") {
      const rows = fleet.filter((e) => engine === undefined || e.engineId === engine);
      if (values.json === true) out(JSON.stringify(rows));
      else for (const r of rows) out(statusLine(r));
      return 0;
    }
    if (targets.length === 0) throw new HeanError("CLI_USAGE", "no engine registered in this Redis (an engine registers with its first heartbeat)", {});
    const up = new Set(fleet.filter((e) => e.beat !== undefined).map((e) => e.engineId));
    const commandId = values["command-id"] ?? `ctl-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    const since = await redisNowId(link);
    const command: CommandType = action;
    for (const id of targets) {
      await sendCommand(link, id, { commandId, command, args: reason === undefined ? {} : { reason }, source: `ctl@${hostname()}`, ttlMs });
    }
    const waitFor = new Map(targets.filter((t) => up.has(t)).map((t) => [t, commandId] as const));
    const outcomes = await waitOutcomes(link, waitFor, since, timeoutMs);
    let failed = 0;
    const late: string[] = [];
    for (const id of targets) {
      const o = outcomes.get(id);
      if (o !== undefined) {
        if (!o.ok) failed++;
        out(outcomeLine(o));
      } else if (!up.has(id)) out(`${id}: queued (engine down): ${action} applies when it returns [${commandId}]`);
      else {
        late.push(id);
        out(`${id}: no answer within ${timeoutMs} ms; the command stays queued [${commandId}]`);
      }
    }
    if (late.length > 0) throw new HeanError("FLEET_TIMEOUT", `${late.join(", ")} did not answer within ${timeoutMs} ms (the command stays queued under ${commandId})`, { engines: late, commandId });
    return failed > 0 ? 1 : 0;
  } finally {
    await link.close();
  }
}

function outcomeLine(o: BusOutcome): string {
  const word = o.ok ? (o.duplicate ? "ok (already applied)" : "ok") : `refused${o.code !== undefined ? ` ${o.code}` : ""}`;
  return `${o.engineId}: ${word}: ${o.message} [${o.commandId}]`;
}

function statusLine(e: Awaited<ReturnType<typeof readFleet>>[number]): string {
  const b = e.beat;
  if (b === undefined) return `${e.engineId}: DOWN (last seen ${new Date(e.lastSeen).toISOString()})`;
  const s = b.status;
  const pos = b.positions.filter((p) => p.qty !== "0").map((p) => `${p.symbol} ${p.qty}`).join(" ") || "flat";
  // Engines from before the status carried the list have none to name.
  const disabled = (s.strategies ?? []).filter((x) => x.disabled).map((x) => x.id);
  const strategies = disabled.length > 0 ? ` | strategy ${disabled.join(", ")} DISABLED` : "";
  return `${e.engineId}: up ${s.mode}/${s.venue} ${s.tradingState} risk ${s.riskState} equity ${s.equity}${strategies} | ${pos} | journal ${b.journalSeq} published ${b.publishedSeq} | ${b.host}:${b.pid}${b.apiUrl !== null ? ` ${b.apiUrl}` : ""}`;
}

/** `hean tail`: the engine's event stream as JSON lines; a jump in seq (trimmed stream) is said on stderr. */
export async function tailCommand(
  argv: readonly string[],
  out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  signal?: AbortSignal,
): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    engine: { type: "string" },
    "redis-url": { type: "string" },
    from: { type: "string" },
    count: { type: "string" },
  });
  if (positionals.length > 0) throw new HeanError("CLI_USAGE", `hean tail: unexpected argument ${JSON.stringify(positionals[0])}`, {});
  const engine = engineFlag(values.engine);
  if (engine === undefined) throw new HeanError("CLI_USAGE", "hean tail --engine ID", {});
  const from = integerFlag("from", values.from, 0, Number.MAX_SAFE_INTEGER);
  const count = integerFlag("count", values.count, 1, Number.MAX_SAFE_INTEGER);
  const url = redisUrlOf(values["redis-url"]);
  const link = await RedisLink.connect({ url, name: "hean-tail" }, CONNECT_TIMEOUT_MS);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  signal?.addEventListener("abort", onSignal);
  // Default: from the newest event on; --from SEQ: from that sequence (what the stream still holds).
  let cursor = from !== undefined ? `0-${Math.max(0, from - 1)}` : "$";
  let lastSeq: number | undefined;
  let shown = 0;
  try {
    while (!stop.signal.aborted && (count === undefined || shown < count)) {
      if (!link.up) {
        await link.waitUp(1_000);
        continue;
      }
      let reply;
      try {
        reply = await link.send(["XREAD", "COUNT", 200, "BLOCK", 500, "STREAMS", keys.events(engine), cursor]);
      } catch {
        continue;
      }
      for (const e of readReplyEntries(reply)) {
        cursor = e.id;
        const seq = seqOfEventStreamId(e.id);
        if (seq !== undefined && lastSeq !== undefined && seq !== lastSeq + 1) process.stderr.write(`hean tail: events ${lastSeq + 1}..${seq - 1} are no longer in the stream (trimmed)\n`);
        if (seq !== undefined) lastSeq = seq;
        out(JSON.stringify({ seq, ts: Number(e.fields["ts"]), type: e.fields["type"], event: safeJson(e.fields["event"]) }));
        shown++;
        if (count !== undefined && shown >= count) break;
      }
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    await link.close();
  }
}

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
