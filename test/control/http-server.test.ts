import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { startControlServer, type ControlServer } from "../../src/control/http/server.ts";
import { FakeEngineView } from "./fake-view.ts";
import { postCommand, rawRequest } from "./http-helpers.ts";

const TOKEN = "t0ken-for-tests-6d1f0c2a9b8e";

describe("control server: reads", () => {
  let view: FakeEngineView;
  let server: ControlServer;
  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0 });
  });
  after(() => server.close());

  test("binds loopback on an ephemeral port by default in tests", () => {
    assert.equal(server.host, "127.0.0.1");
    assert.ok(server.port > 0);
  });

  test("/health answers without touching the engine", async () => {
    view.statusThrows = true;
    try {
      const res = await fetch(`${server.url}/health`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as any).status, "ok");
    } finally {
      view.statusThrows = false;
    }
  });

  test("/ready is 200 only when the engine says ready, 503 with the reasons otherwise", async () => {
    let res = await fetch(`${server.url}/ready`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ready: true, reasons: [] });
    view.ready = { ok: false, reasons: ["journal replay in progress", "venue not reconciled"] };
    try {
      res = await fetch(`${server.url}/ready`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { ready: false, reasons: ["journal replay in progress", "venue not reconciled"] });
    } finally {
      view.ready = { ok: true, reasons: [] };
    }
  });

  test("the JSON views return what the engine view gives", async () => {
    const get = async (path: string): Promise<any> => {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.equal(res.headers.get("cache-control"), "no-store");
      return res.json();
    };
    assert.deepEqual(await get("/api/status"), JSON.parse(JSON.stringify(view.status())));
    assert.deepEqual(await get("/api/positions"), view.positions());
    assert.deepEqual(await get("/api/orders"), view.orders());
    assert.deepEqual(await get("/api/risk"), view.risk());
    assert.deepEqual(await get("/api/bus"), view.bus());
    assert.deepEqual(await get("/api/venue"), view.venueHealth());
    assert.equal((await get("/api/equity")).length, view.equityPoints.length);
    assert.deepEqual(await get("/api/fills?limit=2"), view.fills.slice(-2));
    assert.equal((await get("/api/alerts")).length, view.alerts.length);
    assert.equal((await get("/api/prices?symbol=ETHUSDT")).length, view.prices.get("ETHUSDT")!.length);
  });

  test("bad query parameters are 400/404 with a JSON error", async () => {
    for (const [path, status, code] of [
      ["/api/prices", 400, "BAD_REQUEST"],
      ["/api/prices?symbol=DOGEUSDT", 404, "NOT_FOUND"],
      ["/api/fills?limit=abc", 400, "BAD_REQUEST"],
      ["/api/fills?limit=0", 400, "BAD_REQUEST"],
      ["/api/alerts?limit=100000", 400, "BAD_REQUEST"],
      ["/api/nothing", 404, "NOT_FOUND"],
    ] as const) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, status, path);
      const body = (await res.json()) as any;
      assert.equal(body.error.code, code, path);
      assert.equal(typeof body.error.message, "string");
    }
  });

  test("a wrong method is 405 with Allow", async () => {
    const res = await fetch(`${server.url}/api/status`, { method: "DELETE" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    const get = await fetch(`${server.url}/api/commands`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
  });

  test("an engine view that throws gives 503, not a crash", async () => {
    view.statusThrows = true;
    try {
      const res = await fetch(`${server.url}/api/status`);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as any).error.code, "ENGINE_UNAVAILABLE");
      assert.equal((await fetch(`${server.url}/ready`)).status, 503);
    } finally {
      view.statusThrows = false;
    }
    assert.equal((await fetch(`${server.url}/api/status`)).status, 200);
  });

  test("on loopback, a foreign Host header is refused (DNS rebinding)", async () => {
    const evil = await rawRequest(`${server.url}/api/positions`, { headers: { host: "evil.example:80" } });
    assert.equal(evil.status, 403);
    assert.equal(JSON.parse(evil.body).error.code, "HOST_NOT_ALLOWED");
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      const ok = await rawRequest(`${server.url}/api/positions`, { headers: { host } });
      assert.equal(ok.status, 200, host);
    }
  });

  test("/metrics serves the Prometheus text format", async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    assert.match(await res.text(), /^hean_equity_quote \d/m);
  });

  test("the dashboard and the chart library are served with a strict CSP", async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const lib = await fetch(`${server.url}/vendor/lightweight-charts.mjs`);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get("content-type") ?? "", /javascript/);
    assert.match(await lib.text(), /createChart/);
    assert.equal((await fetch(`${server.url}/../package.json`)).status, 404);
    assert.equal((await fetch(`${server.url}/%2e%2e/package.json`)).status, 404);
  });
});

describe("control server: commands", () => {
  let view: FakeEngineView;
  let server: ControlServer;
  before(async () => {
    view = new FakeEngineView();
    server = await startControlServer({ view, port: 0, token: TOKEN, commandTimeoutMs: 2000 });
  });
  after(() => server.close());

  test("no or wrong bearer token is 401 and reaches nothing", async () => {
    const before = view.commands.length;
    const none = await postCommand(server.url, { type: "stop", commandId: "c-1" });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, "UNAUTHORIZED");
    assert.match(none.headers.get("www-authenticate") ?? "", /Bearer/);
    const wrong = await postCommand(server.url, { type: "stop", commandId: "c-1" }, TOKEN + "x");
    assert.equal(wrong.status, 401);
    const short = await postCommand(server.url, { type: "stop", commandId: "c-1" }, "x");
    assert.equal(short.status, 401);
    assert.equal(view.commands.length, before);
  });

  test("malformed bodies are 400, wrong content types 415, oversized bodies 413", async () => {
    assert.equal((await postCommand(server.url, "{not json", TOKEN)).status, 400);
    assert.equal((await postCommand(server.url, "[1,2]", TOKEN)).status, 400);
    assert.equal((await postCommand(server.url, "null", TOKEN)).status, 400);
    assert.equal((await postCommand(server.url, '"stop"', TOKEN)).status, 400);
    const text = await fetch(`${server.url}/api/commands`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
      body: "stop",
    });
    assert.equal(text.status, 415);
    const huge = await postCommand(server.url, { type: "stop", commandId: "c-big", reason: "x".repeat(100_000) }, TOKEN);
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, "PAYLOAD_TOO_LARGE");
    assert.equal(view.commands.length, 0);
  });

  test("invalid commands are 422 with a message that says what is wrong", async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: "launch-rockets", commandId: "c-2" }, /unknown command type "launch-rockets"/],
      [{ commandId: "c-2" }, /"type" is required/],
      [{ type: "stop" }, /"commandId" is required/],
      [{ type: "stop", commandId: 42 }, /"commandId" must be/],
      [{ type: "stop", commandId: "" }, /"commandId" must be/],
      [{ type: "stop", commandId: "has space" }, /"commandId" must be/],
      [{ type: "stop", commandId: "c-2", force: true }, /takes no field "force"/],
      [{ type: "set-stoploss", commandId: "c-2", symbol: "DOGEUSDT", pct: 2 }, /unknown symbol "DOGEUSDT"/],
      [{ type: "set-stoploss", commandId: "c-2", pct: 2 }, /needs "symbol"/],
      [{ type: "set-stoploss", commandId: "c-2", symbol: "BTCUSDT", pct: "NaN" }, /"pct" must be a finite number/],
      [{ type: "set-stoploss", commandId: "c-2", symbol: "BTCUSDT", pct: null }, /"pct" must be a finite number/],
      [{ type: "set-stoploss", commandId: "c-2", symbol: "BTCUSDT", pct: 0 }, /above 0 and below 100/],
      [{ type: "set-stoploss", commandId: "c-2", symbol: "BTCUSDT", pct: 150 }, /above 0 and below 100/],
      [{ type: "set-stoploss", commandId: "c-2", symbol: "BTCUSDT", pct: 2, pcts: 3 }, /not "pcts"/],
    ];
    for (const [body, message] of cases) {
      const res = await postCommand(server.url, body, TOKEN);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(res.json.error.code, "COMMAND_INVALID");
      assert.match(res.json.error.message, message);
    }
    assert.equal(view.commands.length, 0);
  });

  test("a valid command reaches the engine with its source and returns the outcome", async () => {
    const res = await postCommand(server.url, { type: "stop", commandId: "op-stop-1", reason: "maintenance" }, TOKEN);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { commandId: "op-stop-1", ok: true, message: "trading halted; new exposure blocked", duplicate: false });
    const sent = view.commands.at(-1)!;
    assert.deepEqual(sent, { commandId: "op-stop-1", command: "stop", source: "api:127.0.0.1", args: { reason: "maintenance" } });
    assert.equal(view.status().tradingState, "halted");
  });

  test("set-stoploss passes symbol (normalised) and pct through", async () => {
    const res = await postCommand(server.url, { type: "set-stoploss", commandId: "sl-1", symbol: "ethusdt", pct: 2.5 }, TOKEN);
    assert.equal(res.status, 200);
    assert.deepEqual(view.commands.at(-1)!.args, { symbol: "ETHUSDT", pct: 2.5 });
  });

  test("resending the same commandId returns the earlier outcome marked duplicate, applied once", async () => {
    const first = await postCommand(server.url, { type: "flatten", commandId: "op-flat-9" }, TOKEN);
    const count = view.commands.length;
    const again = await postCommand(server.url, { type: "flatten", commandId: "op-flat-9" }, TOKEN);
    assert.equal(first.json.duplicate, false);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { ...first.json, duplicate: true });
    assert.equal(view.commands.length, count);
  });

  test("an engine refusal is still 200 with ok:false (the outcome is the answer)", async () => {
    view.riskState = "HARD_STOP";
    try {
      const res = await postCommand(server.url, { type: "resume", commandId: "op-resume-1" }, TOKEN);
      assert.equal(res.status, 200);
      assert.equal(res.json.ok, false);
      assert.match(res.json.message, /reset-hard-stop/);
    } finally {
      view.riskState = "NORMAL";
    }
  });

  test("the token never appears in a response, even if the engine echoes it", async () => {
    view.alerts.push({ type: "alert", ts: 1, severity: "critical", code: "LEAK", message: `oops ${TOKEN}`, context: { token: TOKEN } });
    const text = await (await fetch(`${server.url}/api/alerts`)).text();
    assert.ok(!text.includes(TOKEN), "token leaked");
    assert.match(text, /oops \[redacted\]/);
    view.alerts.pop();
  });
});

describe("control server: engine failures and configuration", () => {
  test("a command the engine throws on is 500; one it does not answer in time is 504", async () => {
    const failing = new FakeEngineView({ failCommands: true });
    const slow = new FakeEngineView({ commandDelayMs: 400 });
    const a = await startControlServer({ view: failing, port: 0, token: TOKEN });
    const b = await startControlServer({ view: slow, port: 0, token: TOKEN, commandTimeoutMs: 20 });
    try {
      const failed = await postCommand(a.url, { type: "stop", commandId: "x1" }, TOKEN);
      assert.equal(failed.status, 500);
      assert.equal(failed.json.error.code, "COMMAND_FAILED");
      const late = await postCommand(b.url, { type: "stop", commandId: "x2" }, TOKEN);
      assert.equal(late.status, 504);
      assert.equal(late.json.error.code, "COMMAND_TIMEOUT");
      assert.match(late.json.error.message, /resend the same commandId/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("without a token, commands are refused with 403 and a clear message; reads stay open", async () => {
    const view = new FakeEngineView();
    const server = await startControlServer({ view, port: 0 });
    try {
      const res = await postCommand(server.url, { type: "stop", commandId: "n1" }, "whatever-token-you-like");
      assert.equal(res.status, 403);
      assert.equal(res.json.error.code, "COMMANDS_DISABLED");
      assert.match(res.json.error.message, /HEAN_API_TOKEN/);
      assert.equal((await fetch(`${server.url}/api/positions`)).status, 200);
      assert.equal(view.commands.length, 0);
    } finally {
      await server.close();
    }
  });

  test("refuses a non-loopback bind without a token, and a short token", async () => {
    const view = new FakeEngineView();
    await assert.rejects(startControlServer({ view, host: "0.0.0.0", port: 0 }), (e) => isHeanError(e, "CONFIG_INVALID"));
    await assert.rejects(startControlServer({ view, port: 0, token: "short" }), (e) => isHeanError(e, "CONFIG_INVALID"));
  });

  test("a port in use is an error, not a crash", async () => {
    const view = new FakeEngineView();
    const first = await startControlServer({ view, port: 0 });
    try {
      await assert.rejects(startControlServer({ view, port: first.port }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  test("close() ends live streams, stops listening and unsubscribes from the engine", async () => {
    const view = new FakeEngineView();
    const server = await startControlServer({ view, port: 0 });
    const res = await fetch(`${server.url}/api/stream`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    assert.ok(view.eventListenerCount > 0);
    await server.close();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    assert.equal(view.eventListenerCount, 0);
    await assert.rejects(fetch(`${server.url}/health`));
  });
});
