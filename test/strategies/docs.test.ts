import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

test("docs/STRATEGIES.md shows the worked example exactly as the file is", () => {
  const doc = readFileSync("docs/STRATEGIES.md", "utf8");
  const marker = "<!-- example: examples/strategies/mean-reversion.ts -->\n```ts\n";
  const at = doc.indexOf(marker);
  assert.ok(at >= 0, "the example marker is in the doc");
  const body = doc.slice(at + marker.length, doc.indexOf("```", at + marker.length));
  assert.equal(body, readFileSync("examples/strategies/mean-reversion.ts", "utf8"));
});
