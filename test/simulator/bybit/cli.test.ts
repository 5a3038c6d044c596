/**
 * `node src/simulator/bybit/main.ts …` runs standalone, serves, and exits 0 on SIGTERM;
 * bad arguments exit non-zero with the usage line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { isHeanError } from "../../../src/core/errors.ts";
import { runBybitSimCli } from "../../../src/simulator/bybit/main.ts";

const MAIN = fileURLToPath(new URL("../../../src/simulator/bybit/main.ts", import.meta.url));

describe("sim CLI", () => {
  it("serves on the given port until SIGTERM, then exits 0", async () => {
    const child = spawn(process.execPath, [MAIN, "--port", "0", "--seed", "7", "--api-key", "k", "--api-secret", "s", "--scenario", "calm", "--balance", "1000", "--latency-rest-ms", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /rest (http:\/\/\S+)/.exec(out);
          if (m !== null) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const r = await fetch(`${url}/v5/market/time`);
      assert.equal(((await r.json()) as any).retCode, 0);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses bad arguments with CLI_USAGE", async () => {
    await assert.rejects(runBybitSimCli(["--port", "0", "--seed", "1"]), (e) => isHeanError(e, "CLI_USAGE"));
    await assert.rejects(runBybitSimCli(["--port", "0", "--seed", "1", "--api-key", "k", "--api-secret", "s", "--http5xx", "-1"]), (e) => isHeanError(e, "CLI_USAGE"));
  });
});
