/**
 * The fleet dashboard (`hean fleet`'s page) in real headless Chromium, over a real redis-server:
 * a running engine, one whose strategy was disabled and one that is down; the strategies column,
 * the events of the first engine without choosing it, and commands that are confirmed before
 * they are sent and whose outcome the page shows.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { fleetCommand } from "../../src/cli/fleet-command.ts";
import { DEFAULT_REDIS_CONFIG } from "../../src/config/redis-config.ts";
import { Secret } from "../../src/core/secrets.ts";
import type { EngineBeat } from "../../src/distributed/heartbeat.ts";
import { keys } from "../../src/distributed/keys.ts";
import { RedisLink } from "../../src/distributed/redis-link.ts";
import { toEntries } from "../../src/distributed/stream-reply.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startDistributed } from "../../src/runtime/distributed.ts";
import { RuntimeView } from "../../src/runtime/engine-view-impl.ts";
import { chromiumMissing, launchChromium, type Browser } from "../chromium.ts";
import { startTestRuntime, tempJournal, type TestRuntime } from "../runtime/helpers.ts";
import { redisMissing, TestRedis } from "./redis-server.ts";

const skip = redisMissing() ?? chromiumMissing("the fleet page end-to-end test");

/** An engine that beats (its hash has no expiry here) with one of its two strategies disabled. */
const DISABLED_ENGINE: EngineBeat = {
  engineId: "eng-dis",
  host: "test",
  pid: 1,
  ts: Date.now(),
  apiUrl: null,
  journalSeq: 7,
  publishedSeq: 7,
  status: {
    equity: "9950.5",
    tradingState: "active",
    riskState: "NORMAL",
    mode: "paper",
    venue: "sim",
    strategy: "impulse,mine",
    strategies: [
      { id: "impulse", disabled: false },
      { id: "mine", disabled: true },
    ],
  } as unknown as EngineBeat["status"],
  positions: [{ symbol: "BTCUSDT", qty: "0.01", avgPrice: "60000", markPrice: "60100", unrealizedPnl: "1", realizedPnl: "0", openedAt: null }],
};

describe("fleet page in headless Chromium", { skip }, () => {
  let redis: TestRedis;
  let link: RedisLink;
  let engine: TestRuntime;
  let closeEngine: () => Promise<void>;
  let journal: ReturnType<typeof tempJournal>;
  const abort = new AbortController();
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const dialogs: string[] = [];
  let answer: "accept" | "dismiss" = "accept";

  before(async () => {
    redis = await TestRedis.start();
    link = await RedisLink.connect({ url: new Secret(redis.url), name: "test" }, 10_000);
    await link.send(["HSET", keys.heartbeat(DISABLED_ENGINE.engineId), "beat", JSON.stringify(DISABLED_ENGINE), "ts", Date.now()]);
    await link.send(["ZADD", keys.registry, Date.now(), DISABLED_ENGINE.engineId]);
    await link.send(["XADD", keys.events(DISABLED_ENGINE.engineId), "0-1", "ts", Date.now(), "type", "alert", "event", JSON.stringify({ code: "STRATEGY_DISABLED" })]);
    // Registered once, no heartbeat now: down (listed first: the registry is ordered by last beat).
    await link.send(["ZADD", keys.registry, 1, "eng-down"]);
    await link.send(["XADD", keys.events("eng-down"), "0-1", "ts", 1, "type", "command", "event", JSON.stringify({ command: "resume" })]);
    journal = tempJournal();
    engine = await startTestRuntime({ journalPath: journal.path });
    const d = startDistributed(engine.rt, new RuntimeView(engine.rt), createLogger({ level: "silent" }), {
      url: new Secret(redis.url),
      config: { ...DEFAULT_REDIS_CONFIG, engineId: "eng-live", heartbeatMs: 100 },
    });
    closeEngine = () => d.close();
    browser = await launchChromium();
    page = (await open(browser.page, [])).tab;
  });

  after(async () => {
    await browser?.close();
    abort.abort();
    await engine?.stop();
    await closeEngine?.();
    journal?.cleanup();
    await link?.close();
    await redis?.stop();
  });

  /**
   * Starts a fleet process with `flags` (until `until` aborts) and opens its page in `tab`,
   * watching for problems. `exited` is the fleet command's own end (its exit code).
   */
  async function open(tab: Page, flags: readonly string[], until = abort.signal): Promise<{ tab: Page; exited: Promise<number> }> {
    let exited!: Promise<number>;
    const url = await new Promise<string>((resolve) => {
      exited = fleetCommand(["--port", "0", "--redis-url", redis.url, ...flags], until, resolve);
    });
    tab.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    tab.on("request", (r) => {
      if (!r.url().startsWith(url)) problems.push(`request off the fleet server: ${r.url()}`);
    });
    tab.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    tab.on("dialog", (d) => {
      dialogs.push(d.message());
      void (answer === "accept" ? d.accept() : d.dismiss());
    });
    await tab.goto(url, { waitUntil: "load" });
    return { tab, exited };
  }

  const riskyFleet = new AbortController();
  let risky: Awaited<ReturnType<typeof open>>;

  const row = (engineId: string) => page.locator("#engines tr", { hasText: engineId });
  const commandsOf = async (engineId: string) => toEntries(await link.send(["XRANGE", keys.commands(engineId), "-", "+"])).map((e) => e.fields);

  test("lists every engine: its strategies, a disabled one marked, and a down engine as down", async () => {
    await row("eng-live").waitFor();
    await row("eng-dis").waitFor();
    assert.match((await row("eng-dis").textContent()) ?? "", /active \/ NORMAL\s*paper\/sim\s*impulse, mine DISABLED\s*9950\.5\s*BTCUSDT 0\.01/);
    assert.equal(await row("eng-dis").locator(".disabled").textContent(), "mine DISABLED");
    assert.equal(await row("eng-live").locator(".disabled").count(), 0);
    assert.match((await row("eng-down").textContent()) ?? "", /down\s*last seen 1970-01-01T00:00:00\.001Z/);
    assert.match((await page.textContent("#risk")) ?? "", /engines up 2, down 1/);
  });

  test("shows the first engine's events without it being chosen, and the chosen engine's after", async () => {
    assert.equal(await page.locator("#engine").inputValue(), "eng-down");
    await page.locator("#events", { hasText: '1 command {"command":"resume"}' }).waitFor();
    await page.locator("#engine").selectOption("eng-dis");
    await page.locator("#events", { hasText: '1 alert {"code":"STRATEGY_DISABLED"}' }).waitFor();
  });

  test("a command is confirmed first: cancelled sends nothing, confirmed is queued for a down engine and shown", async () => {
    answer = "dismiss";
    await row("eng-down").locator("button", { hasText: "flatten" }).click();
    answer = "accept";
    await row("eng-down").locator("button", { hasText: "stop" }).click();
    await page.locator("#outcome", { hasText: "eng-down: stop queued" }).waitFor();
    assert.deepEqual(dialogs.slice(-2), ["flatten eng-down?", "stop eng-down?"]);
    assert.match((await page.textContent("#outcome")) ?? "", /^eng-down: stop queued: engine down: applies when it returns \[fleet-[a-z0-9-]+\]$/);
    // The page sends in order: the one queued command is the confirmed stop, so the cancelled flatten sent nothing.
    assert.deepEqual((await commandsOf("eng-down")).map((f) => [f["type"], f["source"]]), [["stop", "fleet-api"]]);
  });

  test("a command to a running engine is applied by it and the page says so", async () => {
    await row("eng-live").locator("button", { hasText: "stop" }).click();
    await page.locator("#outcome", { hasText: "eng-live: stop applied" }).waitFor();
    assert.equal(engine.rt.killSwitch.active, true);
    await row("eng-live").locator("td.halted").waitFor();
  });

  test("a tripped fleet risk is shown with its reason and reset from the page", async () => {
    // A second fleet process, in a tab of its own, whose gross-exposure limit (500) is under eng-dis's 0.01 × 60,100.
    risky = await open(await browser.context.newPage(), ["--max-gross-exposure", "500"], riskyFleet.signal);
    await risky.tab.locator("#risk.tripped", { hasText: "FLEET RISK TRIPPED: fleet gross exposure 601.00" }).waitFor();
    await risky.tab.locator("#risk button", { hasText: "reset fleet risk" }).click();
    await risky.tab.locator("#outcome", { hasText: "fleet risk reset; drawdown measured from the equity of now" }).waitFor();
    assert.match(dialogs.at(-1) ?? "", /^reset the fleet risk\?/);
  });

  test("no page errors and no request off the fleet server", () => {
    assert.deepEqual(problems, []);
  });

  // Last: the browser now logs the refused connections, which the test above would count. The
  // timeout guards against the hang this test pins (a polling page held the process for ever).
  test("a fleet process stops while its page is open (the page's keep-alive polling does not hold it), and the page says it is unreachable", { timeout: 120_000 }, async () => {
    riskyFleet.abort();
    assert.equal(await risky.exited, 0);
    await risky.tab.locator("#risk", { hasText: /^fleet API: unreachable/ }).waitFor();
  });
});
