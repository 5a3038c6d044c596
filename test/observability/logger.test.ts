import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, test } from "node:test";
import { HeanError } from "../../src/core/errors.ts";
import { registerSecret, Secret } from "../../src/core/secrets.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createScrubber } from "../../src/observability/scrub.ts";

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line !== "") this.lines.push(line);
    done();
  }
}

// Secrets with characters that change when JSON-escaped or URL-encoded.
const API_KEY = "XyZ9apiKEY0secret1";
const API_SECRET = 'p@ss"word\\with/odd+chars=&';
const BOT_TOKEN = "123456789:AAH-bot_token-value-ABCDEFGHIJKL";
const UNREGISTERED = "only-given-to-this-logger-77";

describe("logger", () => {
  test("writes JSON lines with level, time, service and bound context", () => {
    const out = new Capture();
    const log = createLogger({ destination: out, level: "debug" }).child({ component: "engine" });
    log.info({ symbol: "BTCUSDT", qty: "0.01" }, "order placed");
    log.debug("detail");
    log.trace("not written at debug");
    assert.equal(out.lines.length, 2);
    const line = JSON.parse(out.lines[0]!);
    assert.equal(line.level, "info");
    assert.equal(line.msg, "order placed");
    assert.equal(line.service, "hean");
    assert.equal(line.component, "engine");
    assert.equal(line.symbol, "BTCUSDT");
    assert.match(line.time, /^\d{4}-\d\d-\d\dT/);
  });

  test("no secret survives, whatever shape it is logged in", () => {
    registerSecret(API_KEY);
    registerSecret(new Secret(API_SECRET));
    registerSecret(BOT_TOKEN);
    const out = new Capture();
    const log = createLogger({ destination: out, secrets: [UNREGISTERED] });

    log.info({ apiKey: API_KEY, apiSecret: API_SECRET }, "top-level keys");
    log.info({ config: { venue: { bybit: { apiKey: API_KEY, apiSecret: API_SECRET } } } }, "deeply nested");
    log.info({ req: { headers: { authorization: `Bearer ${API_KEY}`, "x-bapi-api-key": API_KEY, "x-bapi-sign": "abc" } } }, "headers");
    log.info({ headers: { Authorization: `Bearer ${UNREGISTERED}` } }, "capitalised header");
    log.error({ err: new Error(`auth failed for key ${API_KEY} with secret ${API_SECRET}`) }, "error message");
    log.error({ err: new HeanError("VENUE_REJECTED", `bad signature`, { secretUsed: API_SECRET }) }, "hean error context");
    log.warn({ url: `https://api.telegram.org/bot${BOT_TOKEN}/getUpdates?offset=1` }, "url with token");
    log.warn({ query: `api_key=${encodeURIComponent(API_SECRET)}&x=1` }, "url-encoded");
    log.info(`message text mentioning ${API_KEY} and ${UNREGISTERED}`);
    log.info({ list: [API_KEY, { nested: [API_SECRET] }] }, "arrays");
    log.info({ wrapped: new Secret("a-wrapped-secret-never-registered") }, "Secret instance");
    log.info({ body: JSON.stringify({ key: API_SECRET }) }, "secret inside a JSON string");
    log.child({ token: BOT_TOKEN, who: API_KEY }).info("child bindings");
    log.info({ header: `Bearer sometoken-not-registered-123` }, "bearer shape");

    const text = out.lines.join("\n");
    const forms = (s: string): string[] => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)];
    for (const secret of [API_KEY, API_SECRET, BOT_TOKEN, UNREGISTERED, "a-wrapped-secret-never-registered", "sometoken-not-registered-123"]) {
      for (const form of forms(secret)) assert.ok(!text.includes(form), `leaked ${JSON.stringify(form)}:\n${text}`);
    }
    // The lines are still useful: valid JSON, messages and non-secret context intact.
    assert.equal(out.lines.length, 14);
    const parsed = out.lines.map((l) => JSON.parse(l));
    assert.equal(parsed[1].msg, "deeply nested");
    assert.equal(parsed[1].config.venue.bybit.apiKey, "[redacted]");
    assert.equal(parsed[4].err.message, "auth failed for key [redacted] with secret [redacted]");
    assert.equal(parsed[6].url, "https://api.telegram.org/bot[redacted]/getUpdates?offset=1");
    assert.equal(parsed[12].who, "[redacted]");
  });

  test("Secret prints as [redacted] through String, JSON and inspect", () => {
    const s = new Secret("hunter2-hunter2");
    assert.equal(`${s}`, "[redacted]");
    assert.equal(JSON.stringify({ s }), '{"s":"[redacted]"}');
    assert.ok(!inspect({ s }).includes("hunter2"));
    assert.equal(s.reveal(), "hunter2-hunter2");
  });

  test("the scrubber ignores values too short to be secrets and picks up later registrations", () => {
    const scrub = createScrubber(["ab"]);
    assert.equal(scrub("ab cd"), "ab cd");
    const late = "registered-after-the-scrubber-was-made";
    assert.equal(scrub(`x ${late}`), `x ${late}`);
    registerSecret(late);
    assert.equal(scrub(`x ${late}`), "x [redacted]");
  });
});
