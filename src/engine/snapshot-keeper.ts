/**
 * Engine snapshots off the trading thread: a worker keeps its own copy of the engine state from
 * the journal's committed records and writes the periodic snapshots (snapshot-keeper-thread.ts).
 * Only with the journal's worker writer (its tap); otherwise, or when the keeper stops, the engine
 * snapshots itself as before.
 */
import { serialize } from "node:v8";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { EngineState, EngineStateOptions } from "./engine-state.ts";
import type { JournalPort } from "./journal-port.ts";

/** Snapshots from the keeper carry this id: nobody waits for them (write-jobs.ts `TapCommand`). */
export const KEPT_SNAPSHOT_ID = -1;

export interface KeeperData {
  /** `EngineState.snapshot()` at the tap's start, in V8's serialization. */
  readonly state: Uint8Array;
  readonly options: EngineStateOptions;
  readonly snapshotEvery: number;
  /** The keeper's end of the journal writer's tap. */
  readonly tap: MessagePort;
}

export type KeeperReport =
  /** A snapshot committed: its seq, its text's length and the time to copy and encode it. */
  | { readonly t: "snapshot"; readonly seq: number; readonly chars: number; readonly ms: number }
  | { readonly t: "refused"; readonly seq: number; readonly message: string }
  | { readonly t: "stopped"; readonly reason: string };

export interface SnapshotKeeperOptions {
  readonly state: EngineState;
  readonly stateOptions: EngineStateOptions;
  readonly snapshotEvery: number;
  /** A snapshot stored, or one refused (state that would not read back the same). */
  readonly onReport?: (report: Exclude<KeeperReport, { t: "stopped" }>) => void;
  /** The keeper stopped on its own (crashed, diverged, lost records): the engine must snapshot again. */
  readonly onStopped: (reason: string) => void;
}

export class SnapshotKeeper {
  readonly #worker: Worker;
  #stopped = false;
  /** Snapshots committed so far, and the seq of the newest. */
  storedCount = 0;
  lastStoredSeq = 0;

  /** Starts a keeper from `state` as it is now; undefined when the journal has no tap. */
  static start(journal: JournalPort, options: SnapshotKeeperOptions): SnapshotKeeper | undefined {
    if (journal.tapCommitted === undefined) return undefined;
    const channel = new MessageChannel();
    // The copy first: records appended from here on reach the keeper through the tap.
    const state = serialize(options.state.snapshot());
    if (!journal.tapCommitted(channel.port1)) {
      channel.port2.close();
      return undefined;
    }
    return new SnapshotKeeper({ state, options: options.stateOptions, snapshotEvery: options.snapshotEvery, tap: channel.port2 }, options);
  }

  private constructor(data: KeeperData, options: SnapshotKeeperOptions) {
    this.#worker = new Worker(new URL("./snapshot-keeper-thread.ts", import.meta.url), {
      workerData: data,
      transferList: [data.tap],
      name: "hean-snapshot-keeper",
    });
    // Never what keeps the process alive: a snapshot is an optimisation of restart, not a promise.
    this.#worker.unref();
    const stopped = (reason: string): void => {
      if (this.#stopped) return;
      this.#stopped = true;
      void this.#worker.terminate();
      options.onStopped(reason);
    };
    this.#worker.on("message", (report: KeeperReport) => {
      if (report.t === "stopped") return stopped(report.reason);
      if (report.t === "snapshot") {
        this.storedCount++;
        this.lastStoredSeq = report.seq;
      }
      options.onReport?.(report);
    });
    this.#worker.on("error", (e: Error) => stopped(`the snapshot keeper crashed: ${e.message}`));
    this.#worker.on("exit", (code: number) => stopped(`the snapshot keeper exited (code ${code})`));
  }

  /** Fault injection for tests: the keeper's thread dies as if it had crashed. */
  async simulateCrash(): Promise<void> {
    await this.#worker.terminate();
  }

  get running(): boolean {
    return !this.#stopped;
  }

  /** Stop it (before the journal closes): snapshots it has not handed to the writer are not taken. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#worker.terminate();
  }
}
