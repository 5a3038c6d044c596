/**
 * Issue 10, defect 5, at its cause: `Runtime.start` opened the journal (whose writer is a worker
 * thread) and then built the strategy and the simulated market; when one of them refused its
 * options the error surfaced but the worker kept the process alive for ever. The configuration
 * now refuses such options first, but a start that fails after the journal is open must still
 * close it. Here a caller hands `Runtime.start` a configuration that skipped validation; the
 * child process must report the refusal and then exit by itself.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { ROOT } from "../cli/cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-failed-start-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Only turns a hang into a readable failure; asserts nothing about speed. */
const HANG_GUARD_MS = 120_000;

const src = (path: string): string => JSON.stringify(pathToFileURL(join(ROOT, "src", path)).href);

const SCRIPT = `
import { loadConfig } from ${src("config/config.ts")};
import { Runtime } from ${src("runtime/runtime.ts")};
const config = loadConfig({ overrides: ["journal.path=" + JSON.stringify(process.env.HEAN_TEST_JOURNAL)] });
const unchecked = { ...config, sim: { ...config.sim, updatesPerSecond: 1e9 } };
try {
  await Runtime.start({ config: unchecked });
  console.log("started");
} catch (e) {
  console.log("refused " + e.code);
}
`;

test("a start that fails after the journal is open closes it, and the process exits by itself", async () => {
  // A file, not --eval: the journal's writer thread inherits node's flags, and --input-type breaks it.
  const script = join(dir, "start.mjs");
  writeFileSync(script, SCRIPT);
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, HEAN_TEST_JOURNAL: join(dir, "j.db") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the process did not exit by itself; output:\n${out}`));
    }, HANG_GUARD_MS);
    child.once("close", (c) => {
      clearTimeout(guard);
      resolve(c);
    });
  });
  assert.match(out, /refused CONFIG_INVALID/, out);
  assert.equal(code, 0, out);
});
