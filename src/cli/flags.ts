/**
 * Flag parsing for every `hean` command: node's parseArgs with hean's errors, and readers that
 * turn a flag's text into a value or a CLI_USAGE error naming the flag and what it got. Strict on
 * purpose: `Number("")` is 0 and `Number("0x10")` is 16, neither of which anyone meant.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { MAX_TIMER_MS } from "../core/clock.ts";
import { describeValue, HeanError } from "../core/errors.ts";
import { didYouMean, suggest } from "../core/suggest.ts";

/** parseArgs with hean's errors: an unknown flag or a missing value is a CLI_USAGE error. */
export function parseFlags<T extends ParseArgsOptionsConfig>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    // A mistyped flag: name the nearest real ones instead of parseArgs' advice about positionals.
    const unknown = /^Unknown option '(--?[^'=]+)/.exec((e as Error).message)?.[1];
    if (unknown !== undefined) {
      const known = Object.keys(options).map((k) => `--${k}`);
      throw new HeanError("CLI_USAGE", `unknown flag ${unknown}: ${didYouMean(unknown, [...known, "--help"])}`, { flag: unknown });
    }
    // `--latency-ms -1`: parseArgs takes "-1" for a flag and prints three lines of advice.
    const dashed = /^Option '(--?[^']+)' argument is ambiguous/.exec((e as Error).message)?.[1];
    if (dashed !== undefined) {
      const value = argv[argv.indexOf(dashed) + 1] ?? "";
      throw new HeanError("CLI_USAGE", `${dashed} got ${describeValue(value)}, which reads as a flag: write ${dashed}=${value} if that is its value`, { flag: dashed, value: describeValue(value) });
    }
    throw new HeanError("CLI_USAGE", (e as Error).message, {});
  }
}

function usage(flag: string, expected: string, text: string): never {
  throw new HeanError("CLI_USAGE", `--${flag} must be ${expected}, got ${describeValue(text)}`, { flag, value: describeValue(text) });
}

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** A whole number written in decimal digits, within [min, max]. */
export function integerFlag(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) usage(flag, `an integer from ${min} to ${max}`, text);
  return n;
}

/** The longest `--duration` a timer can wait for: beyond it the stop would fire at once. */
export const MAX_DURATION_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/** A number of seconds (0: at once), as milliseconds. */
export function secondsFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(s >= 0 && s <= MAX_DURATION_SECONDS)) usage(flag, `a number of seconds from 0 to ${MAX_DURATION_SECONDS}`, text);
  return Math.round(s * 1000);
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    // The valid words once: didYouMean's "(valid: …)" would list them a second time.
    const near = suggest(text, choices);
    const hint = near.length === 0 ? "" : `: did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}?`;
    throw new HeanError("CLI_USAGE", `--${flag} must be one of ${choices.join(", ")}, got ${describeValue(text)}${hint}`, { flag, value: describeValue(text) });
  }
  return text as T;
}

/** A file hean will write at the end of a run: its directory must exist now, not after hours of trading. */
export function outputFileFlag(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim().length === 0 || text.includes("\0")) usage(flag, "a file path", text);
  const path = resolve(text);
  if (isDirectory(path)) usage(flag, "a file path, not a directory", text);
  if (!isDirectory(dirname(path))) usage(flag, `a file in an existing directory (${dirname(path)} is not one)`, text);
  return text;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A path or name that must not be empty. */
export function textFlag(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim().length === 0 || text.includes("\0")) usage(flag, "a non-empty value", text);
  return text;
}
