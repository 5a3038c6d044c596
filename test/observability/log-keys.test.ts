/**
 * Every JSON log line names each key once. `hean run` binds `mode` and `venue` to its logger, and
 * an alert's context was logged beside them: a fresh live run's ACCOUNT_OPENED line read
 * `"venue":"binance",…,"venue":"binance"`, and POSITION_MISMATCH's `venue` was the venue's
 * quantity under the same key as the venue's name (readers keep one of the two, or refuse the line).
 *
 * The lines are read with a parser that refuses a repeated key in any object (JSON.parse keeps the
 * last one silently), from a real live run against the Binance simulator started in this process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createLogger } from "../../src/observability/logger.ts";
import { type BinanceSimulator, startBinanceSimulator } from "../../src/simulator/binance/main.ts";
import { once } from "node:events";
import { heanAsync, waitForOutput } from "../cli/cli-helpers.ts";
import { KEY, SECRET } from "../venues/binance/rig.ts";

/** The keys repeated within one object anywhere in `text` (a JSON value), as "path.key". */
export function repeatedKeys(text: string): string[] {
  let i = 0;
  const found: string[] = [];
  const ws = (): void => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const key = str();
        if (seen.has(key)) found.push(`${path}${key}`);
        seen.add(key);
        ws();
        assert.equal(text[i++], ":", `a colon at ${i} of ${text}`);
        value(`${path}${key}.`);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(path);
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') return void str();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    assert.ok(m !== null, `a JSON value at ${i} of ${text}`);
    i += m[0].length;
  };
  value("");
  return found;
}

test("the parser finds a repeated key, nested too", () => {
  assert.deepEqual(repeatedKeys('{"a":1,"b":{"c":[{"d":1,"d":2}]},"a":"x"}'), ["b.c.d", "a"]);
  assert.deepEqual(repeatedKeys('{"a":"\\"a\\"","b":[1,2,{}]}'), []);
});

test("a field named like a bound key: left out when it says the same, kept as field.<key> when it does not", () => {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) }, base: { mode: "live", venue: "binance" } });
  logger.info({ code: "ACCOUNT_OPENED", venue: "binance" }, "opened");
  logger.warn({ code: "X", venue: "0.5", mode: "paper", level: 7, time: 1, apiKey: "never" }, "odd");
  logger.child({ component: "http" }).info({ component: "other" }, "child");
  for (const line of lines) assert.deepEqual(repeatedKeys(line), [], line);
  const [opened, odd, child] = lines.map((l) => JSON.parse(l));
  assert.equal(opened.venue, "binance");
  assert.equal(opened["field.venue"], undefined);
  assert.deepEqual([odd.venue, odd["field.venue"], odd.mode, odd["field.mode"], odd.level, odd["field.level"], odd["field.time"]], ["binance", "0.5", "live", "paper", "warn", 7, 1]);
  assert.equal(odd.apiKey, "[redacted]", "redaction still applies");
  assert.deepEqual([child.component, child["field.component"]], ["http", "other"]);
});

const dir = mkdtempSync(join(tmpdir(), "hean-log-keys-"));
let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 7, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a live run on the Binance simulator writes no JSON log line with a key twice", async () => {
  const child = heanAsync(
    [
      "run", "--venue", "binance", "--mode", "live", "--i-understand-live-trading",
      "--rest-url", sim.url, "--ws-public-url", sim.wsUrl, "--ws-private-url", sim.wsUrl,
      "--journal", join(dir, "live.db"), "--strategy", "churn", "--quiet", "--log-format", "json", "--duration", "600",
    ],
    { HEAN_BINANCE_API_KEY: KEY, HEAN_BINANCE_API_SECRET: SECRET },
  );
  // A fresh journal: the account opens at the venue's wallet, an alert whose context names the venue.
  await waitForOutput(child, "ACCOUNT_OPENED", 120_000);
  await waitForOutput(child, '"msg":"hean started"', 120_000);
  // Stopped as an operator would; `close`: its output is all read.
  const closed = once(child, "close");
  child.kill("SIGTERM");
  const [code] = (await closed) as [number | null];
  const out = child.output();
  assert.equal(code, 0, out);
  const lines = out.split("\n").filter((l) => l.startsWith("{"));
  assert.ok(lines.some((l) => l.includes('"code":"ACCOUNT_OPENED"')), out);
  assert.ok(lines.length >= 3, out);
  for (const line of lines) assert.deepEqual(repeatedKeys(line), [], `a key named twice in: ${line}`);
});
