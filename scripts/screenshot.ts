/**
 * `npm run screenshot -- [--out docs/dashboard.png] [--seconds 40] [--trades 2] [--width 1480] [--height 1180]`:
 * the README's dashboard picture, made by the repository, not by hand. It starts a paper run on
 * the built-in simulator (`hean run --api-port 0`, the churn strategy so that trades close within
 * seconds, a fresh journal in a temporary directory), opens the dashboard in headless Chromium,
 * waits until `--trades` trades have closed and at least `--seconds` have passed (so the charts
 * have something to show), and writes the screenshot. The run is stopped with SIGTERM, as Ctrl-C
 * would, and the temporary journal removed.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`), or
 * `HEAN_CHROMIUM=/path/to/chrome`. Exit status: 0 written, 1 failed, 2 bad arguments.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

/** Browser globals, used only inside functions that run in the page (the project's lib has no DOM). */
declare const document: any;
declare const window: any;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env["HEAN_CHROMIUM"] ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"];

function options(): { out: string; seconds: number; trades: number; width: number; height: number } {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        out: { type: "string", default: "docs/dashboard.png" },
        seconds: { type: "string", default: "40" },
        trades: { type: "string", default: "2" },
        width: { type: "string", default: "1480" },
        height: { type: "string", default: "1180" },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`screenshot: ${(e as Error).message}`);
    process.exit(2);
  }
  const whole = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`screenshot: --${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
      process.exit(2);
    }
    return n;
  };
  return {
    out: resolve(ROOT, parsed.out),
    seconds: whole("seconds", parsed.seconds, 0, 3_600),
    trades: whole("trades", parsed.trades, 1, 1_000),
    width: whole("width", parsed.width, 320, 4_000),
    height: whole("height", parsed.height, 320, 8_000),
  };
}

/** Resolves with the control server's URL once the run logs it. */
function dashboardUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*dashboard and metrics listening/.exec(output());
      if (m !== null) {
        clearInterval(poll);
        resolveUrl(m[1]!);
      } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`the paper run did not start its dashboard:\n${output()}`));
      }
    }, 50);
  });
}

async function main(): Promise<void> {
  const o = options();
  if (!existsSync(CHROMIUM)) {
    console.error(`screenshot: ${CHROMIUM} is missing: apt-get install -y chromium (or set HEAN_CHROMIUM)`);
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), "hean-screenshot-"));
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin", "hean.js"), "run", "--api-port", "0", "--journal", join(dir, "screenshot.db"), "--strategy", "churn", "--quiet"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const profile = mkdtempSync(join(tmpdir(), "hean-chromium-"));
  let context;
  try {
    const url = await dashboardUrl(child, () => out, 60_000);
    const startedAt = Date.now();
    console.log(`paper run on the simulator: ${url}`);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: o.width, height: o.height },
      deviceScaleFactor: 1,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: "load" });
    await page.locator("#conn", { hasText: "live" }).waitFor({ timeout: 30_000 });
    await page.click("[data-interval='1s']");
    console.log(`waiting for ${o.trades} closed trade(s) and ${o.seconds} s of trading…`);
    await page.waitForFunction((n) => document.querySelectorAll("#trades tbody tr[data-n]").length >= n, o.trades, { timeout: 10 * 60_000 });
    const left = o.seconds * 1_000 - (Date.now() - startedAt);
    if (left > 0) await page.waitForTimeout(left);
    // Two refreshes after the wait, so the picture shows the state at the end of it.
    const loads = await page.evaluate(() => Number(document.body.dataset["loads"] ?? "0"));
    await page.waitForFunction((k) => Number(document.body.dataset["loads"] ?? "0") >= k + 2, loads, { timeout: 30_000 });
    await page.evaluate(() => document.querySelectorAll(".toast").forEach((t: { remove(): void }) => t.remove()));
    await page.mouse.move(0, 0);
    mkdirSync(dirname(o.out), { recursive: true });
    await page.screenshot({ path: o.out });
    console.log(`wrote ${o.out}`);
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`screenshot failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
