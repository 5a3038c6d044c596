import assert from "node:assert/strict";
import { test } from "node:test";
import { HeanError } from "../../src/core/errors.ts";
import { DEFAULT_CONFIG, loadConfig, MIN_REMEMBERED } from "../../src/config/config.ts";

test("journal.rememberedOrders and rememberedFillIds: defaults, the minimum accepted", () => {
  assert.equal(DEFAULT_CONFIG.journal.rememberedOrders, 20_000);
  assert.equal(DEFAULT_CONFIG.journal.rememberedFillIds, 50_000);
  const c = loadConfig({ overrides: [`journal.rememberedOrders=${MIN_REMEMBERED}`, "journal.rememberedFillIds=123456"] });
  assert.equal(c.journal.rememberedOrders, MIN_REMEMBERED);
  assert.equal(c.journal.rememberedFillIds, 123_456);
});

test("journal.rememberedOrders and rememberedFillIds below the minimum or not an integer are refused, naming the key", () => {
  for (const key of ["rememberedOrders", "rememberedFillIds"]) {
    for (const bad of [String(MIN_REMEMBERED - 1), "0", "-5", "1500.5", '"many"', "true"]) {
      assert.throws(
        () => loadConfig({ overrides: [`journal.${key}=${bad}`] }),
        (e: unknown) => e instanceof HeanError && e.code === "CONFIG_INVALID" && e.message.includes(`journal.${key}`) && e.message.includes("1000"),
        `${key}=${bad}`,
      );
    }
  }
});
