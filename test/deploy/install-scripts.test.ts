/**
 * npm 12 skips a dependency's install scripts unless package.json's `allowScripts` allows them,
 * and the `node` package brings the Node 24 that the README's two commands run on through its
 * preinstall script. Without an entry, `npm install` on a fresh machine with npm 12 leaves no
 * node binary in node_modules/.bin and both commands fail.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "../..");
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"] as const;

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}

test("package.json allows the node package's install script (it brings Node 24)", () => {
  assert.equal(readJson(join(ROOT, "package.json")).allowScripts?.node, true);
});

test("every installed dependency with an install script has a decision in allowScripts", () => {
  const allowScripts: Record<string, boolean> = readJson(join(ROOT, "package.json")).allowScripts ?? {};
  const lock = readJson(join(ROOT, "package-lock.json"));
  const undecided: string[] = [];
  for (const path of Object.keys(lock.packages)) {
    if (path === "") continue;
    const manifest = join(ROOT, path, "package.json");
    // Optional packages for other platforms are in the lock but not on this disk.
    if (!existsSync(manifest)) continue;
    const { name, scripts = {} } = readJson(manifest);
    if (INSTALL_SCRIPTS.some((s) => s in scripts) && !(name in allowScripts)) undecided.push(name);
  }
  assert.deepEqual(undecided, [], "run `npm install-scripts ls`, then approve or deny each");
});
