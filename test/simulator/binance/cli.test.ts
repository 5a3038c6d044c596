/**
 * `hean sim binance …` runs, serves `/fapi`, and exits 0 on SIGTERM; bad arguments exit with
 * CLI_USAGE and the Binance usage line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { isHeanError } from "../../../src/core/errors.ts";
import { runBinanceSimCli } from "../../../src/simulator/binance/main.ts";

const HEAN = fileURLToPath(new URL("../../../bin/hean.js", import.meta.url));

describe("hean sim binance", () => {
  it("serves on the given port until SIGTERM, then exits 0", async () => {
    const child = spawn(process.execPath, [HEAN, "sim", "binance", "--port", "0", "--seed", "7", "--api-key", "k", "--api-secret", "s", "--scenario", "calm", "--http5xx", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /rest (http:\/\/\S+)\/fapi/.exec(out);
          if (m !== null) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const r = await fetch(`${url}/fapi/v1/ping`, { headers: { Connection: "close" } });
      assert.deepEqual(await r.json(), {});
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses bad arguments with CLI_USAGE and the Binance usage line", async () => {
    await assert.rejects(runBinanceSimCli(["--port", "0", "--seed", "1"]), (e) => isHeanError(e, "CLI_USAGE") && e.message.includes("hean sim binance"));
    await assert.rejects(runBinanceSimCli(["--port", "0", "--seed", "1", "--api-key", "k", "--api-secret", "s", "--scenario", "nope"]), (e) => isHeanError(e, "CONFIG_INVALID"));
    await assert.rejects(runBinanceSimCli(["--port", "0", "--seed", "1", "--api-key", "k", "--api-secret", "s", "--hedge-mode", "yes"]), (e) => isHeanError(e, "CLI_USAGE") && e.message.includes("--hedge-mode needs true or false"));
  });
});
