/** Run the real `hean` command in child processes, as a user would. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { once } from "node:events";
import { DatabaseSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunReport } from "../../src/runtime/report.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const HEAN = join(ROOT, "bin", "hean.js");

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function hean(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Ran {
  const r = spawnSync(process.execPath, [HEAN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, ...options.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function heanAsync(args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [HEAN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/**
 * Resolves once `seen()` holds; rejects with `missing()` if the child exits first, or after
 * `timeoutMs` (which only guards a hang: the wait is for the evidence, not for time).
 */
function pollUntil(child: ReturnType<typeof heanAsync>, seen: () => boolean, missing: () => string, timeoutMs: number, everyMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (seen()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(missing()));
      }
    }, everyMs);
  });
}

/** Resolves when the child's output contains `text` (or rejects after `timeoutMs`). */
export function waitForOutput(child: ReturnType<typeof heanAsync>, text: string, timeoutMs = 30_000): Promise<void> {
  return pollUntil(child, () => child.output().includes(text), () => `did not see ${JSON.stringify(text)} in:\n${child.output()}`, timeoutMs, 20);
}

/** How many records of `type` the journal at `path` holds, read beside the run that writes it (0 before it exists). */
function journaledCount(path: string, type: string): number {
  if (!existsSync(path)) return 0;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    return (db.prepare("SELECT count(*) AS n FROM events WHERE type = ?").get(type) as { n: number }).n;
  } catch {
    return 0; // created but not yet set up: the next poll sees it
  } finally {
    db?.close();
  }
}

/** Evidence instead of a duration: resolves once the running child's journal holds `atLeast` records of `type`. */
function waitForJournaled(child: ReturnType<typeof heanAsync>, path: string, type: string, atLeast = 1, timeoutMs = 60_000): Promise<void> {
  return pollUntil(child, () => journaledCount(path, type) >= atLeast, () => `fewer than ${atLeast} ${type} in ${path}; the run said:\n${child.output()}`, timeoutMs, 50);
}

/**
 * A paper run stopped once its journal shows it traded, not after a fixed time: a start on a
 * loaded machine can outlast any duration short enough for a test. Resolves with its exit code.
 */
export async function runUntilJournaled(args: readonly string[], journal: string, type: string, atLeast = 1): Promise<{ code: number | null; output: string }> {
  const child = heanAsync(["run", ...args, "--journal", journal]);
  await waitForJournaled(child, journal, type, atLeast);
  const code = await stopRun(child);
  return { code, output: child.output() };
}

/** Ask a running `hean run` to stop (SIGTERM, as an operator would) and wait for its exit code. */
async function stopRun(child: ReturnType<typeof heanAsync>): Promise<number | null> {
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return code;
}

export function readReport(path: string): RunReport {
  return JSON.parse(readFileSync(path, "utf8")) as RunReport;
}

export function expectOk(r: Ran, what: string): void {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

/** The parts of a report that a replay must reproduce exactly. */
export function accountOf(r: RunReport) {
  return { positions: r.positions, cash: r.cash, equity: r.equity, realizedPnl: r.realizedPnl, fees: r.fees, fills: r.fills };
}
