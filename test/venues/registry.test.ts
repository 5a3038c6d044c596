/** The venue registry: venues by id, their secrets, and a clear refusal of an unknown id. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { knownVenues, readVenueCredentials, venueEntry, venueSecretNames } from "../../src/venues/registry.ts";
import { hean } from "../cli/cli-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-registry-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("every known venue has an entry; sim is paper-only, bybit and binance paper (public data) and live with their own secrets", () => {
  assert.deepEqual([...knownVenues()], ["sim", "bybit", "binance"]);
  assert.deepEqual(venueEntry("sim").modes, ["paper"]);
  assert.equal(venueEntry("sim").loadLive, undefined);
  assert.deepEqual(venueEntry("bybit").modes, ["paper", "live"]);
  assert.notEqual(venueEntry("bybit").loadPaper, undefined);
  assert.deepEqual(venueEntry("binance").modes, ["paper", "live"]);
  assert.notEqual(venueEntry("binance").loadPaper, undefined);
  assert.deepEqual(venueSecretNames(), ["HEAN_BYBIT_API_KEY", "HEAN_BYBIT_API_SECRET", "HEAN_BINANCE_API_KEY", "HEAN_BINANCE_API_SECRET"]);
  assert.throws(() => venueEntry("kraken"), /CONFIG_INVALID.*unknown venue "kraken" \(known: sim, bybit, binance\)/);
});

test("credentials come from the venue's own variables or their _FILE twins; missing ones are named, values never", () => {
  const keyFile = join(dir, "key");
  writeFileSync(keyFile, "from-a-file\n");
  const c = readVenueCredentials("bybit", { HEAN_BYBIT_API_KEY_FILE: keyFile, HEAN_BYBIT_API_SECRET: "s3cret-value" });
  assert.equal(c.apiKey.reveal(), "from-a-file");
  assert.equal(String(c.apiSecret), "[redacted]");
  assert.throws(() => readVenueCredentials("bybit", { HEAN_BYBIT_API_KEY: "k" }), /needs HEAN_BYBIT_API_SECRET \(or HEAN_BYBIT_API_SECRET_FILE\)/);
  assert.throws(() => readVenueCredentials("sim", {}), /venue sim takes no API keys/);
});

test("hean run --venue with an unknown id exits 2 and lists the known venues; no journal is created", () => {
  const journal = join(dir, "never.db");
  const r = hean(["run", "--venue", "kraken", "--journal", journal, "--duration", "0"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /venue must be one of sim, bybit/);
  assert.equal(existsSync(journal), false);
});
