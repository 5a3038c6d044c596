/**
 * Every Redis key hean uses, in one place. An engine owns the keys under `hean:<engineId>:`;
 * the fleet registry and the context feeds are shared by all engines of one Redis.
 */

/** Engine ids become key parts: no colon (the separator), no spaces, short. */
export const ENGINE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The consumer group every engine reads its commands with. */
export const COMMAND_GROUP = "engine";

export const keys = {
  commands: (engineId: string): string => `hean:${engineId}:commands`,
  deadCommands: (engineId: string): string => `hean:${engineId}:commands:dead`,
  /** Outcomes of commands, for the senders that wait for them. */
  results: (engineId: string): string => `hean:${engineId}:results`,
  events: (engineId: string): string => `hean:${engineId}:events`,
  /** The engine's last heartbeat (a hash that expires when the engine stops beating). */
  heartbeat: (engineId: string): string => `hean:engine:${engineId}`,
  /** Every engine that ever registered, scored by its last heartbeat (ms). */
  registry: "hean:engines",
  context: (symbol: string): string => `hean:context:${symbol}`,
} as const;

/** The stream id of journal record `seq` on the event stream: `0-<seq>`, so ids are the sequence itself. */
export const eventStreamId = (seq: number): string => `0-${seq}`;

/** The journal sequence an event-stream id stands for, or undefined for an id hean did not write. */
export function seqOfEventStreamId(id: string): number | undefined {
  const m = /^0-(\d+)$/.exec(id);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The millisecond part of a stream id (Redis' clock when the entry was added). */
export function streamIdMs(id: string): number | undefined {
  const m = /^(\d+)-\d+$/.exec(id);
  return m === null ? undefined : Number(m[1]);
}
