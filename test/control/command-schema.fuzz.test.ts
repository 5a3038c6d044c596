/**
 * Property tests for the command schema, alone and behind its two surfaces: random and mutated
 * bodies never make `validateCommand` throw; what it accepts is exactly what was sent (a known
 * type, a well-formed id, only known fields, the percent the text spells); `POST /api/commands`
 * answers every body, valid or not, with a 2xx or a clear 4xx and stays up; Telegram's
 * `/set_stoploss` text either sends the command it spells or answers why not. Seeded.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { COMMAND_ID_PATTERN, COMMAND_TYPES, validateCommand } from "../../src/control/command-schema.ts";
import { type ControlServer, startControlServer } from "../../src/control/http/server.ts";
import { type TelegramBot, startTelegramBot } from "../../src/control/telegram/bot.ts";
import { FakeBotApi } from "./fake-bot-api.ts";
import { FakeEngineView } from "./fake-view.ts";
import { rawRequest } from "./http-helpers.ts";

const FUZZ = { seed: 20261204, numRuns: 500 } as const;
const SYMBOLS = ["BTCUSDT", "ETHUSDT"];
const FIELDS = ["type", "commandId", "symbol", "pct", "reason"] as const;

const VALID: readonly Record<string, unknown>[] = [
  { type: "stop", commandId: "c-1" },
  { type: "flatten", commandId: "c.2", reason: "done for the day" },
  { type: "set-stoploss", commandId: "c:3", symbol: "BTCUSDT", pct: 2 },
  { type: "set-stoploss", commandId: "c_4", symbol: "ethusdt", pct: "2.5", reason: "tighter" },
];

const hostile = fc.oneof(
  fc.constantFrom("", " ", "0x10", "1e1", "1e400", "Infinity", "NaN", "-1", "2 ", "2.", ".5", "٢", "BTCUSDT\n", "stop", "STOP", "__proto__", "a".repeat(300)),
  fc.constantFrom(null, true, 0, -0, 1e-320, 99.99999999999999, 100, Number.NaN, Number.POSITIVE_INFINITY, 1e400),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.anything({ maxDepth: 2 }),
);

/** A valid body with fields dropped, replaced by hostile values, or added. */
const mutatedBody = fc
  .tuple(fc.constantFrom(...VALID), fc.array(fc.tuple(fc.constantFrom(...FIELDS, "pcts", "constructor", "__proto__"), fc.option(hostile, { nil: undefined })), { maxLength: 3 }))
  .map(([base, edits]) => {
    const body: Record<string, unknown> = { ...base };
    for (const [k, v] of edits) {
      if (v === undefined) delete body[k];
      else Object.defineProperty(body, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return body;
  });

const anyBody = fc.oneof(mutatedBody, fc.dictionary(fc.string({ maxLength: 10 }), hostile, { maxKeys: 6 }));

/** What an accepted command must be, given the body it came from. */
function assertFaithful(body: Record<string, unknown>, r: ReturnType<typeof validateCommand>): void {
  if (!r.ok) {
    assert.equal(typeof r.message, "string");
    assert.ok(r.message.length > 0);
    return;
  }
  assert.equal(r.command, body.type);
  assert.ok(COMMAND_TYPES.includes(r.command));
  assert.equal(r.commandId, body.commandId);
  assert.match(r.commandId, COMMAND_ID_PATTERN);
  for (const k of Object.keys(body)) assert.ok((FIELDS as readonly string[]).includes(k), `accepted an unknown field ${k}`);
  if (r.command === "set-stoploss") {
    const pct = body.pct;
    // The percent is the number sent, or the number a plain decimal text spells: never a reading of hex or exponents.
    if (typeof pct === "string") assert.match(pct, /^\d+(\.\d+)?$/);
    else assert.equal(typeof pct, "number");
    assert.equal(r.args.pct, Number(pct));
    assert.ok((r.args.pct as number) > 0 && (r.args.pct as number) < 100);
    assert.ok(SYMBOLS.includes(r.args.symbol as string));
  } else {
    assert.deepEqual(Object.keys(r.args).filter((k) => k !== "reason"), []);
  }
}

test("validateCommand never throws; what it accepts is exactly what was sent", () => {
  fc.assert(
    fc.property(anyBody, (body) => assertFaithful(body, validateCommand(body, SYMBOLS))),
    FUZZ,
  );
});

// Regression: Number() read "0x10" as 16 and "1e1" as 10 percent.
test("regression: a stop distance in hex or exponent text is refused, not read as 16 or 10 percent", () => {
  for (const pct of ["0x10", "1e1", "0b11", " 2", "2."]) {
    const r = validateCommand({ type: "set-stoploss", commandId: "sl-x", symbol: "BTCUSDT", pct }, SYMBOLS);
    assert.equal(r.ok, false, `pct ${JSON.stringify(pct)} accepted as ${r.ok ? r.args.pct : ""}`);
  }
  const r = validateCommand({ type: "set-stoploss", commandId: "sl-y", symbol: "BTCUSDT", pct: "2.5" }, SYMBOLS);
  assert.ok(r.ok && r.args.pct === 2.5);
});

describe("POST /api/commands on hostile bodies", () => {
  let view: FakeEngineView;
  let server: ControlServer;
  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0 });
  });
  after(async () => {
    await server.close();
  });

  test("every body gets 200 or a clear 4xx with a code; only valid commands reach the engine", async () => {
    const text = fc.oneof(
      anyBody.map((b) => JSON.stringify(b)),
      fc.constantFrom("", "{", "null", "[]", '"stop"', "42", '{"type":"stop","commandId":"x"', "\u0000", '{"type":"stop","commandId":"c-1","type":"resume"}'),
      fc.string({ maxLength: 40 }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        const before = view.commands.length;
        // Fresh ids: a replayed id answers from the engine's memory, which is another test's subject.
        const sent = body.replace(/"commandId":"([^"]*)"/g, (_, id: string) => `"commandId":"${id === "" ? "" : `${id}-${++n}`}"`);
        const res = await rawRequest(`${server.url}/api/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: sent });
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `HTTP ${res.status}: ${res.body}`);
        const json = JSON.parse(res.body);
        if (res.status !== 200) {
          assert.equal(typeof json.error.code, "string", res.body);
          assert.equal(typeof json.error.message, "string", res.body);
          assert.equal(view.commands.length, before, "a refused body reached the engine");
          return;
        }
        const parsed = JSON.parse(sent);
        assertFaithful(parsed, validateCommand(parsed, SYMBOLS));
        assert.equal(view.commands.length, before + 1);
      }),
      { ...FUZZ, numRuns: 200 },
    );
    const alive = await rawRequest(`${server.url}/api/status`);
    assert.equal(alive.status, 200);
  });
});

describe("Telegram /set_stoploss on hostile text", () => {
  const TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnop";
  const OPERATOR = 4242;
  let api: FakeBotApi;
  let view: FakeEngineView;
  let bot: TelegramBot;
  before(async () => {
    api = new FakeBotApi(TOKEN);
    view = new FakeEngineView();
    bot = await startTelegramBot({ view, token: TOKEN, allowedChatIds: [OPERATOR], apiRoot: await api.start(), alertIntervalMs: 0, pollTimeoutSeconds: 5 });
  });
  after(async () => {
    await bot.stop();
    await api.close();
  });

  test("each message gets an answer; a command is sent only when the text spells a valid one", async () => {
    const word = fc.oneof(fc.constantFrom("BTCUSDT", "ethusdt", "DOGEUSDT", "2", "2.5", "0x10", "1e1", "-1", "100", "NaN", "Infinity", ""), fc.string({ maxLength: 8 }));
    const textArb = fc.array(word, { maxLength: 4 }).map((words) => `/set_stoploss ${words.join(" ")}`);
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        const before = view.commands.length;
        const n = api.sent.length;
        api.message(OPERATOR, text);
        const sent = await api.waitFor((s) => s.length > n);
        const reply = sent[n]!.text;
        const [symbol, pct, ...rest] = text.slice("/set_stoploss".length).trim().split(/\s+/).filter((w) => w !== "");
        const expected = symbol === undefined || pct === undefined || rest.length > 0 ? undefined : validateCommand({ type: "set-stoploss", commandId: "t-1", symbol, pct }, view.symbols);
        if (expected?.ok === true) {
          assert.equal(view.commands.length, before + 1, reply);
          assert.deepEqual(view.commands.at(-1)!.args, expected.args);
        } else {
          assert.equal(view.commands.length, before, `sent a command for ${JSON.stringify(text)}`);
          assert.ok(reply.length > 0);
        }
      }),
      { ...FUZZ, numRuns: 60 },
    );
  });
});
