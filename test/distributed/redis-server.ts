/**
 * A real `redis-server` of the test's own on a free loopback port, with AOF fsync on every write
 * (so killing and restarting it loses nothing acknowledged). Never the machine's 6379.
 * When the binary is missing the tests skip, loudly (`.ci/run` installs it).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REDIS_BINARY = process.env.HEAN_REDIS_SERVER ?? "redis-server";

export function redisMissing(): string | undefined {
  const r = spawnSync(REDIS_BINARY, ["--version"], { encoding: "utf8" });
  if (r.error === undefined && r.status === 0) return undefined;
  const why = `SKIPPED: ${REDIS_BINARY} is not installed (apt-get install redis-server; .ci/run installs it)`;
  process.stderr.write(`\n*** ${why} ***\n`);
  return why;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), "hean-redis-")));
    await r.restart();
    return r;
  }

  /** (Re)start on the same port and data directory. */
  async restart(): Promise<void> {
    const child = spawn(
      REDIS_BINARY,
      ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
    });
  }

  /** Kill it hard (SIGKILL): what the AOF holds survives. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
