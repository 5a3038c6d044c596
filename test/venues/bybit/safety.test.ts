/**
 * Paper mode can never reach code that signs an order, and live mode needs every confirmation:
 * - a paper run (the real CLI) never loads a module of the Bybit adapter (module load hooks),
 *   while a live run does (the control that shows the recorder works);
 * - in process, a paper runtime builds no signer;
 * - live mode without --i-understand-live-trading, or without keys, refuses to start, and keys
 *   never show up in the output.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../src/config/config.ts";
import { Runtime } from "../../../src/runtime/runtime.ts";
import { signersCreated } from "../../../src/venues/bybit/signer.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const HEAN = join(ROOT, "bin", "hean.js");
const RECORDER = join(ROOT, "test", "venues", "bybit", "load-recorder.ts");
const dir = mkdtempSync(join(tmpdir(), "hean-safety-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): { status: number | null; out: string; modules: string[] } {
  const r = spawnSync(process.execPath, ["--import", RECORDER, HEAN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, HEAN_BYBIT_API_KEY: "", HEAN_BYBIT_API_SECRET: "", ...env },
  });
  const out = `${r.stdout}\n${r.stderr}`;
  // Every thread (the journal writer is a worker) reports its own loads: take them all.
  const lines = [...r.stderr.matchAll(/BYBIT-MODULES (\[.*\])/g)];
  assert.ok(lines.length > 0, `the recorder ran:\n${out}`);
  return { status: r.status, out, modules: lines.flatMap((m) => JSON.parse(m[1]!) as string[]) };
}

test("a paper run never loads the Bybit adapter (nor its signer); a live run does", () => {
  const paper = run(["run", "--journal", join(dir, "paper.db"), "--duration", "1", "--strategy", "churn", "--quiet"], {
    HEAN_BYBIT_API_KEY: "paper-should-never-read-this",
    HEAN_BYBIT_API_SECRET: "paper-should-never-read-this-either",
  });
  assert.equal(paper.status, 0, paper.out);
  assert.deepEqual(paper.modules, []);
  // The control: live mode loads it (and fails here only because nothing listens on the port).
  const live = run(
    ["run", "--venue", "bybit", "--mode", "live", "--i-understand-live-trading", "--rest-url", "http://127.0.0.1:9", "--set", "venues.bybit.bootTimeoutMs=500", "--journal", join(dir, "live.db"), "--quiet"],
    { HEAN_BYBIT_API_KEY: "live-key-visible-nowhere", HEAN_BYBIT_API_SECRET: "live-secret-visible-nowhere" },
  );
  assert.notEqual(live.status, 0);
  assert.match(live.out, /VENUE_UNAVAILABLE/);
  assert.ok(live.modules.some((m) => m.endsWith("/signer.ts")), `live loads the signer: ${JSON.stringify(live.modules)}`);
  assert.ok(!live.out.includes("live-secret-visible-nowhere") && !live.out.includes("live-key-visible-nowhere"), "keys never printed");
});

test("live mode refuses to start without the confirmation, or without keys", () => {
  const unconfirmed = run(["run", "--venue", "bybit", "--mode", "live", "--journal", join(dir, "u.db"), "--duration", "0"]);
  assert.notEqual(unconfirmed.status, 0);
  assert.match(unconfirmed.out, /LIVE_NOT_CONFIRMED/);
  assert.deepEqual(unconfirmed.modules, []);
  const keyless = run(["run", "--venue", "bybit", "--mode", "live", "--i-understand-live-trading", "--journal", join(dir, "k.db"), "--duration", "0"]);
  assert.notEqual(keyless.status, 0);
  assert.match(keyless.out, /HEAN_BYBIT_API_KEY/);
  const liveOnSim = run(["run", "--mode", "live", "--i-understand-live-trading", "--journal", join(dir, "s.db"), "--duration", "0"]);
  assert.notEqual(liveOnSim.status, 0);
  assert.match(liveOnSim.out, /live mode needs a real venue/);
});

test("keys can come from _FILE twins; both forms at once is refused", () => {
  const keyFile = join(dir, "key.txt");
  const secretFile = join(dir, "secret.txt");
  writeFileSync(keyFile, "file-key-abc\n");
  writeFileSync(secretFile, "file-secret-xyz\n");
  const fromFiles = run(
    ["run", "--venue", "bybit", "--mode", "live", "--i-understand-live-trading", "--rest-url", "http://127.0.0.1:9", "--set", "venues.bybit.bootTimeoutMs=500", "--journal", join(dir, "f.db")],
    { HEAN_BYBIT_API_KEY_FILE: keyFile, HEAN_BYBIT_API_SECRET_FILE: secretFile },
  );
  assert.match(fromFiles.out, /VENUE_UNAVAILABLE/, "got as far as the venue: the keys were read");
  assert.ok(!fromFiles.out.includes("file-secret-xyz"));
  const both = run(["run", "--venue", "bybit", "--mode", "live", "--i-understand-live-trading", "--journal", join(dir, "b.db"), "--duration", "0"], {
    HEAN_BYBIT_API_KEY: "a",
    HEAN_BYBIT_API_KEY_FILE: keyFile,
    HEAN_BYBIT_API_SECRET: "s",
  });
  assert.match(both.out, /both HEAN_BYBIT_API_KEY and HEAN_BYBIT_API_KEY_FILE are set/);
});

test("in process, a paper runtime builds no signer", async () => {
  const config = loadConfig({ overrides: [`journal.path=${JSON.stringify(join(dir, "inproc.db"))}`] });
  const rt = await Runtime.start({ config });
  await rt.stop("test");
  assert.equal(signersCreated(), 0);
  assert.equal(rt.venue.id, "sim");
  assert.equal(rt.venueReadiness, undefined);
});
