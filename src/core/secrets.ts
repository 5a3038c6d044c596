/**
 * Secrets (API keys, bot tokens) as values that refuse to be printed.
 *
 * A `Secret` prints as `[redacted]` through every path a value usually leaks by: string
 * interpolation, JSON.stringify (logs, API responses), util.inspect (console.log, assertion
 * diffs). Only `reveal()` gives the value, so every use of the raw value is greppable.
 *
 * Every secret read through `readSecret` (or wrapped with `registerSecret`) is also remembered
 * in a process-wide set, so the logger's last line of defence can scrub the raw value from any
 * line that still carries it (an error message from a library, a URL with a bot token in it).
 */
import { readFileSync } from "node:fs";
import { HeanError } from "./errors.ts";

const REDACTED = "[redacted]";
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectSymbol](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Values shorter than this are not treated as secrets by the scrubber: it would mangle ordinary text. */
export const MIN_SCRUB_LENGTH = 4;

const registered = new Set<string>();
let registryVersion = 0;

/** Remembers a secret value for the log scrubber; returns it wrapped. */
export function registerSecret(value: string | Secret): Secret {
  const secret = typeof value === "string" ? new Secret(value) : value;
  const raw = secret.reveal();
  if (raw.length >= MIN_SCRUB_LENGTH && !registered.has(raw)) {
    registered.add(raw);
    registryVersion += 1;
  }
  return secret;
}

/** The raw values of every registered secret (for the scrubber only). */
export function registeredSecretValues(): readonly string[] {
  return [...registered];
}

/** Changes whenever a secret is registered, so scrubbers know when to rebuild. */
export function secretRegistryVersion(): number {
  return registryVersion;
}

/**
 * Reads a secret from `NAME` or from the file named by `NAME_FILE` (Docker/Compose secrets).
 * File contents are trimmed (editors add a newline). Returns undefined when neither is set or the
 * value is empty; throws CONFIG_INVALID when both are set (ambiguous) or the file is unreadable.
 */
export function readSecret(envName: string, env: NodeJS.ProcessEnv = process.env): Secret | undefined {
  const direct = env[envName];
  const fileName = env[`${envName}_FILE`];
  const hasDirect = direct !== undefined && direct !== "";
  const hasFile = fileName !== undefined && fileName !== "";
  if (hasDirect && hasFile) {
    throw new HeanError("CONFIG_INVALID", `both ${envName} and ${envName}_FILE are set; set only one`, {
      envName,
    });
  }
  if (hasDirect) {
    const value = direct.trim();
    return value === "" ? undefined : registerSecret(value);
  }
  if (!hasFile) return undefined;
  let text: string;
  try {
    text = readFileSync(fileName, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new HeanError("CONFIG_INVALID", `cannot read ${envName}_FILE (${fileName}): ${reason}`, {
      envName,
      file: fileName,
    });
  }
  const value = text.trim();
  return value === "" ? undefined : registerSecret(value);
}
