import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { isHeanError } from "../../src/core/errors.ts";
import { readSecret, registeredSecretValues } from "../../src/core/secrets.ts";

describe("readSecret", () => {
  const dir = mkdtempSync(join(tmpdir(), "hean-secrets-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("reads the variable itself", () => {
    const s = readSecret("HEAN_API_TOKEN", { HEAN_API_TOKEN: "direct-value-123456" });
    assert.equal(s?.reveal(), "direct-value-123456");
    assert.equal(String(s), "[redacted]");
  });

  test("reads the _FILE twin, trimmed, and registers it for scrubbing", () => {
    const file = join(dir, "token");
    writeFileSync(file, "  from-a-file-abcdef\n");
    const s = readSecret("HEAN_API_TOKEN", { HEAN_API_TOKEN_FILE: file });
    assert.equal(s?.reveal(), "from-a-file-abcdef");
    assert.ok(registeredSecretValues().includes("from-a-file-abcdef"));
  });

  test("absent or empty is undefined", () => {
    assert.equal(readSecret("HEAN_API_TOKEN", {}), undefined);
    assert.equal(readSecret("HEAN_API_TOKEN", { HEAN_API_TOKEN: "" }), undefined);
    assert.equal(readSecret("HEAN_API_TOKEN", { HEAN_API_TOKEN: "   " }), undefined);
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n");
    assert.equal(readSecret("HEAN_API_TOKEN", { HEAN_API_TOKEN_FILE: empty }), undefined);
  });

  test("both set, or an unreadable file, is a clear configuration error that does not print the value", () => {
    assert.throws(
      () => readSecret("HEAN_API_TOKEN", { HEAN_API_TOKEN: "one-value-abcdef", HEAN_API_TOKEN_FILE: "/x" }),
      (e) => isHeanError(e, "CONFIG_INVALID") && /set only one/.test(e.message) && !e.message.includes("one-value-abcdef"),
    );
    assert.throws(
      () => readSecret("HEAN_BYBIT_API_KEY", { HEAN_BYBIT_API_KEY_FILE: join(dir, "missing") }),
      (e) => isHeanError(e, "CONFIG_INVALID") && /HEAN_BYBIT_API_KEY_FILE/.test(e.message) && /ENOENT/.test(e.message),
    );
  });
});
