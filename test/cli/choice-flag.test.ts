/** A word outside a flag's fixed set: the valid words said once, with the nearest one when there is one. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { choiceFlag } from "../../src/cli/flags.ts";

test("a flag's word outside its set names the valid words once, and the nearest when one is near", () => {
  const ranks = ["totalReturnPct", "sharpe", "sortino"] as const;
  // It read `--rank must be one of totalReturnPct, sharpe, sortino, got "foo": (valid: totalReturnPct, sharpe, sortino)`.
  assert.throws(() => choiceFlag("rank", "foo", ranks), (e: Error) => {
    assert.equal(e.message, 'CLI_USAGE: --rank must be one of totalReturnPct, sharpe, sortino, got "foo"');
    return true;
  });
  assert.throws(() => choiceFlag("rank", "sharp", ranks), (e: Error) => {
    assert.equal(e.message, 'CLI_USAGE: --rank must be one of totalReturnPct, sharpe, sortino, got "sharp": did you mean "sharpe"?');
    return true;
  });
  assert.equal(choiceFlag("rank", "sortino", ranks), "sortino");
  assert.equal(choiceFlag("rank", undefined, ranks), undefined);
});
