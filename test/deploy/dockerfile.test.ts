/** Static checks of the Dockerfile and .dockerignore (no Docker daemon on the CI machines). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

const ROOT = join(import.meta.dirname, "../..");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const finalStage = instructions.slice(instructions.findLastIndex((l) => l.startsWith("FROM ")));

describe("Dockerfile", () => {
  test("builds on Node 24", () => {
    for (const from of instructions.filter((l) => l.startsWith("FROM "))) assert.match(from, /^FROM node:24[.\-\w]*/);
  });

  test("runs as a non-root user", () => {
    const users = finalStage.filter((l) => l.startsWith("USER "));
    assert.ok(users.length > 0, "USER in the final stage");
    assert.doesNotMatch(users.at(-1)!, /^USER (root|0)(:|$)/);
  });

  test("runs `hean run` and has a health check on /health", () => {
    assert.ok(finalStage.includes('ENTRYPOINT ["node", "bin/hean.js"]'));
    const cmd = finalStage.find((l) => l.startsWith("CMD "))!;
    assert.equal(JSON.parse(cmd.slice(4))[0], "run");
    assert.match(finalStage.find((l) => l.startsWith("HEALTHCHECK "))!, /127\.0\.0\.1:8080\/health/);
  });

  test("bakes no secret into the image", () => {
    for (const line of instructions.filter((l) => /^(ENV|ARG) /.test(l))) {
      assert.doesNotMatch(line, /(KEY|SECRET|TOKEN|PASSWORD)/i, line);
    }
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const needed of [".git", "node_modules", "**/secrets", ".env", "**/*.sqlite", "test-output"]) {
      assert.ok(ignore.includes(needed), `.dockerignore has ${needed}`);
    }
  });
});
