/**
 * Rule 1, one writer, held by the types: outside `src/engine` code gets the engine's state only
 * as `EngineStateView` (no `apply`, read-only maps, no portfolio or parent mutators), and no
 * source file outside the engine imports the mutable `EngineState` class. Nor does any file
 * outside `src/venues` import an exchange's folder or the live core (the registry picks venues
 * by id); the in-process simulated venue and its matching engine (`venues/sim`) are no exchange.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

const IMPORT = /^import[^;]*?from\s+"([^"]+)";/gms;

function imports(file: string): { readonly text: string; readonly from: string }[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => ({ text: m[0], from: m[1]! }));
}

test("no source file outside src/engine imports the mutable EngineState", () => {
  const offenders = sources(SRC)
    .filter((f) => !relative(SRC, f).startsWith("engine/"))
    .flatMap((f) => imports(f).filter((i) => i.from.endsWith("/engine/engine-state.ts") && /\bEngineState\b/.test(i.text)).map(() => relative(SRC, f)));
  assert.deepEqual(offenders, []);
});

test("no source file outside src/venues imports an exchange's folder or the live core", () => {
  const offenders = sources(SRC)
    .filter((f) => !relative(SRC, f).startsWith("venues/"))
    .flatMap((f) => imports(f).filter((i) => /\/venues\/(?!venue\.ts|registry\.ts|sim\/)[^/]+\//.test(i.from)).map((i) => `${relative(SRC, f)} → ${i.from}`));
  assert.deepEqual(offenders, []);
});
