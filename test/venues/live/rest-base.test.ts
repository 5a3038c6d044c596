/**
 * A live start on a REST base URL that is wrong says so, by URL, and ends. `--rest-url
 * http://host:PORT/fapi` against `hean sim binance` (the base is the host: hean adds /fapi/v1/…)
 * read "BINANCE_-1000 Not found" and "circuit breaker open", named no URL, and waited out the whole
 * bootTimeoutMs before VENUE_UNAVAILABLE. Now the first answer that says HTTP 404 stops the start:
 * VENUE_URL_NOT_FOUND naming the URL asked and the base, exit 2 (a setting to fix, as CONFIG_INVALID),
 * the report written, the journal left as it was. The same for Bybit's base. A base nobody answers
 * at (connection refused) is still retried until bootTimeoutMs (the venue may be coming back), but
 * every message about it names the URL and why, not only "circuit breaker open".
 *
 * The real `hean run` against the simulators started in this process; bootTimeoutMs is ten
 * minutes for the 404 cases, so a start that waits it out shows as a hang (the guard) and not as
 * a pass. No assertion is about time.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BinanceSimulator, startBinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { type BybitSimulator, startBybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { heanAsync, readReport } from "../../cli/cli-helpers.ts";
import { KEY as BN_KEY, SECRET as BN_SECRET } from "../binance/rig.ts";
import { KEY as BY_KEY, SECRET as BY_SECRET } from "../bybit/rig.ts";
import { closedPort } from "./venue-rig.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-rest-base-"));
let binance: BinanceSimulator;
let bybit: BybitSimulator;
let deadPort: number;
before(async () => {
  binance = await startBinanceSimulator({ port: 0, seed: 5, apiKey: BN_KEY, apiSecret: BN_SECRET });
  bybit = await startBybitSimulator({ port: 0, seed: 5, apiKey: BY_KEY, apiSecret: BY_SECRET });
  deadPort = await closedPort();
});
after(async () => {
  await binance.close();
  await bybit.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A hang (a start that waits out its ten-minute boot deadline) fails here instead of holding the suite. */
const HANG_GUARD = { timeout: 5 * 60_000 };

async function live(name: string, venue: "binance" | "bybit", urls: readonly string[], extra: readonly string[]): Promise<{ code: number | null; out: string; report: string }> {
  const report = join(dir, `${name}.json`);
  const env = venue === "binance" ? { HEAN_BINANCE_API_KEY: BN_KEY, HEAN_BINANCE_API_SECRET: BN_SECRET } : { HEAN_BYBIT_API_KEY: BY_KEY, HEAN_BYBIT_API_SECRET: BY_SECRET };
  const child = heanAsync(
    ["run", "--venue", venue, "--mode", "live", "--i-understand-live-trading", ...urls, "--journal", join(dir, `${name}.db`), "--report", report, "--strategy", "none", "--quiet", "--log-format", "json", ...extra],
    env,
  );
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  return { code, out: child.output(), report };
}

const LONG_BOOT = (venue: string): string[] => ["--set", `venues.${venue}.bootTimeoutMs=600000`];

test("Binance: a REST base with /fapi in it is refused at once, naming the URL that answered 404 (exit 2, journal untouched)", HANG_GUARD, async () => {
  const base = `${binance.url}/fapi`;
  const r = await live("binance-404", "binance", ["--rest-url", base, "--ws-public-url", binance.wsUrl, "--ws-private-url", binance.wsUrl], LONG_BOOT("binance"));
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /hean: VENUE_URL_NOT_FOUND: Binance: GET http:\/\/127\.0\.0\.1:\d+\/fapi\/fapi\/v1\/exchangeInfo answered HTTP 404 \(not found\)/);
  assert.ok(r.out.includes(`the REST base URL ${base} does not serve the venue's API; check --rest-url (venues.binance.restUrl)`), r.out);
  assert.doesNotMatch(r.out, /VENUE_CIRCUIT_OPEN|circuit breaker/, "not said as the venue failing");
  assert.ok(existsSync(r.report), "a report is written");
  assert.equal(readReport(r.report).journal.events, 0, "nothing journaled");
});

test("Bybit: a REST base with /v5 in it is refused at once the same way", HANG_GUARD, async () => {
  const base = `${bybit.url}/v5`;
  const r = await live("bybit-404", "bybit", ["--rest-url", base, "--ws-public-url", bybit.wsPublicUrl, "--ws-private-url", bybit.wsPrivateUrl], LONG_BOOT("bybit"));
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /hean: VENUE_URL_NOT_FOUND: Bybit: GET http:\/\/127\.0\.0\.1:\d+\/v5\/v5\/market\/instruments-info answered HTTP 404 \(not found\)/);
  assert.ok(r.out.includes(`check --rest-url (venues.bybit.restUrl)`), r.out);
  assert.doesNotMatch(r.out, /VENUE_CIRCUIT_OPEN|circuit breaker/);
  assert.equal(readReport(r.report).journal.events, 0, "nothing journaled");
});

test("a REST base nobody answers at: retried until bootTimeoutMs, and said with its URL and why from the first warning to the last line", HANG_GUARD, async () => {
  const base = `http://127.0.0.1:${deadPort}`;
  const r = await live("refused", "bybit", ["--rest-url", base, "--ws-public-url", `ws://127.0.0.1:${deadPort}/v5/public/linear`, "--ws-private-url", `ws://127.0.0.1:${deadPort}/v5/private`], ["--set", "venues.bybit.bootTimeoutMs=1500"]);
  assert.equal(r.code, 1, r.out);
  const lines = r.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { level: string; code?: string; msg: string });
  const warned = lines.find((l) => l.level === "warn" || l.level === "error");
  assert.ok(warned !== undefined, r.out);
  const named = new RegExp(`GET http://127\\.0\\.0\\.1:${deadPort}/v5/[\\w/-]+: .*ECONNREFUSED`);
  assert.match(warned.msg, named, "the first warning names the URL and the refusal");
  const last = r.out.split("\n").find((l) => l.startsWith("hean: "));
  assert.ok(last !== undefined, r.out);
  assert.match(last, /hean: VENUE_UNAVAILABLE: .*bootTimeoutMs \(1500 ms\)/);
  assert.match(last, named, "the final message names the URL and why, not only the breaker");
});
